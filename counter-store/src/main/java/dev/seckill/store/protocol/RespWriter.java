package dev.seckill.store.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a {@link Reply} as RESP2 or RESP3 into a buffer the caller owns, so a pipeline of
 * replies can share one buffer and one flush. Numbers are written digit by digit into the buffer
 * with no String in between, because a length or an integer is part of nearly every reply.
 * Status and error text is written as ISO-8859-1, the charset the rest of the store uses to turn
 * client bytes into text, so a key echoed in a message comes back byte for byte; a CR or LF in it
 * becomes a space, as in Redis, so that the text can never end the line early.
 */
public final class RespWriter {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_RESP2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_RESP3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERBATIM_TXT = "txt:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY_RESP2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_MIN = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private RespWriter() {
    }

    /**
     * Appends {@code reply} to {@code out}.
     *
     * @param protocol 2 or 3, as agreed with the client by HELLO
     */
    public static void write(Reply reply, ByteBuf out, int protocol) {
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("protocol must be 2 or 3: " + protocol);
        }
        writeReply(reply, out, protocol == 3);
    }

    /** The header of an array of {@code count} items, the same in RESP2 and RESP3; the items follow. */
    public static void writeArrayHeader(int count, ByteBuf out) {
        writeHeader('*', count, out);
    }

    /** The bytes of one reply; for tests and for replies kept to be sent again. */
    public static byte[] toBytes(Reply reply, int protocol) {
        ByteBuf buf = Unpooled.buffer();
        try {
            write(reply, buf, protocol);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static void writeReply(Reply reply, ByteBuf out, boolean resp3) {
        if (reply instanceof Reply.Status status) {
            writeLine('+', status.text(), out);
        } else if (reply instanceof Reply.Error error) {
            writeLine('-', error.text(), out);
        } else if (reply instanceof Reply.Int integer) {
            out.writeByte(':');
            writeLong(integer.value(), out);
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.Bulk bulk) {
            writeHeader('$', bulk.bytes().length, out);
            out.writeBytes(bulk.bytes());
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.Verbatim text) {
            if (resp3) {
                writeHeader('=', text.bytes().length + 4L, out);
                out.writeBytes(VERBATIM_TXT);
            } else {
                writeHeader('$', text.bytes().length, out);
            }
            out.writeBytes(text.bytes());
            out.writeBytes(CRLF);
        } else if (reply instanceof Reply.Null) {
            out.writeBytes(resp3 ? NULL_RESP3 : NULL_RESP2);
        } else if (reply instanceof Reply.NullArray) {
            out.writeBytes(resp3 ? NULL_RESP3 : NULL_ARRAY_RESP2);
        } else if (reply instanceof Reply.Array array) {
            writeHeader('*', array.items().size(), out);
            writeItems(array.items(), out, resp3);
        } else if (reply instanceof Reply.SetReply set) {
            writeHeader(resp3 ? '~' : '*', set.items().size(), out);
            writeItems(set.items(), out, resp3);
        } else if (reply instanceof Reply.MapReply map) {
            List<Reply> items = map.keysAndValues();
            if (items.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs a value for every key: " + items.size() + " items");
            }
            writeHeader(resp3 ? '%' : '*', resp3 ? items.size() / 2 : items.size(), out);
            writeItems(items, out, resp3);
        } else {
            throw new IllegalArgumentException("unknown reply: " + reply);
        }
    }

    private static void writeItems(List<Reply> items, ByteBuf out, boolean resp3) {
        for (Reply item : items) {
            writeReply(item, out, resp3);
        }
    }

    private static void writeHeader(char type, long count, ByteBuf out) {
        out.writeByte(type);
        writeLong(count, out);
        out.writeBytes(CRLF);
    }

    private static void writeLine(char type, String text, ByteBuf out) {
        int length = text.length();
        out.ensureWritable(length + 3);
        out.writeByte(type);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.writeByte(c == '\r' || c == '\n' ? ' ' : c <= 0xff ? c : '?');
        }
        out.writeBytes(CRLF);
    }

    /** Decimal digits of {@code value}, written in place from the last one back. */
    static void writeLong(long value, ByteBuf out) {
        if (value == Long.MIN_VALUE) {
            out.writeBytes(LONG_MIN); // the one value whose magnitude does not fit in a long
            return;
        }
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        int digits = 1;
        for (long bound = 10; digits < 19 && value >= bound; bound *= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int start = out.writerIndex();
        for (int i = start + digits - 1; i >= start; i--) {
            out.setByte(i, '0' + (int) (value % 10));
            value /= 10;
        }
        out.writerIndex(start + digits);
    }
}
