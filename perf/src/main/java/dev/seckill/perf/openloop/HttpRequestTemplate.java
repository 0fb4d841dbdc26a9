package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/1.1 request (keep-alive), with every {@value #ID} in the path, the header values and
 * the body replaced by a fresh id: for a purchase, a new buyer ({@code "userId":"u-__id__"}) with
 * an {@code Idempotency-Key} of its own. The {@code Host} and {@code Content-Length} headers are
 * written here (the length follows the id's digits); the caller gives the others.
 */
public final class HttpRequestTemplate implements RequestTemplate {
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The request line and headers up to the Content-Length value, split where an id goes. */
    private final byte[][] head;
    /** The body, split where an id goes. */
    private final byte[][] body;
    private final int bodyFixedBytes;
    private final byte[] idPrefix;

    /**
     * @param headers {@code "Name: value"} each; not {@code Host}, {@code Content-Length} or
     *                {@code Transfer-Encoding}, which are this template's
     */
    public HttpRequestTemplate(String method, String path, String host, List<String> headers, String body,
            String idPrefix) {
        if (!method.matches("[A-Z]+")) {
            throw new IllegalArgumentException("not an HTTP method: " + method);
        }
        if (!path.startsWith("/") || path.chars().anyMatch(ch -> ch <= ' ')) {
            throw new IllegalArgumentException("a path starts with / and holds no spaces or control characters: " + path);
        }
        StringBuilder text = new StringBuilder();
        text.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0 || header.chars().anyMatch(ch -> ch == '\r' || ch == '\n')) {
                throw new IllegalArgumentException("a header is one line, \"Name: value\": " + header);
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("content-length") || name.equals("transfer-encoding")) {
                throw new IllegalArgumentException("the template writes " + name + " itself");
            }
            text.append(header).append("\r\n");
        }
        this.head = split(text.toString());
        this.body = split(body);
        int fixed = 0;
        for (byte[] piece : this.body) {
            fixed += piece.length;
        }
        this.bodyFixedBytes = fixed;
        this.idPrefix = idPrefix.getBytes(StandardCharsets.UTF_8);
    }

    /** The text cut at each {@value #ID}: n ids give n + 1 pieces. */
    private static byte[][] split(String text) {
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = text.indexOf(ID, from)) >= 0) {
            pieces.add(text.substring(from, at).getBytes(StandardCharsets.UTF_8));
            from = at + ID.length();
        }
        pieces.add(text.substring(from).getBytes(StandardCharsets.UTF_8));
        return pieces.toArray(new byte[0][]);
    }

    @Override
    public int maxBytes() {
        int n = CONTENT_LENGTH.length + 20 + HEAD_END.length;
        for (byte[] piece : head) {
            n += piece.length + idPrefix.length + 20;
        }
        for (byte[] piece : body) {
            n += piece.length + idPrefix.length + 20;
        }
        return n;
    }

    @Override
    public void write(ByteBuffer out, long id) {
        putWithIds(out, head, id);
        out.put(CONTENT_LENGTH);
        AsciiDigits.put(out, bodyFixedBytes + (long) (body.length - 1) * (idPrefix.length + AsciiDigits.length(id)));
        out.put(HEAD_END);
        putWithIds(out, body, id);
    }

    private void putWithIds(ByteBuffer out, byte[][] pieces, long id) {
        out.put(pieces[0]);
        for (int i = 1; i < pieces.length; i++) {
            out.put(idPrefix);
            AsciiDigits.put(out, id);
            out.put(pieces[i]);
        }
    }
}
