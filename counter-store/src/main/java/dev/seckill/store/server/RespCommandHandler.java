package dev.seckill.store.server;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.protocol.ProtocolError;
import dev.seckill.store.protocol.Reply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Routes each decoded command: shard commands are validated here, on the I/O thread, and go into
 * the pipeline only if well formed (bad input is answered at once and never reaches the log);
 * connection commands are answered here. Everything keeps the order the client sent it in.
 */
final class RespCommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RespCommandHandler.class);
    private static final Reply NOAUTH = Reply.error("NOAUTH Authentication required.");

    private final StoreNode node;
    private final CommandParser parser = new CommandParser();
    private ClientConnection conn;

    RespCommandHandler(StoreNode node) {
        this.node = node;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        conn = new ClientConnection(node.clients().opened(), ctx.channel(), node.password() == null);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof byte[][]) {
            node.clients().commandReceived();
        }
        Transaction tx = conn.transaction;
        if (tx != null && tx.holding()) {
            tx.hold(msg); // an EXEC waits for WATCH versions: nothing may overtake it
            return;
        }
        handle(msg);
    }

    /** Runs one message read from the client (or held while an EXEC waited). */
    private void handle(Object msg) {
        if (node.closing() || conn.closingAfterReplies()) {
            // shutting down, or closing after QUIT or bad input: what was taken in before is
            // answered, then the connection closes; a command read now is not run (a shutdown
            // leaves no client with a command that was applied but never answered)
            conn.closeAfterReplies();
            return;
        }
        if (msg instanceof ProtocolError error) {
            conn.answer(Reply.error("ERR " + error.message()));
            conn.closeAfterReplies();
            return;
        }
        byte[][] args = (byte[][]) msg;
        Op op = Op.byName(args[0]);
        if (op == null) {
            String name = CommandParser.text(args[0]).toUpperCase(Locale.ROOT);
            if (!conn.authenticated && !ConnectionCommands.allowedBeforeAuth(name)) {
                conn.answer(NOAUTH);
            } else {
                connectionCommand(name, args);
            }
            return;
        }
        if (!conn.authenticated) {
            conn.answer(NOAUTH);
            return;
        }
        Transaction tx = conn.transaction;
        if (tx == null || !tx.queueing()) { // a transaction has a cap of its own, below this one
            Reply tooLarge = node.pipeline().refuseIfTooLarge(args); // more than one log entry may hold
            if (tooLarge != null) {
                node.clients().rejectedInput();
                conn.answer(tooLarge);
                return;
            }
        }
        Command command;
        try {
            command = parser.parse(op, args); // bad input is answered here and never reaches the log
        } catch (CommandException e) {
            node.clients().rejectedInput();
            if (tx != null && tx.queueing()) {
                tx.queueRefused(args, e);
            } else {
                conn.answer(Reply.error(e.getMessage()));
            }
            return;
        }
        if (tx != null && tx.queueing()) {
            tx.queue(command, args);
            return;
        }
        node.pipeline().submit(command, args, conn.awaitReply());
    }

    /**
     * A command that is not a shard command: refused as Redis refuses it (unknown, wrong arity),
     * a transaction command, queued inside MULTI, or run here.
     */
    private void connectionCommand(String name, byte[][] args) {
        String refusal = CommandTable.refusal(name, args);
        if (refusal != null) {
            node.clients().rejectedInput();
            if (name.equals("EXEC")) {
                transaction().execRefused(refusal);
            } else {
                if (conn.transaction != null) {
                    conn.transaction.refusedWhileQueueing();
                }
                conn.answer(Reply.error("ERR " + refusal));
            }
            return;
        }
        switch (name) {
            case "MULTI" -> transaction().multi();
            case "EXEC" -> transaction().exec(args);
            case "DISCARD" -> transaction().discard();
            case "WATCH" -> transaction().watch(args);
            default -> {
                Transaction tx = conn.transaction;
                if (tx != null && tx.queueing() && !name.equals("QUIT") && !name.equals("RESET")) {
                    tx.queueConnectionCommand(name, args);
                } else {
                    ConnectionCommands.execute(node, conn, name, args);
                }
            }
        }
    }

    private Transaction transaction() {
        if (conn.transaction == null) {
            conn.transaction = new Transaction(node, conn, parser, this::handle);
        }
        return conn.transaction;
    }

    /** Closes the connection once its answers are written; called from any thread at shutdown. */
    void closeAfterReplies(Channel channel) {
        channel.eventLoop().execute(() -> {
            if (conn != null) {
                conn.closeAfterReplies();
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        conn.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        node.clients().closed();
        conn.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("closing client {}: {}", conn == null ? "?" : conn.id(), cause.toString());
        ctx.close();
    }
}
