package dev.seckill.store.server;

import dev.seckill.store.pipeline.ReplySlot;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's session and its replies in order. Commands that go through the log are answered
 * later and on another thread; commands answered at once (PING, errors of form) may not overtake
 * them, so every answer takes a place in the queue and the queue is written out from the head as
 * far as answers are ready. All methods but {@link #replyReady()} run on the channel's event loop.
 */
final class ClientConnection implements ReplySlot.ReplyTarget {
    /** How long a closing connection waits for the client to close its side. */
    static final long LINGER_MILLIS = 1_000;
    private final long id;
    private final Channel channel;
    private final ArrayDeque<ReplySlot> queue = new ArrayDeque<>();
    /** The slots whose answer the connection turns into what the client is sent (WATCH, EXEC), in queue order. */
    private final ArrayDeque<Finishing> finishing = new ArrayDeque<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private ByteBuf out;
    private boolean closeWhenWritten;
    private boolean lingering;
    /** The protocol of commands arriving now; each answer is written in the one its command arrived in. */
    int protocol = 2;
    boolean authenticated;
    String name;
    String libName;
    String libVersion;
    /** MULTI and WATCH state, made by the first of them (most connections never need it); or null. */
    Transaction transaction;

    ClientConnection(long id, Channel channel, boolean authenticated) {
        this.id = id;
        this.channel = channel;
        this.authenticated = authenticated;
    }

    long id() {
        return id;
    }

    Channel channel() {
        return channel;
    }

    /** A place for an answer that comes later. */
    ReplySlot awaitReply() {
        ReplySlot slot = new ReplySlot(this, protocol);
        queue.addLast(slot);
        return slot;
    }

    /**
     * A place for an answer that comes later and that {@code finisher} writes, in its turn, on this
     * connection's thread (it may change the connection's state, and write something else).
     */
    ReplySlot awaitReply(Finisher finisher) {
        ReplySlot slot = awaitReply();
        finishing.addLast(new Finishing(slot, finisher));
        return slot;
    }

    /** Turns an answer from the log into what the client is sent; see {@link #awaitReply(Finisher)}. */
    interface Finisher {
        void finish(Reply fromLog, int protocol);
    }

    private record Finishing(ReplySlot slot, Finisher finisher) {}

    /** An answer known now; written when every earlier answer was. */
    void answer(Reply reply) {
        if (queue.isEmpty()) {
            write(reply, protocol);
        } else {
            queue.addLast(new ReplySlot(this, reply, protocol));
        }
    }


    /**
     * Closes the connection once every answer queued so far is written (QUIT, protocol errors,
     * shutdown); commands read after this are not run.
     */
    void closeAfterReplies() {
        closeWhenWritten = true;
        if (queue.isEmpty()) {
            flush();
        }
    }

    /** True once {@link #closeAfterReplies} was asked: the connection takes no more commands. */
    boolean closingAfterReplies() {
        return closeWhenWritten;
    }

    @Override
    public void replyReady() {
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drainTask);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        ReplySlot head;
        while ((head = queue.peekFirst()) != null && head.reply() != null) {
            queue.pollFirst();
            Finishing f = finishing.peekFirst();
            if (f != null && f.slot() == head) {
                finishing.pollFirst();
                f.finisher().finish(head.reply(), head.protocol());
            } else {
                write(head.reply(), head.protocol());
            }
        }
        flush();
    }

    /** Writes an answer now, in {@code protocol}; only in the connection's turn (see {@link #answer}). */
    void write(Reply reply, int protocol) {
        RespWriter.write(reply, buffer(), protocol);
    }

    /** Writes the header of an array whose items follow (EXEC writes each item in its own protocol). */
    void writeArrayHeader(int items) {
        RespWriter.writeArrayHeader(items, buffer());
    }

    private ByteBuf buffer() {
        if (out == null) {
            out = channel.alloc().ioBuffer(256);
        }
        return out;
    }

    /** Sends what was written; called at the end of a read and after each drain. */
    void flush() {
        if (out != null) {
            ByteBuf buf = out;
            out = null;
            if (channel.isActive()) {
                var future = channel.writeAndFlush(buf);
                if (closeWhenWritten && queue.isEmpty()) {
                    future.addListener(f -> closeGently());
                }
            } else {
                buf.release();
            }
        } else if (closeWhenWritten && queue.isEmpty()) {
            // after whatever earlier flushes still have to write
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> closeGently());
        }
    }

    /**
     * Sends FIN after the last answer, then keeps reading (and ignoring) what the client still
     * sends until it closes too, or {@value #LINGER_MILLIS} ms passed. Closing a socket that has
     * unread input makes the kernel reset the connection, which can destroy answers still on
     * their way to the client, and a pipelining client nearly always has more input on the way.
     */
    private void closeGently() {
        if (lingering) {
            return;
        }
        lingering = true;
        if (channel instanceof DuplexChannel duplex && channel.isActive()) {
            duplex.shutdownOutput();
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    /** Frees what a closed connection still held. */
    void closed() {
        if (out != null) {
            out.release();
            out = null;
        }
        queue.clear();
        finishing.clear();
        if (transaction != null) {
            transaction.closed();
        }
    }
}
