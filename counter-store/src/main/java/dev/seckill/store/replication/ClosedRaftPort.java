package dev.seckill.store.replication;

import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Raft port of a group of one: Ratis needs it to exist, but nobody has a reason to call it
 * (this process submits its entries in-process), so every call on every service (server, admin,
 * client) is refused before Ratis sees it. The port listens on loopback as well; this is the
 * second reason nothing from outside the process gets in.
 */
final class ClosedRaftPort implements GrpcServices.Customizer, ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(ClosedRaftPort.class);
    /** At most one log line per this many nanoseconds, however many calls come. */
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    @Override
    public NettyServerBuilder customize(NettyServerBuilder builder, EnumSet<GrpcServices.Type> types) {
        return builder.intercept(this);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
            LOG.warn("refused a call to {} from {}: the Raft port of a group of one takes no calls ({} refused since start)",
                    call.getMethodDescriptor().getFullMethodName(),
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), n);
        }
        call.close(Status.PERMISSION_DENIED.withDescription(
                "this counter-store is a group of one: its Raft port takes no calls"), new Metadata());
        return new ServerCall.Listener<>() { };
    }

    /** Calls refused since start. */
    long refused() {
        return refused.get();
    }
}
