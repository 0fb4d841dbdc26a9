package dev.seckill.service.http;

import dev.seckill.service.order.PlainPurchases;
import dev.seckill.service.sale.Sale;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the {@link FrontDoor}. Requests are answered one at a time, in order
 * (HTTP/1.1): a request that arrives while the one before is still being answered waits here
 * (pipelining), so an answer from Tomcat never overtakes one from the door or the other way round.
 * <p>
 * A request is either a plain purchase of a sale this instance holds (its body gathered, then
 * {@link PlainPurchases#buy}), or relayed: sent as it comes, body streamed, to this connection's
 * own connection to Tomcat, whose answer streams back the same way. A purchase body that turns out
 * not to be plain is relayed too, whole.
 */
final class FrontDoorConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoorConnection.class);
    /** Requests waiting behind the one being answered; past this the socket is not read until they drain. */
    private static final int MAX_WAITING = 64;
    private static final long LINGER_MILLIS = 2000;

    private final FrontDoor door;
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    /** Answered with a close: reading only to drop what comes, until the connection is closed. */
    private boolean draining;
    private ChannelHandlerContext ctx;

    // the request being received
    private HttpRequest request;
    /** Its path, without the query. */
    private String path;
    private boolean receiving;
    private boolean keepAlive;
    private Sale sale;
    private byte[] body;
    private int bodyLength;

    // the request being answered (received whole, or relayed and still streaming in)
    private boolean answering;
    /** The answer comes from Tomcat, and has it come whole. */
    private boolean relaying;
    private boolean tomcatAnswered;

    // the connection to Tomcat
    private Channel tomcat;
    private boolean tomcatConnected;
    private final ArrayDeque<HttpObject> toTomcat = new ArrayDeque<>();
    /** Connecting failed: this connection answered 502 and is closing. */
    private boolean tomcatUnreachable;
    private boolean closeAfterAnswer;

    FrontDoorConnection(FrontDoor door) {
        this.door = door;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (draining) {
            ReferenceCountUtil.release(msg); // answered and closing: the rest is not read
            return;
        }
        if ((answering && !receiving) || !waiting.isEmpty()) {
            waiting.add(http);
            if (waiting.size() > MAX_WAITING) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        take(http);
    }

    /** Takes the next part of a request: its start, a piece of its body, its end. */
    private void take(HttpObject http) {
        if (http instanceof HttpRequest r) {
            begin(r);
        }
        if (http instanceof HttpContent content) {
            if (!receiving) {
                content.release(); // the rest of a request already refused
                return;
            }
            if (content.decoderResult().isFailure()) {
                content.release();
                ctx.close();
                return;
            }
            boolean last = content instanceof LastHttpContent;
            if (sale != null) {
                gather(content);
            } else {
                toTomcat(content);
            }
            if (last) {
                receiving = false;
                if (sale != null) {
                    buy();
                } else if (tomcatAnswered) {
                    done(); // Tomcat answered before the body was all in (a refusal)
                }
            }
        }
    }

    private void begin(HttpRequest r) {
        if (r.decoderResult().isFailure()) {
            // a request line or headers this side cannot read (too long, malformed): as Tomcat does
            receiving = false;
            answering = true;
            keepAlive = false;
            answer(HttpResponseStatus.BAD_REQUEST, null, null, null, new byte[0]);
            return;
        }
        request = r;
        receiving = true;
        answering = true;
        keepAlive = HttpUtil.isKeepAlive(r);
        String uri = r.uri();
        int query = uri.indexOf('?');
        path = query < 0 ? uri : uri.substring(0, query);
        sale = plainPurchase(r, path);
        if (sale != null) {
            body = new byte[(int) HttpUtil.getContentLength(r, 0L)];
            bodyLength = 0;
        } else {
            toTomcat(r);
        }
    }

    /** The sale of a purchase this door answers itself, else null. */
    private Sale plainPurchase(HttpRequest r, String path) {
        HttpHeaders h = r.headers();
        String saleId = PlainPurchases.saleIdOf(r.method().name(), path, door.contextPath(),
                h.get(HttpHeaderNames.CONTENT_TYPE), h.get(HttpHeaderNames.ACCEPT),
                h.getAll("Idempotency-Key").size());
        if (saleId == null || h.contains(HttpHeaderNames.EXPECT) || h.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || !HttpUtil.isContentLengthSet(r)) {
            return null;
        }
        return door.purchases().knownSale(saleId, path, door.contextPath(), h.get(HttpHeaderNames.AUTHORIZATION),
                HttpUtil.getContentLength(r, -1L));
    }

    private void gather(HttpContent content) {
        try {
            int n = content.content().readableBytes();
            if (bodyLength + n > body.length) {
                ctx.close(); // more than Content-Length: the codec would not let this happen
                return;
            }
            content.content().readBytes(body, bodyLength, n);
            bodyLength += n;
        } finally {
            content.release();
        }
    }

    private void buy() {
        HttpRequest r = request;
        CompletableFuture<PlainPurchases.Answer> answer = door.purchases().buy(sale, path,
                r.headers().get("Idempotency-Key"), body, ctx.channel().eventLoop());
        if (answer == null) {
            // not a plainly valid body: Spring reads it and words the refusal
            sale = null;
            toTomcat(r);
            toTomcat(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body, 0, bodyLength)));
            return;
        }
        answer.whenComplete((a, failure) -> {
            if (ctx.executor().inEventLoop()) {
                answered(a, failure);
            } else {
                ctx.executor().execute(() -> answered(a, failure));
            }
        });
    }

    private void answered(PlainPurchases.Answer a, Throwable failure) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (failure != null) {
            LOG.error("a purchase's answer could not be made", failure);
            keepAlive = false;
            answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, null, null, null, new byte[0]);
            return;
        }
        answer(HttpResponseStatus.valueOf(a.status()), a.contentType(), a.location(), a.retryAfterSeconds(), a.body());
    }

    /** Writes an answer made here, then takes the requests that waited for it. */
    private void answer(HttpResponseStatus status, String contentType, String location, Long retryAfter, byte[] bytes) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        HttpHeaders h = res.headers();
        // the names as Tomcat writes them, so answers from either side look alike
        if (location != null) {
            h.set("Location", location);
        }
        if (retryAfter != null) {
            h.set("Retry-After", retryAfter);
        }
        if (contentType != null) {
            h.set("Content-Type", contentType);
        }
        h.setInt("Content-Length", bytes.length);
        h.set("Date", HttpDate.now());
        if (!keepAlive) {
            h.set("Connection", "close");
        } else if (request != null && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            h.set("Connection", "keep-alive");
        }
        boolean close = !keepAlive;
        if (close) {
            closeAfter(ctx.writeAndFlush(res));
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        if (!close) {
            done();
        }
    }

    /**
     * Closes once {@code written} is out, the way Tomcat does ("lingering close"): the sending side
     * first, then whatever the client still sends (the rest of a refused body) is read and dropped
     * for up to {@link #LINGER_MILLIS}. Closing at once with unread bytes makes the kernel reset
     * the connection, and a reset can destroy the answer before the client has read it.
     */
    private void closeAfter(ChannelFuture written) {
        written.addListener((ChannelFutureListener) f -> {
            Channel ch = f.channel();
            if (!f.isSuccess() || !(ch instanceof DuplexChannel duplex)) {
                ch.close();
                return;
            }
            draining = true;
            waiting.forEach(ReferenceCountUtil::release);
            waiting.clear();
            duplex.shutdownOutput();
            ch.config().setAutoRead(true);
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** The answer went out: the next request may be taken. */
    private void done() {
        answering = false;
        relaying = false;
        tomcatAnswered = false;
        closeAfterAnswer = false;
        sale = null;
        body = null;
        request = null;
        path = null;
        while (!waiting.isEmpty() && !(answering && !receiving)) {
            take(waiting.poll());
        }
        if (waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ---- the relay to Tomcat ---------------------------------------------------------------

    private void toTomcat(HttpObject http) {
        relaying = true;
        if (tomcatUnreachable) {
            ReferenceCountUtil.release(http);
            return;
        }
        if (tomcat == null) {
            connectTomcat();
        }
        if (!tomcatConnected) {
            toTomcat.add(http);
            return;
        }
        tomcat.write(http);
        if (http instanceof LastHttpContent) {
            tomcat.flush();
        } else if (!tomcat.isWritable()) {
            // a body coming faster than Tomcat takes it: stop reading the client until it has
            tomcat.flush();
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void connectTomcat() {
        Channel front = ctx.channel();
        Bootstrap b = new Bootstrap().group(front.eventLoop()).channel(door.clientChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new FromTomcat());
                    }
                });
        tomcat = b.connect(door.tomcat()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                LOG.warn("the front door could not reach Tomcat at {}: {}", door.tomcat(), f.cause().toString());
                releaseToTomcat();
                tomcat = null;
                tomcatUnreachable = true;
                if (answering && front.isActive()) {
                    keepAlive = false;
                    answer(HttpResponseStatus.BAD_GATEWAY, null, null, null, new byte[0]);
                }
                return;
            }
            if (!front.isActive()) {
                f.channel().close();
                return;
            }
            tomcatConnected = true;
            while (!toTomcat.isEmpty()) {
                f.channel().write(toTomcat.poll());
            }
            f.channel().flush();
        }).channel();
    }

    private void releaseToTomcat() {
        while (!toTomcat.isEmpty()) {
            ReferenceCountUtil.release(toTomcat.poll());
        }
    }

    /** Tomcat's answers, streamed back to the client as they come. */
    private final class FromTomcat extends ChannelInboundHandlerAdapter {
        private boolean interim;

        @Override
        public void channelRead(ChannelHandlerContext tc, Object msg) {
            if (!ctx.channel().isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse res) {
                interim = res.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                if (!interim && (!keepAlive || !HttpUtil.isKeepAlive(res))) {
                    closeAfterAnswer = true;
                }
            }
            ctx.write(msg);
            if (msg instanceof LastHttpContent && !interim) {
                tomcatAnswered = true;
                ctx.flush();
                if (closeAfterAnswer) {
                    closeAfter(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
                } else if (!receiving) {
                    done();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext tc) {
            ctx.flush(); // streamed answers (server-sent events) go out as they come
            if (!ctx.channel().isWritable()) {
                tc.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext tc) {
            if (tc.channel() == tomcat) {
                tomcat = null;
                tomcatConnected = false;
                releaseToTomcat();
            }
            if (relaying && !tomcatAnswered) {
                ctx.close(); // Tomcat went away in the middle of an answer: the client must know
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext tc) {
            if (tc.channel().isWritable() && waiting.size() <= MAX_WAITING) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext tc, Throwable cause) {
            LOG.debug("the connection to Tomcat failed", cause);
            tc.close();
        }
    }

    // ---- the client connection -------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && tomcat != null) {
            tomcat.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !answering && !receiving) {
            ctx.close(); // kept alive with nothing asked for a long time
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        while (!waiting.isEmpty()) {
            ReferenceCountUtil.release(waiting.poll());
        }
        releaseToTomcat();
        if (tomcat != null) {
            tomcat.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("a front door connection failed", cause);
        ctx.close();
    }

    /** The Date header, made once a second. */
    static final class HttpDate {
        private static volatile long second;
        private static volatile String text = "";

        static String now() {
            long s = System.currentTimeMillis() / 1000;
            if (s != second) {
                text = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
                second = s;
            }
            return text;
        }

        private HttpDate() {
        }
    }
}
