package dev.seckill.store.pipeline;

import dev.seckill.store.protocol.Reply;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The place of one command's answer in its connection's reply order. Filled once, by whoever
 * knows the answer first (the apply thread, or the pipeline when the log refused the batch);
 * the connection writes answers out strictly in slot order.
 */
public final class ReplySlot {
    private static final VarHandle REPLY;

    static {
        try {
            REPLY = MethodHandles.lookup().findVarHandle(ReplySlot.class, "reply", Reply.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReplyTarget target;
    /** The RESP version the client spoke when it sent the command: its answer is written in it. */
    private final byte protocol;
    @SuppressWarnings("unused") // accessed through REPLY
    private volatile Reply reply;

    public ReplySlot(ReplyTarget target) {
        this(target, 2);
    }

    public ReplySlot(ReplyTarget target, int protocol) {
        this.target = target;
        this.protocol = (byte) protocol;
    }

    public ReplySlot(ReplyTarget target, Reply ready, int protocol) {
        this.target = target;
        this.protocol = (byte) protocol;
        this.reply = ready;
    }

    /** Sets the answer if none was set yet and tells the connection; later answers are ignored. */
    public void complete(Reply answer) {
        if (REPLY.compareAndSet(this, null, answer)) {
            target.replyReady();
        }
    }

    public Reply reply() {
        return reply;
    }

    /** 2 or 3: the protocol the answer is written in, the one of the moment the command arrived. */
    public int protocol() {
        return protocol;
    }

    /** Where a slot's answer goes: a client connection. */
    public interface ReplyTarget {
        /** Called on any thread after a slot was filled; the target drains in order on its own thread. */
        void replyReady();
    }
}
