package dev.seckill.perf;

import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.inventory.BookSnapshot;
import dev.seckill.store.inventory.InventoryBook;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * How long the apply thread stops to freeze a book for a snapshot, with many retained pending
 * reservations held by many distinct users: the cost the store logs as "frozen in N µs".
 *
 * <p>{@code java -cp perf/target/benchmarks.jar dev.seckill.perf.FreezeBench [reservations] [users] [rounds]}
 * (defaults 1,000,000, 1,000,000, 5). Fills one book with pending reservations of one SKU (one
 * unit each, every user a distinct holder up to {@code users}), then repeats: 20,000 more
 * reservations by users at random and 10,000 confirms of the oldest (changes since the last
 * freeze), a timed freeze, then the
 * frozen book written to nowhere (as the snapshot writer would, so a freeze that leaves work to
 * the writer pays it there, timed apart). The changes are timed too: a freeze that makes later
 * writes copy (copy on write) pays it there.
 */
public final class FreezeBench {
    private FreezeBench() {
    }

    public static void main(String[] args) throws IOException {
        int reservations = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        InventoryBook book = new InventoryBook(BookSettings.defaults());
        book.create("phone", Long.MAX_VALUE / 2);
        long made = 0;
        for (; made < reservations; made++) {
            book.reserve("phone", 1, "r" + made, "u" + (made % users), -1, 0);
        }
        long confirmed = 0;
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("filled: %,d pending reservations, %,d users, heap after GC %,d MB (%d bytes per reservation)%n",
                book.pendingReservations(), Math.min(users, reservations), heap >> 20, heap / reservations);
        for (int round = 1; round <= rounds; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < 20_000; i++, made++) {
                // users at random: the worst case for copy on write (each touches a chunk of its own)
                book.reserve("phone", 1, "r" + made, "u" + Math.floorMod(made * 0x9E3779B97F4A7C15L, users), -1, 0);
            }
            for (int i = 0; i < 10_000; i++) {
                book.confirm("r" + confirmed++);
            }
            long changeNanos = System.nanoTime() - t;
            book.advanceTo(round * 1000L);
            long t0 = System.nanoTime();
            BookSnapshot.Frozen frozen = BookSnapshot.freeze(book);
            long freezeNanos = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            CountingStream sink = new CountingStream();
            frozen.writeTo(new DataOutputStream(sink));
            long writeNanos = System.nanoTime() - t1;
            System.out.printf("round %d: %,d pending, 30,000 changes in %,d µs, frozen in %,d µs, written (%,d bytes) in %,d ms%n",
                    round, book.pendingReservations(), changeNanos / 1_000, freezeNanos / 1_000, sink.bytes,
                    writeNanos / 1_000_000);
        }
    }

    private static final class CountingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
