package dev.seckill.store.protocol;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The bytes each reply becomes, in RESP2 and in RESP3. */
class RespWriterTest {

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void simpleRepliesAreTheSameInBothProtocols(int protocol) {
        assertThat(wire(Reply.OK, protocol)).isEqualTo("+OK\r\n");
        assertThat(wire(Reply.PONG, protocol)).isEqualTo("+PONG\r\n");
        assertThat(wire(Reply.error("ERR unknown command 'FOO'"), protocol)).isEqualTo("-ERR unknown command 'FOO'\r\n");
        assertThat(wire(Reply.integer(42), protocol)).isEqualTo(":42\r\n");
        assertThat(wire(Reply.bulk("hello"), protocol)).isEqualTo("$5\r\nhello\r\n");
        assertThat(wire(Reply.bulk(""), protocol)).isEqualTo("$0\r\n\r\n");
        assertThat(wire(Reply.EMPTY_ARRAY, protocol)).isEqualTo("*0\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0, :0",
        "7, :7",
        "-1, :-1",
        "10, :10",
        "-10, :-10",
        "999999999, :999999999",
        "1000000000000, :1000000000000",
        "999999999999999999, :999999999999999999",
        "1000000000000000000, :1000000000000000000",
        "9223372036854775807, :9223372036854775807",
        "-9223372036854775807, :-9223372036854775807",
        "-9223372036854775808, :-9223372036854775808"})
    void integersAreWrittenInDecimalAtEveryMagnitude(long value, String expected) {
        assertThat(wire(Reply.integer(value), 2)).isEqualTo(expected + "\r\n");
        assertThat(wire(Reply.integer(value), 3)).isEqualTo(expected + "\r\n");
    }

    @Test
    void everyPowerOfTenAndItsNeighboursMatchesLongToString() {
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
            for (long v : new long[] {p - 1, p, p + 1, -p + 1, -p, -p - 1}) {
                assertThat(wire(Reply.integer(v), 2)).isEqualTo(":" + v + "\r\n");
            }
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
    }

    @Test
    void nullIsANullBulkInResp2AndTheNullTypeInResp3() {
        assertThat(wire(Reply.NULL, 2)).isEqualTo("$-1\r\n");
        assertThat(wire(Reply.NULL, 3)).isEqualTo("_\r\n");
    }

    @Test
    void bulksAreBinarySafeAndLengthIsInBytes() {
        byte[] value = {'a', '\r', '\n', 0, (byte) 0xff};

        byte[] written = RespWriter.toBytes(new Reply.Bulk(value), 2);

        assertThat(written).isEqualTo(concat("$5\r\n".getBytes(ISO_8859_1), value, "\r\n".getBytes(ISO_8859_1)));
    }

    @Test
    void arraysHoldAnyReplyIncludingNullsAndNestedArrays() {
        Reply reply = new Reply.Array(List.of(
                Reply.integer(1),
                Reply.NULL,
                new Reply.Array(List.of(Reply.bulk("a"), Reply.EMPTY_ARRAY, new Reply.Array(List.of(Reply.OK)))),
                Reply.error("ERR x")));

        assertThat(wire(reply, 2)).isEqualTo("*4\r\n:1\r\n$-1\r\n*3\r\n$1\r\na\r\n*0\r\n*1\r\n+OK\r\n-ERR x\r\n");
        assertThat(wire(reply, 3)).isEqualTo("*4\r\n:1\r\n_\r\n*3\r\n$1\r\na\r\n*0\r\n*1\r\n+OK\r\n-ERR x\r\n");
    }

    @Test
    void aMapIsAFlatArrayInResp2AndAMapOfPairsInResp3() {
        Reply map = new Reply.MapReply(List.of(
                Reply.bulk("stock"), Reply.integer(97),
                Reply.bulk("held"), Reply.NULL));

        assertThat(wire(map, 2)).isEqualTo("*4\r\n$5\r\nstock\r\n:97\r\n$4\r\nheld\r\n$-1\r\n");
        assertThat(wire(map, 3)).isEqualTo("%2\r\n$5\r\nstock\r\n:97\r\n$4\r\nheld\r\n_\r\n");
    }

    @Test
    void mapsNestInsideArraysAndMaps() {
        Reply inner = new Reply.MapReply(List.of(Reply.bulk("k"), Reply.integer(1)));
        Reply reply = new Reply.Array(List.of(inner, new Reply.MapReply(List.of(Reply.bulk("m"), inner)),
                new Reply.MapReply(List.of())));

        assertThat(wire(reply, 2)).isEqualTo("*3\r\n*2\r\n$1\r\nk\r\n:1\r\n*2\r\n$1\r\nm\r\n*2\r\n$1\r\nk\r\n:1\r\n*0\r\n");
        assertThat(wire(reply, 3)).isEqualTo("*3\r\n%1\r\n$1\r\nk\r\n:1\r\n%1\r\n$1\r\nm\r\n%1\r\n$1\r\nk\r\n:1\r\n%0\r\n");
    }

    @Test
    void statusAndErrorTextCannotEndTheirLineEarly() {
        assertThat(wire(new Reply.Status("two\r\nlines"), 2)).isEqualTo("+two  lines\r\n");
        assertThat(wire(Reply.error("ERR bad\nkey"), 3)).isEqualTo("-ERR bad key\r\n");
    }

    @Test
    void statusTextIsLatin1LikeTheKeysItEchoes() {
        String key = new String(new byte[] {'k', (byte) 0xe9, (byte) 0xff}, ISO_8859_1);

        byte[] written = RespWriter.toBytes(Reply.error("ERR no such key " + key), 2);

        assertThat(written).isEqualTo(concat("-ERR no such key k".getBytes(ISO_8859_1), new byte[] {(byte) 0xe9, (byte) 0xff, '\r', '\n'}));
        assertThat(wire(new Reply.Status("\u20ac"), 2)).isEqualTo("+?\r\n");
    }

    @Test
    void writeAppendsToWhatIsAlreadyInTheBuffer() {
        ByteBuf out = Unpooled.buffer(4);
        try {
            RespWriter.write(Reply.OK, out, 2);
            RespWriter.write(Reply.integer(-12345), out, 2);
            RespWriter.write(Reply.NULL, out, 3);

            assertThat(out.toString(ISO_8859_1)).isEqualTo("+OK\r\n:-12345\r\n_\r\n");
        } finally {
            out.release();
        }
    }

    @Test
    void rejectsUnknownProtocolsAndMapsWithAKeyWithoutValue() {
        assertThatThrownBy(() -> RespWriter.toBytes(Reply.OK, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RespWriter.toBytes(Reply.OK, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RespWriter.toBytes(new Reply.MapReply(List.of(Reply.bulk("k"))), 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String wire(Reply reply, int protocol) {
        return new String(RespWriter.toBytes(reply, protocol), ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf buf = Unpooled.buffer();
        for (byte[] part : parts) {
            buf.writeBytes(part);
        }
        byte[] all = new byte[buf.readableBytes()];
        buf.readBytes(all);
        buf.release();
        return all;
    }
}
