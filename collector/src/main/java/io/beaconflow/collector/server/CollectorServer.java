package io.beaconflow.collector.server;

import io.beaconflow.collector.config.Cidr;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's HTTP server on Netty: codec, gzip/deflate request bodies, a body-size cap applied
 * after decompression (so a small gzip bomb is still capped), then {@link BeaconHandler}. Replies
 * to beacons are written from Kafka's acknowledgement callback, so an event-loop thread never waits
 * for Kafka.
 */
public final class CollectorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CollectorServer.class);

    private final CollectorConfig cfg;
    private final KafkaRecordSink sink;
    private final BeaconHandler.Shared shared;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private ChannelGroup connections;
    private boolean closed;

    public CollectorServer(
            CollectorConfig cfg, KafkaRecordSink sink, GeoIp geoIp, LongSupplier wallClock) {
        this.cfg = cfg;
        this.sink = sink;
        List<Cidr> proxies = new ArrayList<>();
        for (String p : cfg.trustedProxies) proxies.add(Cidr.parse(p));
        this.shared =
                new BeaconHandler.Shared(
                        cfg,
                        sink,
                        geoIp,
                        new ClientAddress(proxies),
                        new AppPolicy(cfg),
                        new RateLimiter(
                                cfg.rateLimit.requestsPerSecond,
                                cfg.rateLimit.burst,
                                cfg.rateLimit.maxClients,
                                System::nanoTime),
                        new CollectorMetrics(),
                        wallClock);
    }

    public CollectorMetrics metrics() {
        return shared.metrics;
    }

    /** Binds the listen address; returns the bound port (useful with port 0 in tests). */
    public int start() throws InterruptedException {
        String[] hp = cfg.hostPort("config");
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(cfg.ioThreads, NioIoHandler.newFactory());
        int maxBody = cfg.limits.maxBodyBytes;
        // stayClosed: a connection registered after the group was closed is closed at once.
        connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE, true);
        ChannelGroup group = connections;
        ServerBootstrap b =
                new ServerBootstrap()
                        .group(boss, workers)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        group.add(ch);
                                        ch.pipeline()
                                                // A client that stops mid-body must not hold
                                                // its buffer forever.
                                                .addLast(new ReadTimeoutHandler(30))
                                                .addLast(new HttpServerCodec(8192, 16384, 16384))
                                                .addLast(new HttpServerKeepAliveHandler())
                                                .addLast(new HttpContentDecompressor(0))
                                                .addLast(new CountingAggregator(maxBody, shared))
                                                .addLast(new BeaconHandler(shared));
                                    }
                                });
        serverChannel =
                b.bind(new InetSocketAddress(hp[0], Integer.parseInt(hp[1]))).sync().channel();
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("collector listening on {}:{}", hp[0], port);
        return port;
    }

    /**
     * Graceful stop: readiness turns false and every new beacon is answered 503 + Retry-After with
     * {@code Connection: close} (the SDK retries, a load balancer moves away); requests already
     * handed to Kafka are waited for up to {@code shutdown-grace}; then the producer is flushed and
     * the listening socket and all connections are closed. The socket stays open while draining on
     * purpose: a request that arrives then gets an answer, not a reset.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        shared.draining = true;
        long deadline = System.nanoTime() + cfg.shutdownGrace.toNanos();
        while (shared.inFlightRequests.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (shared.inFlightRequests.get() > 0) {
            LOG.warn(
                    "shutdown grace over with {} requests still waiting for Kafka",
                    shared.inFlightRequests.get());
        }
        sink.flush();
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            // The acceptor must be gone before connections are closed: a connection it accepted
            // just before the socket closed is registered with a worker afterwards.
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // Idle keep-alive connections: closed, so clients see the end instead of a silent socket.
        if (connections != null) connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** The aggregator's own 413 answer, counted like every other rejection. */
    static final class CountingAggregator extends HttpObjectAggregator {
        private final BeaconHandler.Shared shared;

        CountingAggregator(int max, BeaconHandler.Shared shared) {
            super(max);
            this.shared = shared;
        }

        @Override
        protected void handleOversizedMessage(
                ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized)
                throws Exception {
            shared.metrics.rejected(BeaconHandler.formatOf(oversized), 413, "payload_too_large");
            super.handleOversizedMessage(ctx, oversized);
        }
    }

    public static Duration healthInterval() {
        return Duration.ofSeconds(2);
    }
}
