package dev.seckill.store.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One answer to one command, independent of the wire version: {@link RespWriter} turns it into
 * RESP2 or RESP3 bytes for the connection that asked. Replies are immutable, so the common ones
 * are shared constants and a reply remembered for a request id can be sent again as it was.
 */
public sealed interface Reply {

    Reply OK = new Status("OK");
    Reply PONG = new Status("PONG");
    Reply NULL = new Null();
    Reply NULL_ARRAY = new NullArray();
    Reply EMPTY_ARRAY = new Array(List.of());

    /** {@code +text}: a status line. */
    record Status(String text) implements Reply {}

    /** {@code -CODE message}: the text starts with the error code, as Redis does. */
    record Error(String text) implements Reply {
        public String code() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }
    }

    /** {@code :n}: a signed 64-bit integer. */
    record Int(long value) implements Reply {}

    /** {@code $len bytes}: a binary-safe string. */
    record Bulk(byte[] bytes) implements Reply {
        public static Bulk of(String latin1) {
            return new Bulk(latin1.getBytes(StandardCharsets.ISO_8859_1));
        }

        public String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** A text for people ({@code =n txt:...} in RESP3, a bulk string in RESP2), as INFO answers. */
    record Verbatim(byte[] bytes) implements Reply {
        public static Verbatim of(String latin1) {
            return new Verbatim(latin1.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** {@code *n}: an ordered list. */
    record Array(List<Reply> items) implements Reply {}

    /** A set: {@code ~n} in RESP3, an array in RESP2. */
    record SetReply(List<Reply> items) implements Reply {}

    /** A map: {@code %n} in RESP3, a flat array of key, value, key, value in RESP2. */
    record MapReply(List<Reply> keysAndValues) implements Reply {}

    /** The absent value: {@code _} in RESP3, {@code $-1} in RESP2. */
    record Null() implements Reply {}

    /** The absent array (EXEC after a watched key changed): {@code _} in RESP3, {@code *-1} in RESP2. */
    record NullArray() implements Reply {}

    static Reply error(String text) {
        return new Error(text);
    }

    static Reply integer(long value) {
        return new Int(value);
    }

    static Reply bulk(String latin1) {
        return Bulk.of(latin1);
    }
}
