package dev.seckill.service.http;

import dev.seckill.service.order.PlainPurchases;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service's HTTP port: a Netty server that answers plain purchases itself, on its event loop,
 * and relays every other request to Tomcat, which listens on a loopback port of its own
 * ({@link FrontedTomcatFactory}). A flash sale's load is nearly all purchases, nearly all of them
 * refused at once by the sold-out flag; on Tomcat each one cost a hand-off from its poller to a
 * worker thread and back and the servlet machinery (47 us of CPU on the project's box), here one
 * read and one write on the thread that owns the connection (perf/RESULTS.md, "Session 7").
 * A purchase that must wait for the store does not hold a thread: its answer is written when the
 * store's future completes, back on the connection's event loop.
 * <p>
 * One connection is one {@link FrontDoorConnection}; its relayed requests go over one connection
 * of its own to Tomcat, opened on first need, so keep-alive, ordering and streamed answers
 * (server-sent events) behave as they did with Tomcat listening itself.
 */
public final class FrontDoor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);

    private final PlainPurchases purchases;
    private final Settings settings;
    private EventLoopGroup loops;
    private Channel listener;
    private InetSocketAddress tomcat;
    private String contextPath = "";

    /**
     * @param threads        event loop threads (0: one per core)
     * @param idleTimeout    a kept-alive connection with no request for this long is closed
     * @param maxHeaderBytes the request line and the headers may be this long each (as Tomcat's limit)
     */
    public record Settings(int threads, Duration idleTimeout, int maxHeaderBytes) {
    }

    public FrontDoor(PlainPurchases purchases, Settings settings) {
        this.purchases = purchases;
        this.settings = settings;
    }

    /** Listens on {@code address:port} (port 0: any free one), relaying to Tomcat on {@code tomcatPort}. */
    public synchronized void open(InetAddress address, int port, int tomcatPort, String contextPath) {
        if (listener != null) {
            return;
        }
        this.tomcat = new InetSocketAddress(InetAddress.getLoopbackAddress(), tomcatPort);
        this.contextPath = contextPath == null ? "" : contextPath;
        int threads = settings.threads() > 0 ? settings.threads() : Runtime.getRuntime().availableProcessors();
        DefaultThreadFactory names = new DefaultThreadFactory("http-door");
        boolean epoll = Epoll.isAvailable();
        loops = epoll ? new EpollEventLoopGroup(threads, names) : new NioEventLoopGroup(threads, names);
        ServerBootstrap b = new ServerBootstrap().group(loops)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpServerCodec(settings.maxHeaderBytes(), settings.maxHeaderBytes(), 8192),
                                new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new FrontDoorConnection(FrontDoor.this));
                    }
                });
        InetSocketAddress at = address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port);
        try {
            listener = b.bind(at).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        LOG.info("HTTP front door on {} ({} event loop threads{}), Tomcat behind it on {}", listener.localAddress(),
                threads, epoll ? ", epoll" : "", tomcat);
    }

    /** The port it listens on, or -1 before {@link #open}. */
    public synchronized int port() {
        return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Takes no new connections; those open are served on (graceful shutdown). */
    public synchronized void stopAccepting() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    @Override
    public synchronized void close() {
        stopAccepting();
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            loops = null;
        }
        listener = null;
    }

    PlainPurchases purchases() {
        return purchases;
    }

    InetSocketAddress tomcat() {
        return tomcat;
    }

    String contextPath() {
        return contextPath;
    }

    /** The client channel type that goes with the event loops, for the connections to Tomcat. */
    Class<? extends Channel> clientChannelType() {
        return loops instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
