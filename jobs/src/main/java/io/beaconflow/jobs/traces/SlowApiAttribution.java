package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The slow-API alert names the backend: an alert on an endpoint's fetch latency (dimension {@code
 * endpoint}, metric {@code fetch_p*}) gets {@link Alert#backendService} and {@link
 * Alert#latencyWhere}: did the extra time go to the server's own span, or to the network and
 * queueing outside it? Every other alert passes through unchanged and at once.
 *
 * <p>How: the endpoint's {@link EndpointTiming} windows are kept for {@code baseline-windows}; the
 * change of the client, server and network percentile (the alert metric's: p95 for p75/p90/p95,
 * p99, else p50) is the median over the alert's windows ([first window, opened at)) minus the
 * median over up to {@code baseline-windows} windows before it, each window counted only with at
 * least {@code min-joined} joined fetches. "server" when the server's change is at least half the
 * client's, else "network"; "unknown" when either side has no usable window or the client did not
 * get slower.
 *
 * <p>Timing: an alert opens when its window closes, but that window's timings are written only
 * {@code closeDelay} later (the join waits for late spans). An endpoint latency alert therefore
 * waits in state until the watermark passes that point, and later versions of it queue behind it,
 * so versions leave in order. The verdict is kept per alert id and put on every later version (each
 * overwrites the document), and forgotten when the alert resolves.
 *
 * <p>Known limit: webhook notifications leave detection before this step and do not carry it.
 */
public class SlowApiAttribution
        extends KeyedCoProcessFunction<String, Alert, EndpointTiming, Alert> {
    private static final long serialVersionUID = 1L;

    private final long windowMs;
    private final long closeDelayMs;
    private final int baselineWindows;
    private final int minJoined;

    private transient MapState<Long, EndpointTiming> timings;
    private transient ListState<Alert> waiting;
    private transient MapState<String, Alert> verdicts;

    public SlowApiAttribution(Duration window, Duration closeDelay, TracesConfig.Attribution cfg) {
        this.windowMs = window.toMillis();
        this.closeDelayMs = closeDelay.toMillis();
        this.baselineWindows = cfg.baselineWindows;
        this.minJoined = cfg.minJoined;
    }

    /** Alerts by app and dimension value: an endpoint alert meets its endpoint's timings. */
    public static KeySelector<Alert, String> alertKey() {
        return a -> a.app + '\u0000' + a.dimensionValue;
    }

    public static KeySelector<EndpointTiming, String> timingKey() {
        return t -> t.app + '\u0000' + t.endpoint;
    }

    static boolean isSlowApi(Alert a) {
        return "endpoint".equals(a.dimension) && a.metric != null && a.metric.startsWith("fetch_p");
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        timings = KeyedStates.map(runtime, "endpoint-timings", Long.class, EndpointTiming.class);
        waiting = KeyedStates.list(runtime, "alerts-waiting-for-timings", Alert.class);
        verdicts = KeyedStates.map(runtime, "slow-api-verdicts", String.class, Alert.class);
    }

    @Override
    public void processElement1(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        if (!isSlowApi(a)) {
            out.collect(a);
            return;
        }
        boolean queueEmpty = !waiting.get().iterator().hasNext();
        if (queueEmpty && !Alert.OPEN.equals(a.state)) {
            out.collect(withVerdict(a));
            return;
        }
        waiting.add(a);
        ctx.timerService().registerEventTimeTimer(readyAt(a));
    }

    @Override
    public void processElement2(EndpointTiming t, Context ctx, Collector<Alert> out)
            throws Exception {
        timings.put(t.windowStart, t);
        // Forget it once no alert can use it as baseline any more.
        ctx.timerService().registerEventTimeTimer(expiry(t.windowStart));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Alert> still = new ArrayList<>();
        boolean blocked = false;
        for (Alert a : waiting.get()) {
            if (!blocked && readyAt(a) <= timestamp) {
                if (Alert.OPEN.equals(a.state)) {
                    Alert judged = judge(a);
                    verdicts.put(a.alertId, judged);
                    out.collect(judged);
                } else {
                    out.collect(withVerdict(a));
                }
            } else {
                blocked = true; // keep order: nothing overtakes an alert still waiting
                still.add(a);
            }
        }
        waiting.update(still);
        List<Long> old = new ArrayList<>();
        for (Long start : timings.keys()) {
            if (expiry(start) <= timestamp) old.add(start);
        }
        for (Long start : old) timings.remove(start);
    }

    /** An alert's window timings are all in once the watermark passes this. */
    private long readyAt(Alert a) {
        return a.openedAt - 1 + closeDelayMs;
    }

    private long expiry(long windowStart) {
        return windowStart + windowMs * (baselineWindows + 2L) + closeDelayMs;
    }

    /** A later version: the verdict of its open version; forgotten when it resolves. */
    private Alert withVerdict(Alert a) throws Exception {
        Alert v = verdicts.get(a.alertId);
        Alert out = a.copy();
        if (v != null) {
            out.backendService = v.backendService;
            out.latencyWhere = v.latencyWhere;
            out.clientDeltaMs = v.clientDeltaMs;
            out.serverDeltaMs = v.serverDeltaMs;
            out.networkDeltaMs = v.networkDeltaMs;
            out.rootCauseHints = new ArrayList<>(a.rootCauseHints);
            String hint = hint(v);
            if (hint != null && !out.rootCauseHints.contains(hint)) out.rootCauseHints.add(0, hint);
        }
        if (Alert.RESOLVED.equals(a.state)) verdicts.remove(a.alertId);
        return out;
    }

    Alert judge(Alert a) throws Exception {
        List<EndpointTiming> current = new ArrayList<>();
        List<EndpointTiming> before = new ArrayList<>();
        // The service is named even when too few calls joined for a verdict: the latest seen.
        String service = null;
        long serviceWindow = Long.MIN_VALUE;
        for (Map.Entry<Long, EndpointTiming> e : timings.entries()) {
            EndpointTiming t = e.getValue();
            if (t.service != null && t.windowStart < a.openedAt && t.windowStart > serviceWindow) {
                service = t.service;
                serviceWindow = t.windowStart;
            }
            if (t.joined < minJoined) continue;
            if (t.windowStart >= a.firstWindow && t.windowStart < a.openedAt) current.add(t);
            else if (t.windowStart < a.firstWindow) before.add(t);
        }
        before.sort((x, y) -> Long.compare(y.windowStart, x.windowStart));
        List<EndpointTiming> baseline = before.subList(0, Math.min(baselineWindows, before.size()));
        Alert out = a.copy();
        out.backendService = service;
        out.latencyWhere = "unknown";
        if (!current.isEmpty() && !baseline.isEmpty()) {
            String p = percentile(a.metric);
            double client = median(current, p, "client") - median(baseline, p, "client");
            double server = median(current, p, "server") - median(baseline, p, "server");
            double network = median(current, p, "network") - median(baseline, p, "network");
            out.clientDeltaMs = round(client);
            out.serverDeltaMs = round(server);
            out.networkDeltaMs = round(network);
            if (client > 0) out.latencyWhere = server >= 0.5 * client ? "server" : "network";
        }
        String hint = hint(out);
        if (hint != null) out.rootCauseHints.add(0, hint);
        return out;
    }

    /** One line for people: which side and how much, e.g. "server shop-api: +820 ms of +900 ms". */
    static String hint(Alert a) {
        if (a.latencyWhere == null || "unknown".equals(a.latencyWhere)) {
            return a.backendService == null ? null : "backend " + a.backendService;
        }
        if ("server".equals(a.latencyWhere)) {
            return String.format(
                    java.util.Locale.ROOT,
                    "time went to the server %s: %+.0f ms of %+.0f ms",
                    a.backendService,
                    a.serverDeltaMs,
                    a.clientDeltaMs);
        }
        return String.format(
                java.util.Locale.ROOT,
                "time went to network/queueing: %+.0f ms of %+.0f ms (server %s %+.0f ms)",
                a.networkDeltaMs,
                a.clientDeltaMs,
                a.backendService,
                a.serverDeltaMs);
    }

    static String percentile(String metric) {
        if (metric.endsWith("p99")) return "p99";
        if (metric.endsWith("p95") || metric.endsWith("p90") || metric.endsWith("p75")) {
            return "p95";
        }
        return "p50";
    }

    private static double median(List<EndpointTiming> ts, String p, String side) {
        List<Double> v = new ArrayList<>();
        for (EndpointTiming t : ts) {
            Double x = value(t, p, side);
            if (x != null) v.add(x);
        }
        if (v.isEmpty()) return 0;
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static Double value(EndpointTiming t, String p, String side) {
        return switch (side + p) {
            case "clientp50" -> t.clientP50;
            case "clientp95" -> t.clientP95;
            case "clientp99" -> t.clientP99;
            case "serverp50" -> t.serverP50;
            case "serverp95" -> t.serverP95;
            case "serverp99" -> t.serverP99;
            case "networkp50" -> t.networkP50;
            case "networkp95" -> t.networkP95;
            default -> t.networkP99;
        };
    }

    private static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }
}
