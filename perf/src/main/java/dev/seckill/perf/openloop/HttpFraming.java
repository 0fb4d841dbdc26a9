package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds where one complete HTTP/1.x response ends in received bytes and returns its status code.
 * The body's end comes from {@code Content-Length} or from a {@code Transfer-Encoding: chunked}
 * body (its chunks and trailers); 1xx, 204 and 304 have none. A response that ends only when the
 * server closes the connection cannot be framed on a kept-alive one and is refused.
 *
 * <p>Parses again from the response's first byte each time more bytes came: responses here are a
 * few hundred bytes, so keeping partial state would cost more code than it saves. Remembers
 * whether the last response closes its connection ({@code Connection: close}, or HTTP/1.0
 * without {@code keep-alive}), as Tomcat's does after its 100th request on one connection.
 */
public final class HttpFraming implements AnswerFraming {
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] CONNECTION = bytes("connection");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[] CLOSE = bytes("close");
    private static final byte[] KEEP_ALIVE = bytes("keep-alive");
    private static final byte[] HTTP_1 = bytes("HTTP/1.");

    private boolean closes;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The status code (100-599), or {@link #INCOMPLETE}: see {@link AnswerFraming#next}. */
    @Override
    public int next(ByteBuffer in) {
        int at = in.position();
        while (true) {
            int status = frame(in, at);
            if (status == INCOMPLETE) {
                in.position(at);
                return INCOMPLETE;
            }
            if (status >= 200) {
                return status;
            }
            at = in.position(); // an interim 1xx: the real answer follows
        }
    }

    @Override
    public boolean closesConnection() {
        return closes;
    }

    /** Frames one response at {@code at}; on success the position is past it. */
    private int frame(ByteBuffer in, int at) {
        int statusLineEnd = lineEnd(in, at);
        if (statusLineEnd < 0) {
            return INCOMPLETE;
        }
        // "HTTP/1.1 201 Created": the version, one space, three digits
        if (statusLineEnd - at < 12 || !startsWith(in, at, HTTP_1) || in.get(at + 8) != ' ') {
            throw new IllegalStateException("not an HTTP/1.x status line: " + text(in, at, statusLineEnd));
        }
        boolean http10 = in.get(at + 7) == '0';
        int status = digits(in, at + 9, at + 12);
        if (status < 100 || status > 599) {
            throw new IllegalStateException("not an HTTP status: " + text(in, at, statusLineEnd));
        }
        long contentLength = -1;
        boolean chunked = false;
        boolean close = http10;
        int line = statusLineEnd + 2;
        while (true) {
            int end = lineEnd(in, line);
            if (end < 0) {
                return INCOMPLETE;
            }
            if (end == line) {
                break; // the empty line after the headers
            }
            int colon = indexOf(in, line, end, (byte) ':');
            if (colon < 0) {
                throw new IllegalStateException("not an HTTP header: " + text(in, line, end));
            }
            if (isName(in, line, colon, CONTENT_LENGTH)) {
                contentLength = decimal(in, colon + 1, end);
            } else if (isName(in, line, colon, TRANSFER_ENCODING)) {
                chunked = contains(in, colon + 1, end, CHUNKED);
            } else if (isName(in, line, colon, CONNECTION)) {
                close = contains(in, colon + 1, end, CLOSE) || (http10 && !contains(in, colon + 1, end, KEEP_ALIVE));
            }
            line = end + 2;
        }
        int bodyStart = line + 2;
        long end;
        if (status < 200 || status == 204 || status == 304) {
            end = bodyStart;
        } else if (chunked) {
            end = chunkedEnd(in, bodyStart);
        } else if (contentLength >= 0) {
            end = bodyStart + contentLength;
            if (end > in.limit()) {
                return INCOMPLETE;
            }
        } else {
            throw new IllegalStateException("a " + status + " answer with neither Content-Length nor a chunked body:"
                    + " its end cannot be found on a kept-alive connection");
        }
        if (end < 0) {
            return INCOMPLETE;
        }
        closes = close;
        in.position((int) end);
        return status;
    }

    /** Where a chunked body starting at {@code at} ends (after its trailers), or -1 if not all here. */
    private static long chunkedEnd(ByteBuffer in, int at) {
        while (true) {
            int sizeEnd = lineEnd(in, at);
            if (sizeEnd < 0) {
                return -1;
            }
            long size = hexadecimal(in, at, sizeEnd);
            if (size == 0) {
                int trailer = sizeEnd + 2; // trailer lines, then an empty line
                while (true) {
                    int end = lineEnd(in, trailer);
                    if (end < 0) {
                        return -1;
                    }
                    if (end == trailer) {
                        return end + 2;
                    }
                    trailer = end + 2;
                }
            }
            long dataEnd = sizeEnd + 2 + size;
            if (dataEnd + 2 > in.limit()) {
                return -1;
            }
            if (in.get((int) dataEnd) != '\r' || in.get((int) dataEnd + 1) != '\n') {
                throw new IllegalStateException("a chunk not followed by CRLF");
            }
            at = (int) dataEnd + 2;
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

    private static int indexOf(ByteBuffer in, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (in.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(ByteBuffer in, int at, byte[] prefix) {
        if (at + prefix.length > in.limit()) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (in.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the header name in [from, colon) is {@code name} (lower case), in any case. */
    private static boolean isName(ByteBuffer in, int from, int colon, byte[] name) {
        if (colon - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (lower(in.get(from + i)) != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether [from, to) holds {@code word} (lower case), in any case. */
    private static boolean contains(ByteBuffer in, int from, int to, byte[] word) {
        for (int i = from; i + word.length <= to; i++) {
            int j = 0;
            while (j < word.length && lower(in.get(i + j)) == word[j]) {
                j++;
            }
            if (j == word.length) {
                return true;
            }
        }
        return false;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    private static int digits(ByteBuffer in, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            byte b = in.get(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /** A header value's decimal number, blanks around it allowed. */
    private static long decimal(ByteBuffer in, int from, int to) {
        long value = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = in.get(i);
            if (b >= '0' && b <= '9' && value < Integer.MAX_VALUE) {
                value = value * 10 + (b - '0');
                n++;
            } else if (b != ' ' && b != '\t') {
                throw new IllegalStateException("not a Content-Length: " + text(in, from, to));
            }
        }
        if (n == 0 || value >= Integer.MAX_VALUE) {
            throw new IllegalStateException("not a Content-Length: " + text(in, from, to));
        }
        return value;
    }

    /** A chunk size line: hexadecimal digits, then maybe ";extensions". */
    private static long hexadecimal(ByteBuffer in, int from, int to) {
        long value = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = in.get(i);
            int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10
                    : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
            if (digit < 0) {
                if (b == ';' || b == ' ' || b == '\t') {
                    break;
                }
                throw new IllegalStateException("not a chunk size: " + text(in, from, to));
            }
            if (++n > 8) {
                throw new IllegalStateException("a chunk too large: " + text(in, from, to));
            }
            value = value * 16 + digit;
        }
        if (n == 0) {
            throw new IllegalStateException("not a chunk size: " + text(in, from, to));
        }
        return value;
    }

    private static String text(ByteBuffer in, int from, int to) {
        byte[] b = new byte[Math.min(to - from, 200)];
        for (int i = 0; i < b.length; i++) {
            b[i] = in.get(from + i);
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
