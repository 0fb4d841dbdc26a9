package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One command as RESP, written again and again into a send buffer: the words given on the command
 * line, with every {@value #ID} replaced by a fresh request id (a prefix and a sequence number),
 * so each {@code INV.RESERVE} is a new reservation rather than a retry answered from memory.
 */
public final class RequestTemplate {
    /** The word replaced by a fresh id in each request. */
    public static final String ID = "__id__";

    private final byte[][] words;
    private final boolean[] isId;
    private final byte[] idPrefix;
    private final byte[] digits = new byte[20];

    public RequestTemplate(List<String> command, String idPrefix) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        this.words = new byte[command.size()][];
        this.isId = new boolean[command.size()];
        for (int i = 0; i < command.size(); i++) {
            isId[i] = command.get(i).equals(ID);
            words[i] = command.get(i).getBytes(StandardCharsets.UTF_8);
        }
        this.idPrefix = idPrefix.getBytes(StandardCharsets.UTF_8);
    }

    /** The most bytes one request takes (ids up to 19 digits). */
    public int maxBytes() {
        int n = 16;
        for (int i = 0; i < words.length; i++) {
            n += 16 + (isId[i] ? idPrefix.length + 20 : words[i].length);
        }
        return n;
    }

    /** Appends the request with request id number {@code id} (not negative). */
    public void write(ByteBuffer out, long id) {
        out.put((byte) '*');
        putDecimal(out, words.length);
        for (int i = 0; i < words.length; i++) {
            out.put((byte) '$');
            if (isId[i]) {
                putDecimal(out, idPrefix.length + decimalLength(id));
                int n = toDigits(id); // after the length: both use the digits buffer
                out.put(idPrefix).put(digits, digits.length - n, n);
            } else {
                putDecimal(out, words[i].length);
                out.put(words[i]);
            }
            out.put((byte) '\r').put((byte) '\n');
        }
    }

    private void putDecimal(ByteBuffer out, long value) {
        int n = toDigits(value);
        out.put(digits, digits.length - n, n).put((byte) '\r').put((byte) '\n');
    }

    private static int decimalLength(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    /** Writes the digits of {@code value} at the end of {@link #digits}; returns how many. */
    private int toDigits(long value) {
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value > 0);
        return digits.length - i;
    }
}
