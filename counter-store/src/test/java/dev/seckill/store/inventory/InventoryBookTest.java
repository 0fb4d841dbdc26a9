package dev.seckill.store.inventory;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.command.CommandParser;
import dev.seckill.store.protocol.Reply;

import org.junit.jupiter.api.Test;

/** Worked examples of edge cases of the book, each one a bug its properties once found. */
class InventoryBookTest {

    @Test
    void restockingByTheMostNegativeDeltaIsRefusedInsteadOfWrappingAround() throws Exception {
        // the parser lets it through: -9223372036854775808 is a valid signed 64-bit integer
        byte[][] wire = {bytes("INV.RESTOCK"), bytes("a"), bytes(Long.toString(Long.MIN_VALUE))};
        assertThat(new CommandParser().parse(wire).number()).isEqualTo(Long.MIN_VALUE);

        InventoryBook book = new InventoryBook(BookSettings.defaults());
        book.create("a", 5);

        assertThat(book.restock("a", Long.MIN_VALUE)).isEqualTo(Reply.error("INSUFFICIENT 5"));
        Sku a = book.sku("a");
        assertThat(new long[] {a.total(), a.available(), a.reserved(), a.sold()}).containsExactly(5, 5, 0, 0);
    }

    @Test
    void aRetentionOfLongMaxValueKeepsRequestIdsForeverInsteadOfOverflowing() {
        // BookSettings allows any non-negative retention; MAX_VALUE is the natural "forever"
        InventoryBook book = new InventoryBook(new BookSettings(Long.MAX_VALUE, 1_000, 1_000));
        book.advanceTo(1_700_000_000_000L); // store time is the leader's clock in epoch millis
        book.create("a", 2);

        assertThat(book.deduct("a", 1, "r1", null, -1)).isEqualTo(Reply.integer(1));
        assertThat(book.deduct("a", 1, "r1", null, -1)).as("the retry gets the first answer").isEqualTo(Reply.integer(1));
        assertThat(book.sku("a").sold()).as("and never deducts twice").isEqualTo(1);
        assertThat(book.rememberedRequestIds()).isEqualTo(1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }
}
