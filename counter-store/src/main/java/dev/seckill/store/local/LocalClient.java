package dev.seckill.store.local;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.pipeline.ReplySlot;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.server.StoreNode;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * A client for a node running in this JVM: commands go straight into the node's pipeline, with
 * no socket, no RESP encoding and no decoding on either side. What a command does and answers is
 * exactly what it does over RESP (the same parser, the same log, the same replies as
 * {@link Reply} values), and answers come only after the entry holding the command committed.
 * <p>
 * Shard commands ({@code INV.*}, {@code GET}, {@code INCR}, ...), {@code PING} and {@code INFO}
 * are served; other connection commands (HELLO, AUTH, CLIENT...) mean nothing in-process and
 * answer {@code -ERR unknown command}. No password is asked: the caller shares the process.
 * <p>
 * Thread-safe: any number of threads may send at once. Each future is completed on the node's
 * apply thread, so callers should wait on it ({@code get}) rather than chain work onto it.
 */
public final class LocalClient {
    private static final Reply CLOSING = Reply.error("TRYAGAIN the store is shutting down");

    private final StoreNode node;
    /** The parser keeps a small cache of ids it saw: one per sending thread, no locking. */
    private final ThreadLocal<CommandParser> parsers = ThreadLocal.withInitial(CommandParser::new);

    public LocalClient(StoreNode node) {
        this.node = node;
    }

    /** Sends {@code name arg...}, the words a client would send; text is sent as UTF-8. */
    public CompletableFuture<Reply> send(String... words) {
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return send(args);
    }

    /**
     * Sends one command, {@code args[0]} being its name. Bad input is answered at once (and never
     * reaches the log), as over RESP. The arrays must not be changed afterwards.
     */
    public CompletableFuture<Reply> send(byte[][] args) {
        if (args.length == 0) {
            return CompletableFuture.completedFuture(Reply.error("ERR empty command"));
        }
        if (node.closing()) {
            return CompletableFuture.completedFuture(CLOSING);
        }
        Op op = Op.byName(args[0]);
        if (op == null) {
            return CompletableFuture.completedFuture(connectionCommand(args));
        }
        Reply tooLarge = node.pipeline().refuseIfTooLarge(args);
        if (tooLarge != null) {
            return CompletableFuture.completedFuture(tooLarge);
        }
        Command command;
        try {
            command = parsers.get().parse(op, args);
        } catch (CommandException e) {
            return CompletableFuture.completedFuture(Reply.error(e.getMessage()));
        }
        PendingReply pending = new PendingReply();
        node.pipeline().submit(command, args, pending.slot);
        return pending;
    }

    private Reply connectionCommand(byte[][] args) {
        String name = CommandParser.text(args[0]).toUpperCase(Locale.ROOT);
        return switch (name) {
            case "PING" -> args.length == 1 ? Reply.PONG : new Reply.Bulk(args[1]);
            case "INFO" -> Reply.Bulk.of(node.info(args.length > 1 ? CommandParser.text(args[1]) : "default"));
            default -> Reply.error(CommandParser.unknownCommand(args));
        };
    }

    /** The future of one command, completed when the apply thread fills its slot. */
    private static final class PendingReply extends CompletableFuture<Reply> implements ReplySlot.ReplyTarget {
        final ReplySlot slot = new ReplySlot(this);

        @Override
        public void replyReady() {
            complete(slot.reply());
        }
    }
}
