package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;

/** Decimal and hexadecimal numbers as ASCII, written straight into a buffer (no String on the way). */
final class AsciiDigits {
    private AsciiDigits() {
    }

    /** How many decimal digits {@code value} (not negative) has. */
    static int length(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    /** Appends the decimal digits of {@code value} (not negative). */
    static void put(ByteBuffer out, long value) {
        int n = length(value);
        int at = out.position();
        for (int i = at + n - 1; i >= at; i--) {
            out.put(i, (byte) ('0' + value % 10));
            value /= 10;
        }
        out.position(at + n);
    }
}
