package dev.seckill.store.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One reply exactly as it came off the wire (RESP2 or RESP3), with its raw bytes and its parts:
 * what the differential test compares byte for byte, and looks into where a value is the
 * server's own (an id, a clock, a port).
 *
 * @param raw   every byte of the reply, nested replies included
 * @param type  the type byte: + - : $ * % ~ _ , # ( = >
 * @param line  the header or simple line, after the type byte
 * @param bulk  the payload of a bulk string or verbatim string, else null
 * @param items the nested replies of an aggregate (a map's keys and values alternate), else empty
 */
record WireReply(byte[] raw, char type, String line, byte[] bulk, List<WireReply> items) {

    /** Reads one whole reply, or fails if the stream ends first. */
    static WireReply read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        return read(in, raw);
    }

    private static WireReply read(InputStream in, ByteArrayOutputStream raw) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the connection closed before a reply");
        }
        ByteArrayOutputStream own = new ByteArrayOutputStream();
        own.write(type);
        String line = line(in, own);
        byte[] bulk = null;
        List<WireReply> items = new ArrayList<>();
        switch (type) {
            case '+', '-', ':', '_', ',', '#', '(' -> { }
            case '$', '=' -> {
                int n = Integer.parseInt(line);
                if (n >= 0) {
                    bulk = in.readNBytes(n);
                    byte[] crlf = in.readNBytes(2);
                    if (bulk.length != n || crlf.length != 2) {
                        throw new EOFException("the connection closed inside a bulk string");
                    }
                    own.writeBytes(bulk);
                    own.writeBytes(crlf);
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < n; i++) {
                    WireReply item = read(in, own);
                    items.add(item);
                }
            }
            case '%' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < 2 * n; i++) {
                    items.add(read(in, own));
                }
            }
            default -> throw new IOException("unknown reply type '" + (char) type + "'");
        }
        byte[] bytes = own.toByteArray();
        raw.writeBytes(bytes);
        return new WireReply(bytes, (char) type, line, bulk, List.copyOf(items));
    }

    private static String line(InputStream in, ByteArrayOutputStream own) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("the connection closed inside a reply line");
            }
            b.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("CR without LF");
        }
        own.writeBytes(b.toByteArray());
        own.write('\r');
        own.write('\n');
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    boolean isError() {
        return type == '-';
    }

    boolean isAggregate() {
        return type == '*' || type == '%' || type == '~' || type == '>';
    }

    /** The text of a bulk or simple string. */
    String text() {
        return bulk != null ? new String(bulk, StandardCharsets.ISO_8859_1) : line;
    }

    /** The raw bytes as readable text: CR and LF shown as \r and \n, other control bytes as \xNN. */
    String shown() {
        return show(raw);
    }

    static String show(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\\') {
                b.append("\\\\");
            } else if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
