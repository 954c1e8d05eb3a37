package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Front-end ↔ back-end correlation: the optional server-span source → {@link ServerSpanRouter}
 * (dead letters, late spans) → {@link FetchServerJoin} with the enriched browser fetches (keyed by
 * trace id) → per-fetch {@link FetchTiming} and, with the unmatched fetches, per-endpoint {@link
 * EndpointTiming} ({@link EndpointTimingAggregator}). Reads the browser events after ingest, so
 * nothing of it runs in the browser-event hot path; on the route of their view (a single-page app's
 * fetch is timed on the route it was made on, {@code ViewRouteAssigner}).
 */
public final class TraceJoinStage {
    private TraceJoinStage() {}

    /** What the stage produces. */
    public record Outputs(
            DataStream<FetchTiming> fetchTimings,
            DataStream<EndpointTiming> endpointTimings,
            DataStream<DeadLetter> deadLetters,
            DataStream<DeadLetter> lateSpans) {}

    /**
     * The source with watermarks on span start (bounded out-of-orderness and idleness of ingest).
     */
    public static DataStream<ServerSpanRecord> source(
            StreamExecutionEnvironment env,
            Source<ServerSpanRecord, ?, ?> source,
            BeaconflowConfig config,
            String name) {
        return env.fromSource(source, watermarks(config), name)
                .uid("source-server-spans-" + name)
                .name("source: server spans " + name);
    }

    /**
     * Accepted spans by their start, capped at the collector's receive time + max-future (the
     * decoder guarantees it; this holds for any source); dead letters get no timestamp and do not
     * move the watermark. Idleness matters: with no backend traffic the join still follows the
     * browser side's watermark.
     */
    static WatermarkStrategy<ServerSpanRecord> watermarks(BeaconflowConfig config) {
        long maxFuture = config.ingest.maxFuture.toMillis();
        Duration ooo = config.ingest.outOfOrderness;
        WatermarkStrategy<ServerSpanRecord> w =
                WatermarkStrategy.<ServerSpanRecord>forBoundedOutOfOrderness(ooo)
                        .withTimestampAssigner(
                                (r, ts) ->
                                        r.isAccepted()
                                                ? Math.min(
                                                        r.span.startMs,
                                                        r.span.receivedAt + maxFuture)
                                                : Long.MIN_VALUE);
        return config.ingest.idleness.isZero() ? w : w.withIdleness(config.ingest.idleness);
    }

    /**
     * The alerts with the slow-API verdict ({@link SlowApiAttribution}) on endpoint latency alerts;
     * every other alert unchanged.
     */
    public static DataStream<Alert> attributeAlerts(
            DataStream<Alert> alerts, DataStream<EndpointTiming> timings, BeaconflowConfig config) {
        return alerts.keyBy(SlowApiAttribution.alertKey())
                .connect(timings.keyBy(SlowApiAttribution.timingKey()))
                .process(
                        new SlowApiAttribution(
                                config.metrics.window,
                                closeDelay(config),
                                config.traces.attribution))
                .uid("trace-slow-api-attribution")
                .name("traces: slow-API alerts name the backend service");
    }

    /** How long after a window's end its endpoint timings are complete. */
    static Duration closeDelay(BeaconflowConfig config) {
        return config.traces.join.serverAfterFetch.plus(config.ingest.allowedLateness);
    }

    public static Outputs apply(
            DataStream<ServerSpanRecord> records,
            DataStream<RumEvent> events,
            BeaconflowConfig config) {
        TracesConfig cfg = config.traces;
        SingleOutputStreamOperator<ServerSpan> spans =
                records.process(new ServerSpanRouter(config.ingest.allowedLateness))
                        .uid("server-span-router")
                        .name("traces: route server-span dead letters and late spans");
        DataStream<RumEvent> fetches =
                events.filter(FetchServerJoin::joinable)
                        .uid("trace-joinable-fetches")
                        .name("traces: fetches with trace and span ids");
        SingleOutputStreamOperator<FetchTiming> joined =
                fetches.keyBy(e -> e.traceId)
                        .connect(spans.keyBy(s -> s.traceId))
                        .process(FetchServerJoin.of(cfg.join))
                        .uid("trace-fetch-server-join")
                        .name("traces: join fetches with server spans");
        Duration closeDelay = closeDelay(config);
        SingleOutputStreamOperator<EndpointTiming> perEndpoint =
                joined.union(joined.getSideOutput(FetchServerJoin.UNMATCHED))
                        .keyBy(EndpointTimingAggregator.key())
                        .process(
                                new EndpointTimingAggregator(
                                        config.metrics.window,
                                        closeDelay,
                                        config.metrics.excludeBots))
                        .uid("trace-endpoint-timing")
                        .name("traces: server vs client time per endpoint and window");
        return new Outputs(
                joined,
                perEndpoint,
                spans.getSideOutput(ServerSpanRouter.DEAD_LETTERS),
                spans.getSideOutput(ServerSpanRouter.LATE));
    }
}
