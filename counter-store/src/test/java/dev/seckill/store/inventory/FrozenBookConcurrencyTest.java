package dev.seckill.store.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The snapshot writer really runs while the apply thread goes on: a frozen book is written on
 * another thread (handed over through an executor, as the state machine does) while this thread
 * reserves, confirms, cancels, expires, forgets, acknowledges and restocks, many of them on the
 * very reservations, holders and chunks the frozen view holds. Each written snapshot must be byte
 * for byte the full walk of the book taken at its freeze ({@link ReferenceSnapshot}).
 */
class FrozenBookConcurrencyTest {
    private static final int USERS = 5_000;

    @Test
    void aSnapshotWrittenWhileTheBookChangesIsTheFreezeMoment() throws Exception {
        // forgets finished request ids after 2 s of store time or past 3,000, so forgetting and
        // slot reuse happen during the writes too
        InventoryBook book = new InventoryBook(new BookSettings(2_000, 3_000, Integer.MAX_VALUE));
        SplittableRandom random = new SplittableRandom(42);
        for (String sku : new String[] {"a", "b", "c"}) {
            book.create(sku, 1_000_000_000L);
        }
        Workload work = new Workload(book, random);
        work.run(30_000);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 12; round++) {
                byte[] expected = ReferenceSnapshot.of(book);
                BookSnapshot.Frozen frozen = BookSnapshot.freeze(book);
                Future<byte[]> written = writer.submit(() -> {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    frozen.writeTo(new DataOutputStream(bytes));
                    return bytes.toByteArray();
                });
                while (!written.isDone()) {
                    work.run(200);
                }
                work.run(5_000);
                assertThat(written.get()).as("round %d, written while %d ops ran", round, work.ops).isEqualTo(expected);
                assertThat(frozen.reservations()).isGreaterThan(0);
            }
        } finally {
            writer.shutdownNow();
            writer.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(work.ops).as("ops applied").isGreaterThan(90_000);
    }

    /** Random purchase traffic over a few SKUs and many users, reaching back to old reservations. */
    private static final class Workload {
        private final InventoryBook book;
        private final SplittableRandom random;
        private long made;
        long ops;

        Workload(InventoryBook book, SplittableRandom random) {
            this.book = book;
            this.random = random;
        }

        void run(int n) {
            for (int i = 0; i < n; i++, ops++) {
                String sku = String.valueOf((char) ('a' + random.nextInt(3)));
                String user = "u" + random.nextInt(USERS);
                int kind = random.nextInt(100);
                if (kind < 45 || made == 0) {
                    long ttl = random.nextInt(4) == 0 ? 0 : 500 + random.nextInt(3_000);
                    book.reserve(sku, 1 + random.nextInt(3), "r" + made++, user, random.nextInt(8) == 0 ? 2 : -1, ttl);
                } else if (kind < 50) {
                    book.deduct(sku, 1, "r" + made++, user, -1);
                } else if (kind < 70) {
                    book.confirm("r" + (made - 1 - random.nextLong(Math.min(made, 20_000))));
                } else if (kind < 85) {
                    book.cancel("r" + (made - 1 - random.nextLong(Math.min(made, 20_000))));
                } else if (kind < 92) {
                    book.advanceTo(book.now() + random.nextInt(40));
                } else if (kind < 97) {
                    long last = book.feed().lastSeq();
                    book.feed().acknowledge(last - random.nextLong(Math.max(1, last / 10 + 1)));
                } else {
                    book.restock(sku, random.nextInt(5), random.nextBoolean() ? "s" + random.nextInt(10_000) : null);
                }
            }
        }
    }
}
