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
        node.clients().commandReceived();
        Op op = Op.byName(args[0]);
        if (op == null) {
            String name = CommandParser.text(args[0]).toUpperCase(Locale.ROOT);
            if (!conn.authenticated && !ConnectionCommands.allowedBeforeAuth(name)) {
                conn.answer(NOAUTH);
            } else {
                ConnectionCommands.execute(node, conn, name, args);
            }
            return;
        }
        if (!conn.authenticated) {
            conn.answer(NOAUTH);
            return;
        }
        Reply tooLarge = node.pipeline().refuseIfTooLarge(args); // more than one log entry may hold
        if (tooLarge != null) {
            node.clients().rejectedInput();
            conn.answer(tooLarge);
            return;
        }
        Command command;
        try {
            command = parser.parse(op, args); // bad input is answered here and never reaches the log
        } catch (CommandException e) {
            node.clients().rejectedInput();
            conn.answer(Reply.error(e.getMessage()));
            return;
        }
        node.pipeline().submit(command, args, conn.awaitReply());
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
