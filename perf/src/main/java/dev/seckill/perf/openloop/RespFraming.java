package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;

/**
 * Finds where one complete RESP2 reply ends in received bytes, without building it: the load
 * generator only needs to know that an answer arrived and whether it was an error. Handles
 * {@code + - :} lines, bulk strings ({@code $n}, nil {@code $-1}) and arrays of those.
 */
public final class RespFraming implements AnswerFraming {
    /** A complete reply that is not an error. */
    public static final int ANSWER = 0;
    /** A complete error reply ({@code -CODE ...}). */
    public static final int ERROR = 1;

    /** Stateless: one instance serves every reader. */
    public static final RespFraming RESP = new RespFraming();

    private RespFraming() {
    }

    /** {@link #ANSWER} or {@link #ERROR}, or {@link #INCOMPLETE}: see {@link AnswerFraming#next}. */
    @Override
    public int next(ByteBuffer in) {
        int start = in.position();
        int kind = skipReply(in, in.position());
        if (kind == INCOMPLETE) {
            in.position(start);
        }
        return kind;
    }

    private static int skipReply(ByteBuffer in, int at) {
        if (at >= in.limit()) {
            return INCOMPLETE;
        }
        byte type = in.get(at);
        int lineEnd = lineEnd(in, at + 1);
        if (lineEnd < 0) {
            return INCOMPLETE;
        }
        switch (type) {
            case '+', ':' -> {
                in.position(lineEnd + 2);
                return ANSWER;
            }
            case '-' -> {
                in.position(lineEnd + 2);
                return ERROR;
            }
            case '$' -> {
                long len = parseLong(in, at + 1, lineEnd);
                long end = len < 0 ? lineEnd + 2 : lineEnd + 2 + len + 2;
                if (end > in.limit()) {
                    return INCOMPLETE;
                }
                in.position((int) end);
                return ANSWER;
            }
            case '*' -> {
                long count = parseLong(in, at + 1, lineEnd);
                in.position(lineEnd + 2);
                for (long i = 0; i < count; i++) {
                    if (skipReply(in, in.position()) == INCOMPLETE) {
                        return INCOMPLETE;
                    }
                }
                return ANSWER;
            }
            default -> throw new IllegalStateException("not a RESP2 reply: type byte " + (type & 0xff));
        }
    }

    /** Index of the '\r' of the next "\r\n" from {@code from}, or -1 if the line is not complete. */
    private static int lineEnd(ByteBuffer in, int from) {
        for (int i = from; i + 1 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static long parseLong(ByteBuffer in, int from, int to) {
        boolean negative = in.get(from) == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            byte b = in.get(i);
            if (b < '0' || b > '9') {
                throw new IllegalStateException("not a RESP2 length: byte " + (b & 0xff));
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }
}
