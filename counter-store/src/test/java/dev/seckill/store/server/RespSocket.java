package dev.seckill.store.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bare RESP client on a {@link Socket}: it sends exactly the bytes a test gives it and reads
 * replies into plain Java values, so tests can see the wire itself (a RESP3 map, a closed
 * connection) and send what no client library would.
 *
 * <p>Replies: {@code +OK} and bulk strings as String, {@code -ERR x} as {@link Err}, integers as
 * Long, arrays as List, RESP3 maps as Map, nil as null.
 */
final class RespSocket implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 5_000;

    /** An error reply. */
    record Err(String line) {
        String code() {
            int space = line.indexOf(' ');
            return space < 0 ? line : line.substring(0, space);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** One command as a RESP array of bulk strings. */
    static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    void send(String... args) throws IOException {
        sendRaw(encode(args));
    }

    /** Exactly these bytes (ISO-8859-1), whatever they are. */
    void sendRaw(String bytes) throws IOException {
        sendRaw(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    /** The next reply; fails if none comes within five seconds. */
    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> new Err(line);
            case ':' -> Long.parseLong(line);
            case '_' -> null;
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(n + 2);
                yield new String(data, 0, n, StandardCharsets.ISO_8859_1);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                yield items;
            }
            case '%' -> {
                int n = Integer.parseInt(line);
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    m.put(read(), read());
                }
                yield m;
            }
            default -> throw new IOException("unexpected reply type '" + (char) type + "' " + line);
        };
    }

    /**
     * True once the server has closed this connection (end of stream or reset); anything still
     * unread is skipped. False if the connection stays open for {@code waitMs}.
     */
    boolean closedByServer(int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            byte[] buf = new byte[4096];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by peer
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(READ_TIMEOUT_MS);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("the server closed the connection mid-reply");
            }
            b.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("CR without LF in a reply line");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
