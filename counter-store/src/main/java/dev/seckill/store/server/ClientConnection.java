package dev.seckill.store.server;

import dev.seckill.store.pipeline.ReplySlot;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's session and its replies in order. Commands that go through the log are answered
 * later and on another thread; commands answered at once (PING, errors of form) may not overtake
 * them, so every answer takes a place in the queue and the queue is written out from the head as
 * far as answers are ready. All methods but {@link #replyReady()} run on the channel's event loop.
 */
final class ClientConnection implements ReplySlot.ReplyTarget {
    private final long id;
    private final Channel channel;
    private final ArrayDeque<ReplySlot> queue = new ArrayDeque<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private ByteBuf out;
    private boolean closeWhenWritten;
    int protocol = 2;
    boolean authenticated;
    String name;
    String libName;
    String libVersion;

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
        ReplySlot slot = new ReplySlot(this);
        queue.addLast(slot);
        return slot;
    }

    /** An answer known now; written when every earlier answer was. */
    void answer(Reply reply) {
        if (queue.isEmpty()) {
            write(reply);
        } else {
            queue.addLast(new ReplySlot(this, reply));
        }
    }

    /** Closes the connection once every answer queued so far is written (QUIT, protocol errors). */
    void closeAfterReplies() {
        closeWhenWritten = true;
        if (queue.isEmpty()) {
            flush();
        }
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
            write(head.reply());
        }
        flush();
    }

    private void write(Reply reply) {
        if (out == null) {
            out = channel.alloc().ioBuffer(256);
        }
        RespWriter.write(reply, out, protocol);
    }

    /** Sends what was written; called at the end of a read and after each drain. */
    void flush() {
        if (out != null) {
            ByteBuf buf = out;
            out = null;
            if (channel.isActive()) {
                var future = channel.writeAndFlush(buf);
                if (closeWhenWritten && queue.isEmpty()) {
                    future.addListener(ChannelFutureListener.CLOSE);
                }
            } else {
                buf.release();
            }
        } else if (closeWhenWritten && queue.isEmpty()) {
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
    }
}
