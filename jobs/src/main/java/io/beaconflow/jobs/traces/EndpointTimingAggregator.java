package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per endpoint (app + {@code METHOD /template}) and event-time window: percentiles of client,
 * server and network time ({@link EndpointTiming}), keyed by {@link #key()}.
 *
 * <p>Why not a window operator: the join emits an unmatched fetch only when the watermark has
 * passed its time + {@code server-after-fetch}, behind its own window. Each window is therefore
 * closed once, at window end + server-after-fetch + {@code ingest.allowed-lateness}, when every
 * fetch of it has been emitted joined or unmatched: one document per window, no re-fires. A timing
 * for a window already closed is counted ({@code endpointTimingsTooLate}) and dropped; it cannot
 * happen for fetches the ingest router let through.
 */
public class EndpointTimingAggregator
        extends KeyedProcessFunction<String, FetchTiming, EndpointTiming> {
    private static final long serialVersionUID = 1L;

    static final int MAX_SERVICES = 8;

    private final long windowMs;
    private final long closeDelayMs;
    private final boolean excludeBots;

    private transient MapState<Long, EndpointTimingAccumulator> windows;
    private transient Counter tooLate;
    private transient Counter bots;

    /**
     * @param closeDelay how long after a window's end its last timing can still arrive
     *     (server-after-fetch + ingest.allowed-lateness)
     */
    public EndpointTimingAggregator(Duration window, Duration closeDelay, boolean excludeBots) {
        this.windowMs = window.toMillis();
        this.closeDelayMs = closeDelay.toMillis();
        this.excludeBots = excludeBots;
    }

    public static KeySelector<FetchTiming, String> key() {
        return t -> t.app + '\u0000' + t.endpoint;
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        windows =
                KeyedStates.map(
                        runtime,
                        "endpoint-timing-windows",
                        Long.class,
                        EndpointTimingAccumulator.class);
        tooLate = runtime.getMetricGroup().counter("endpointTimingsTooLate");
        bots = runtime.getMetricGroup().counter("endpointTimingBotsExcluded");
    }

    @Override
    public void processElement(FetchTiming t, Context ctx, Collector<EndpointTiming> out)
            throws Exception {
        if (excludeBots && t.bot) {
            bots.inc();
            return;
        }
        long start = t.eventTime - Math.floorMod(t.eventTime, windowMs);
        long fire = start + windowMs - 1 + closeDelayMs;
        if (fire <= ctx.timerService().currentWatermark()) {
            tooLate.inc();
            return;
        }
        EndpointTimingAccumulator a = windows.get(start);
        if (a == null) {
            a = new EndpointTimingAccumulator();
            a.app = t.app;
            a.endpoint = t.endpoint;
            a.windowStart = start;
            ctx.timerService().registerEventTimeTimer(fire);
        }
        a.fetches++;
        if (t.joined) {
            a.joined++;
            a.sumClientMs += t.clientMs;
            a.sumServerMs += Math.min(t.serverMs, t.clientMs);
            LatencyHistogram.add(a.client, t.clientMs);
            LatencyHistogram.add(a.server, t.serverMs);
            LatencyHistogram.add(a.network, t.networkMs);
            if (a.services.containsKey(t.service) || a.services.size() < MAX_SERVICES) {
                a.services.merge(t.service, 1L, Long::sum);
            }
        } else {
            a.unmatched++;
        }
        windows.put(start, a);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EndpointTiming> out)
            throws Exception {
        long start = timestamp + 1 - closeDelayMs - windowMs;
        EndpointTimingAccumulator a = windows.get(start);
        if (a == null) return;
        windows.remove(start);
        out.collect(result(a, windowMs));
    }

    static EndpointTiming result(EndpointTimingAccumulator a, long windowMs) {
        EndpointTiming r = new EndpointTiming();
        r.app = a.app;
        r.endpoint = a.endpoint;
        r.windowStart = a.windowStart;
        r.windowEnd = a.windowStart + windowMs;
        r.id = a.app + "|" + a.endpoint + "|" + a.windowStart;
        r.fetches = a.fetches;
        r.joined = a.joined;
        r.unmatched = a.unmatched;
        List<Map.Entry<String, Long>> services = new ArrayList<>(a.services.entrySet());
        // Most calls first, ties by name: the same input gives the same document.
        services.sort(
                Map.Entry.<String, Long>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> s : services) r.services.add(s.getKey());
        r.service = r.services.isEmpty() ? null : r.services.get(0);
        r.clientP50 = LatencyHistogram.quantile(a.client, 0.50);
        r.clientP95 = LatencyHistogram.quantile(a.client, 0.95);
        r.clientP99 = LatencyHistogram.quantile(a.client, 0.99);
        r.serverP50 = LatencyHistogram.quantile(a.server, 0.50);
        r.serverP95 = LatencyHistogram.quantile(a.server, 0.95);
        r.serverP99 = LatencyHistogram.quantile(a.server, 0.99);
        r.networkP50 = LatencyHistogram.quantile(a.network, 0.50);
        r.networkP95 = LatencyHistogram.quantile(a.network, 0.95);
        r.networkP99 = LatencyHistogram.quantile(a.network, 0.99);
        r.serverShare =
                a.sumClientMs > 0
                        ? Math.round(a.sumServerMs / a.sumClientMs * 10_000.0) / 10_000.0
                        : null;
        return r;
    }
}
