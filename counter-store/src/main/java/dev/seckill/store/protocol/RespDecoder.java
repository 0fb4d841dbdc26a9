package dev.seckill.store.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns what a client sends into commands, each emitted as {@code byte[][]} (the command name
 * first, every argument as sent), or into one {@link ProtocolError} after which the rest of the
 * connection's input is dropped.
 *
 * <p>Both request forms Redis accepts are read: arrays of bulk strings (every client library,
 * redis-cli, redis-benchmark) and inline lines (telnet). The parse is incremental: a bulk is
 * taken out of the cumulation buffer as soon as it is complete and the decoder remembers how
 * many arguments of the current array it has, so a big command arriving in many reads is never
 * scanned again from its start; only a header line that is still incomplete is read again, and
 * that is a dozen bytes at most, because a length is checked against its limit digit by digit.
 * Nothing is allocated for a claimed size before the bytes are there: a bulk is copied into its
 * one {@code byte[]} once it has fully arrived, and the argument table grows as arguments do.
 *
 * <p>Not sharable: it holds the state of one connection.
 */
public final class RespDecoder extends ByteToMessageDecoder {

    private static final long INCOMPLETE = Long.MIN_VALUE;
    private static final long INVALID = Long.MIN_VALUE + 1;
    /** The argument table starts at most this large and doubles, so "*65536" alone costs little. */
    private static final int INITIAL_ARGS = 64;

    private final ProtocolLimits limits;

    /** Arguments of the array being read, or null between commands. */
    private byte[][] args;
    private int argCount;
    private int argsDone;
    /** Length from the header of the bulk being waited for, or -1 if its header is not read yet. */
    private int bulkLength = -1;
    /** Bytes of an unfinished inline line already searched for its newline. */
    private int inlineScanned;
    /** Index just past the line that {@link #parseLength} read last. */
    private int lineEnd;
    private boolean failed;

    public RespDecoder() {
        this(ProtocolLimits.defaults());
    }

    public RespDecoder(ProtocolLimits limits) {
        this.limits = limits;
    }

    /**
     * Decodes at most one command per call; {@link ByteToMessageDecoder} calls again while this
     * one consumed bytes or emitted something.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        Object message;
        if (args != null) {
            message = readArguments(in);
        } else if (in.getByte(in.readerIndex()) == '*') {
            message = readArrayHeader(in);
        } else {
            message = readInline(in);
        }
        if (message != null) {
            out.add(message);
        }
    }

    private Object readArrayHeader(ByteBuf in) {
        long count = parseLength(in, in.readerIndex() + 1, true, limits.maxArgs());
        if (count == INCOMPLETE) {
            return null;
        }
        if (count == INVALID) {
            return fail(in, "Protocol error: invalid multibulk length");
        }
        in.readerIndex(lineEnd);
        if (count <= 0) {
            return null; // "*0" and "*-1" are no command, as in Redis
        }
        argCount = (int) count;
        argsDone = 0;
        args = new byte[Math.min(argCount, INITIAL_ARGS)][];
        return readArguments(in);
    }

    private Object readArguments(ByteBuf in) {
        while (argsDone < argCount) {
            if (!in.isReadable()) {
                return null;
            }
            if (bulkLength < 0) {
                int start = in.readerIndex();
                byte marker = in.getByte(start);
                if (marker != '$') {
                    return fail(in, "Protocol error: expected '$', got '" + shown(marker) + "'");
                }
                long length = parseLength(in, start + 1, false, limits.maxBulkBytes());
                if (length == INCOMPLETE) {
                    return null;
                }
                if (length == INVALID) {
                    return fail(in, "Protocol error: invalid bulk length");
                }
                in.readerIndex(lineEnd);
                bulkLength = (int) length;
            }
            if (in.readableBytes() < (long) bulkLength + 2) {
                return null;
            }
            int end = in.readerIndex() + bulkLength;
            if (in.getByte(end) != '\r' || in.getByte(end + 1) != '\n') {
                return fail(in, "Protocol error: expected CRLF after bulk string");
            }
            byte[] arg = new byte[bulkLength];
            in.readBytes(arg);
            in.skipBytes(2);
            bulkLength = -1;
            if (argsDone == args.length) {
                args = Arrays.copyOf(args, (int) Math.min((long) args.length * 2, argCount));
            }
            args[argsDone++] = arg;
        }
        byte[][] command = args;
        args = null;
        return command;
    }

    /**
     * Reads {@code <digits>\r\n} starting at {@code from}, as Redis does: no sign but an optional
     * '-' where allowed, no leading zeros, nothing but CRLF after the digits. Gives up as soon as
     * the value passes {@code max}, so a huge claim fails before its line is even complete.
     *
     * @return the value (and sets {@link #lineEnd}), {@link #INCOMPLETE} or {@link #INVALID}
     */
    private long parseLength(ByteBuf in, int from, boolean allowNegative, long max) {
        int end = in.writerIndex();
        int i = from;
        boolean negative = allowNegative && i < end && in.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long limit = negative ? Integer.MAX_VALUE : max;
        long value = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte b = in.getByte(i);
            if (b >= '0' && b <= '9') {
                if (digits > 0 && value == 0) {
                    return INVALID; // leading zero
                }
                value = value * 10 + (b - '0');
                digits++;
                if (value > limit) {
                    return INVALID;
                }
            } else if (b == '\r') {
                if (digits == 0 || (negative && value == 0)) {
                    return INVALID;
                }
                if (i + 1 == end) {
                    return INCOMPLETE;
                }
                if (in.getByte(i + 1) != '\n') {
                    return INVALID;
                }
                lineEnd = i + 2;
                return negative ? -value : value;
            } else {
                return INVALID;
            }
        }
        return INCOMPLETE;
    }

    private Object readInline(ByteBuf in) {
        int start = in.readerIndex();
        int newline = in.indexOf(start + inlineScanned, in.writerIndex(), (byte) '\n');
        if (newline < 0) {
            inlineScanned = in.readableBytes();
            // one more byte than the limit may be the '\r' of a line that is just long enough
            if (inlineScanned > limits.maxInlineBytes() + 1) {
                return fail(in, "Protocol error: too big inline request");
            }
            return null;
        }
        inlineScanned = 0;
        int contentEnd = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
        if (contentEnd - start > limits.maxInlineBytes()) {
            return fail(in, "Protocol error: too big inline request");
        }
        List<byte[]> words = splitInline(in, start, contentEnd);
        if (words == null) {
            return fail(in, "Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(newline + 1);
        return words.isEmpty() ? null : words.toArray(new byte[0][]);
    }

    /**
     * Splits on spaces and tabs; a word starting with '"' runs to the next unescaped '"' and may
     * hold blanks, {@code \"} and {@code \\}. Returns null for an unclosed quote or a closing
     * quote followed by something other than a blank, as Redis's sdssplitargs does.
     */
    private static List<byte[]> splitInline(ByteBuf in, int from, int to) {
        List<byte[]> words = new ArrayList<>();
        int i = from;
        while (true) {
            while (i < to && isBlank(in.getByte(i))) {
                i++;
            }
            if (i == to) {
                return words;
            }
            if (in.getByte(i) == '"') {
                ByteArrayOutputStream word = new ByteArrayOutputStream();
                boolean closed = false;
                for (i++; i < to && !closed; i++) {
                    byte b = in.getByte(i);
                    if (b == '\\' && i + 1 < to && (in.getByte(i + 1) == '"' || in.getByte(i + 1) == '\\')) {
                        word.write(in.getByte(++i));
                    } else if (b == '"') {
                        closed = true;
                    } else {
                        word.write(b);
                    }
                }
                if (!closed || (i < to && !isBlank(in.getByte(i)))) {
                    return null;
                }
                words.add(word.toByteArray());
            } else {
                int start = i;
                while (i < to && !isBlank(in.getByte(i))) {
                    i++;
                }
                byte[] word = new byte[i - start];
                in.getBytes(start, word);
                words.add(word);
            }
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private ProtocolError fail(ByteBuf in, String message) {
        failed = true;
        args = null;
        in.skipBytes(in.readableBytes());
        return new ProtocolError(message);
    }

    /** The offending byte as Redis shows it, escaped if printing it could break the reply line. */
    private static String shown(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
