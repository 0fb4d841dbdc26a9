package dev.seckill.store.replication;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a whole log entry into commands with the parser the I/O threads use, or says why it
 * cannot: the answer depends on the entry's bytes alone, so every replica decides the same. An
 * entry is read completely before any of it is applied, so an unreadable one is never half
 * applied. One reader per thread (it keeps the commands of the last entry it read).
 */
final class EntryReader implements LogEntryFormat.Visitor {
    private final CommandParser parser = new CommandParser();
    private Command[] commands = new Command[64];
    private int count;
    private long time;
    private String fault;

    /**
     * Reads {@code entry}; returns null when every command parsed (then {@link #time},
     * {@link #count} and {@link #command} describe it), else what makes it unreadable.
     */
    String read(byte[] entry) {
        String malformed = LogEntryFormat.malformation(ByteBuffer.wrap(entry));
        return malformed != null ? malformed : parse(entry);
    }

    /** {@link #read} of an entry whose structure {@link LogEntryFormat#malformation} found sound. */
    String parse(byte[] wellFormed) {
        Arrays.fill(commands, 0, count, null);
        count = 0;
        fault = null;
        LogEntryFormat.read(wellFormed, this);
        return fault;
    }

    long time() {
        return time;
    }

    int count() {
        return count;
    }

    Command command(int i) {
        return commands[i];
    }

    @Override
    public void time(long leaderTime) {
        time = leaderTime;
    }

    @Override
    public void command(int index, Op op, byte[][] args) {
        if (fault != null) {
            return;
        }
        try {
            Command c = parser.parse(op, args);
            if (count == commands.length) {
                commands = Arrays.copyOf(commands, count * 2);
            }
            commands[count++] = c;
        } catch (CommandException e) {
            fault = "command " + index + " (" + op.wireName() + ") does not parse: " + e.getMessage();
        } catch (RuntimeException e) {
            // a parser bug must not stop the apply thread; it is as deterministic as a refusal
            fault = "command " + index + " (" + op.wireName() + ") broke the parser: " + e;
        }
    }
}
