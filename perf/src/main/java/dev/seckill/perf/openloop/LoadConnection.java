package dev.seckill.perf.openloop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One connection of the load generator: the sender fills {@link #out} and flushes it without
 * ever blocking (what the socket does not take now stays for the next turn), and notes each
 * request's intended time in {@link #inFlight} first; the reader drains the answers.
 *
 * <p>A server may close a kept-alive HTTP connection after an answer (Tomcat does after 100
 * requests): the reader then {@linkplain #reopen reopens} it, while the connection is its own
 * (answered, not yet handed back to the sender), so the two threads never use a channel at once.
 */
public final class LoadConnection {
    private final InetSocketAddress address;
    SocketChannel channel;
    final InFlight inFlight;
    final ByteBuffer out;
    final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final int requestBytes;

    public LoadConnection(InetSocketAddress address, int maxInFlight, int requestBytes) throws IOException {
        this.address = address;
        this.channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        this.inFlight = new InFlight(maxInFlight);
        this.requestBytes = requestBytes;
        this.out = ByteBuffer.allocateDirect(Math.max(maxInFlight == 1 ? 4 * 1024 : 64 * 1024, requestBytes * 64));
    }

    /** The send buffer the sender writes requests into. */
    public ByteBuffer out() {
        return out;
    }

    /** Sender: the next request queued is meant for {@code intendedNanos}; call before writing it. */
    public void noteIntended(long intendedNanos) {
        inFlight.add(intendedNanos);
    }

    /** Whether one more request may be queued now: room in flight and in the send buffer. */
    public boolean canTake() {
        return inFlight.hasRoom() && out.remaining() >= requestBytes;
    }

    /** Writes what the socket takes now; true when nothing is left to send. */
    public boolean flush() throws IOException {
        if (out.position() == 0) {
            return true;
        }
        out.flip();
        channel.write(out);
        out.compact();
        return out.position() == 0;
    }

    public int unanswered() {
        return inFlight.size();
    }

    /**
     * Reader: closes the channel and starts connecting a new one to the same address, registered
     * with {@code selector} (for {@code OP_CONNECT}, or {@code OP_READ} if already connected).
     * Only for a connection with nothing in flight (its answer read, so its request was all sent).
     *
     * @return true if the new channel is connected already (loopback often is)
     */
    boolean reopen(Selector selector) throws IOException {
        if (inFlight.size() != 0) {
            throw new IllegalStateException("reopening a connection that is in use");
        }
        channel.close();
        in.clear();
        channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        boolean connected = channel.connect(address);
        channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
        return connected;
    }

    public void close() throws IOException {
        channel.close();
    }
}
