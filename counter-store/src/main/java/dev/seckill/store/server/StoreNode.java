package dev.seckill.store.server;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.protocol.RespDecoder;
import dev.seckill.store.replication.InFlightBatches;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.replication.ShardStateMachine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One running counter-store node: the RESP server, the pipeline and its Raft group, wired in the
 * order data flows. {@link #start} returns once the node serves; {@link #close} drains what was
 * accepted before it stops (so a SIGTERM loses no answer that was on its way).
 */
public final class StoreNode implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    /** The Redis version whose commands and answers this store follows: what HELLO and INFO tell clients. */
    static final String REDIS_VERSION = "7.2.0";
    private static final Logger LOG = LoggerFactory.getLogger(StoreNode.class);

    private final StoreConfig config;
    private final ClientStats clients = new ClientStats();
    private final ShardGroup group;
    private final CommandPipeline pipeline;
    private final ScheduledExecutorService ticker;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    /** Open client connections (closed ones leave by themselves). */
    private final ChannelGroup clientChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final int port;
    private volatile boolean closed;

    private StoreNode(StoreConfig config) throws IOException, InterruptedException {
        this.config = config;
        Files.createDirectories(config.dataDir());
        InFlightBatches inFlight = new InFlightBatches();
        ShardStateMachine stateMachine = new ShardStateMachine(config.book(), inFlight, config.peers().size() > 1);
        this.group = new ShardGroup(new ShardGroup.Settings(config.dataDir(), config.nodeId(), config.peers(),
                config.raftPort(), config.snapshotEvery(), config.raftBind(), config.raftTls(),
                config.raftInsecurePlaintext()), stateMachine, inFlight);
        group.start();
        this.pipeline = new CommandPipeline(group, System::currentTimeMillis, config.pipeline());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "expiry-ticker");
            t.setDaemon(true);
            return t;
        });
        // expiry needs the clock in the log even when nobody buys: the leader stamps it when a
        // pending reservation's TTL has run out
        ticker.scheduleAtFixedRate(this::tick, config.tickMillis(), config.tickMillis(), TimeUnit.MILLISECONDS);

        boolean epoll = Epoll.isAvailable();
        this.boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        // Netty's default is two I/O threads per core; -Dstore.ioThreads=N sets another count
        int io = Integer.getInteger("store.ioThreads", 0);
        this.workers = epoll ? new EpollEventLoopGroup(io) : new NioEventLoopGroup(io);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clientChannels.add(ch);
                        ch.pipeline().addLast(new RespDecoder(config.limits()), new RespCommandHandler(StoreNode.this));
                    }
                });
        this.serverChannel = b.bind(new InetSocketAddress(config.bindHost(), config.port())).sync().channel();
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Starts a node and waits (up to 30 s) until its group has a leader. */
    public static StoreNode start(StoreConfig config) throws IOException, InterruptedException {
        StoreNode node = new StoreNode(config);
        if (!node.group.awaitLeader(30_000)) {
            LOG.warn("no leader yet; serving anyway, writes answer TRYAGAIN until one is elected");
        }
        LOG.info("counter-store {} node {} serving RESP on {}:{} (data in {}, group of {})", VERSION,
                config.nodeId(), config.bindHost(), node.port, config.dataDir().toAbsolutePath(), node.group.groupSize());
        return node;
    }

    private void tick() {
        try {
            ShardStateMachine.ShardStats st = group.stateMachine().stats();
            // a tick is a log entry (and an fsync on every node): only when an expiry is due, not
            // ten times a second for as long as any reservation with a TTL is pending
            if (!closed && group.isLeader() && st.expiringReservations() > 0
                    && st.nextExpiryAt() <= System.currentTimeMillis()) {
                pipeline.tick();
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry tick failed", e);
        }
    }

    public int port() {
        return port;
    }

    /** True once {@link #close} began: connections (and in-process clients) stop taking commands. */
    public boolean closing() {
        return closed;
    }

    /** Waits until every I/O thread has run the tasks queued before this call. */
    private void awaitIoThreads() {
        for (EventExecutor loop : workers) {
            loop.submit(() -> { }).awaitUninterruptibly(2_000);
        }
    }

    public ShardGroup group() {
        return group;
    }

    /** Where validated shard commands go; connections and in-process clients submit here. */
    public CommandPipeline pipeline() {
        return pipeline;
    }

    /** The text {@code INFO section} answers (sections as in Redis: server, stats, replication...). */
    public String info(String section) {
        return InfoReport.render(this, section);
    }

    ClientStats clients() {
        return clients;
    }

    String password() {
        return config.requirePass();
    }

    Path dataDir() {
        return config.dataDir().toAbsolutePath();
    }

    BookSettings bookSettings() {
        return config.book();
    }

    /** The most bytes one MULTI ... EXEC may hold: what one log entry holds (the pipeline's batch bound). */
    int maxTransactionBytes() {
        return config.pipeline().maxBatchBytes();
    }

    /** The most commands one MULTI ... EXEC may hold: as many as one log entry holds. */
    int maxTransactionCommands() {
        return config.pipeline().maxBatchCommands();
    }

    /** What CONFIG GET answers. */
    Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("port", Integer.toString(port));
        m.put("appendonly", "yes");
        m.put("appendfsync", "always");
        m.put("save", "");
        m.put("databases", "1");
        m.put("dir", dataDir().toString());
        m.put("proto-max-bulk-len", Integer.toString(config.limits().maxBulkBytes()));
        m.put("max-command-bytes", Integer.toString(config.pipeline().maxCommandBytes()));
        return m;
    }

    /** Stops taking connections, answers what was accepted, then stops the log. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // from now on connections take no new command (see RespCommandHandler)
        ticker.shutdownNow();
        serverChannel.close().awaitUninterruptibly();
        // a read that was under way when closing began has handed its commands to the pipeline
        // once every I/O thread has run one more task: after that the pipeline gets nothing new
        awaitIoThreads();
        try {
            if (!pipeline.drain(10_000)) {
                LOG.warn("pipeline did not drain within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the answers the log gave are queued as tasks on the I/O threads: let them be written,
        // then close every connection gently (FIN after the answers, see ClientConnection)
        awaitIoThreads();
        for (Channel ch : clientChannels) {
            RespCommandHandler handler = ch.pipeline().get(RespCommandHandler.class);
            if (handler != null) {
                handler.closeAfterReplies(ch);
            }
        }
        clientChannels.newCloseFuture().awaitUninterruptibly(ClientConnection.LINGER_MILLIS + 1_000);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        pipeline.close();
        try {
            group.close();
        } catch (IOException e) {
            LOG.warn("closing the raft server", e);
        }
        LOG.info("counter-store node {} stopped", config.nodeId());
    }
}
