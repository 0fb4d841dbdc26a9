package dev.seckill.store.pipeline;

import dev.seckill.store.command.Command;
import dev.seckill.store.protocol.Reply;

/**
 * The commands that travel in one log entry, and where each one's answer goes. The entry bytes
 * hold the commands; the slots stay in this process (only the node that wrote the entry has
 * clients waiting for it).
 */
public final class Batch {
    private final ReplySlot[] slots;
    private final Command[] commands;
    private final int size;

    Batch(ReplySlot[] slots, Command[] commands, int size) {
        this.slots = slots;
        this.commands = commands;
        this.size = size;
    }

    /**
     * Command {@code i} as the I/O thread parsed it. Parsing is a pure function of the bytes, so
     * the node that built the entry may apply these instead of parsing the entry again.
     */
    public Command command(int i) {
        return commands[i];
    }

    public int size() {
        return size;
    }

    /** Answers command {@code i} of this entry. */
    public void answer(int i, Reply reply) {
        ReplySlot slot = slots[i];
        if (slot != null) {
            slot.complete(reply);
        }
    }

    /** Answers every command that has no answer yet (the entry failed to commit). */
    public void fail(Reply reply) {
        for (int i = 0; i < size; i++) {
            answer(i, reply);
        }
    }
}
