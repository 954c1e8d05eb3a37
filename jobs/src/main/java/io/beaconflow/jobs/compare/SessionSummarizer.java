package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.metrics.SeriesFanOut;
import io.beaconflow.jobs.metrics.SeriesKey;
import io.beaconflow.jobs.metrics.SeriesSample;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One {@link SessionSummary} per session and arm, for the comparison (the randomized unit is the
 * session; see {@link ArmComparison}). Keyed by app + session id on the events on their view route
 * (already partitioned by session: no shuffle). Each event is fanned out exactly as the metric
 * stage does it ({@link SeriesFanOut#emit}: same kinds, failure statuses, latency values, bots left
 * out when {@code metrics.exclude-bots}), keeping the variant and release series; the session's
 * counts and latency log-sums build up per arm, and when event time passes its last event + {@code
 * sessions.gap} the session is closed: one summary per arm, stamped with that time, and its state
 * and timer are gone.
 *
 * <p><b>Late events.</b> An event whose session would already be closed (its time + gap at or
 * behind the watermark, with no state for the session) is counted ({@code
 * comparisonEventsAfterClose}) and left out, not turned into a second summary of the same session,
 * which would count one session twice. With {@code ingest.allowed-lateness} shorter than the gap (5
 * min against 30 by default) it does not happen.
 *
 * <p><b>Bounded state.</b> Per open session: at most {@link #MAX_ARMS_PER_SESSION} arms of about
 * 100 bytes each, and one timer.
 */
public class SessionSummarizer extends KeyedProcessFunction<String, RumEvent, SessionSummary> {
    private static final long serialVersionUID = 1L;

    public static final String UID = "comparisons-sessions";

    /** Experiments plus the release one session can be in; further arms are counted, not kept. */
    static final int MAX_ARMS_PER_SESSION = 32;

    private static final Dimension[] COMPARED = {Dimension.VARIANT, Dimension.RELEASE};

    private final long gap;
    private final boolean excludeBots;
    private final boolean[] failing;
    private final double apdexMs;
    private final boolean releases;

    private transient MapState<String, SessionSummary> arms;
    private transient ValueState<Long> closeAt;
    private transient List<SeriesSample> buffer;
    private transient Counter afterClose;
    private transient Counter armsIgnored;

    public SessionSummarizer(MetricsConfig metrics, Duration gap, boolean releases) {
        this.gap = gap.toMillis();
        this.excludeBots = metrics.excludeBots;
        this.failing = metrics.failingStatuses();
        this.apdexMs = metrics.apdexThreshold.toMillis();
        this.releases = releases;
    }

    @Override
    public void open(OpenContext openContext) {
        arms =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "comparison-session-arms",
                                        Types.STRING,
                                        TypeInformation.of(SessionSummary.class)));
        closeAt =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("comparison-session-close", Types.LONG));
        buffer = new ArrayList<>();
        afterClose = getRuntimeContext().getMetricGroup().counter("comparisonEventsAfterClose");
        armsIgnored = getRuntimeContext().getMetricGroup().counter("comparisonSessionArmsIgnored");
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<SessionSummary> out)
            throws Exception {
        if ((e.bot && excludeBots) || e.app == null || e.sessionId == null) {
            return;
        }
        long ts = ctx.timestamp() == null ? Long.MIN_VALUE : ctx.timestamp();
        Long close = closeAt.value();
        if (close == null && ts + gap <= ctx.timerService().currentWatermark()) {
            afterClose.inc();
            return;
        }
        buffer.clear();
        SeriesFanOut.emit(e, COMPARED, failing, apdexMs, new ListCollector(buffer));
        for (SeriesSample s : buffer) {
            String[] k = SeriesKey.split(s.key);
            if (!ComparisonFunction.relevant(k[0], k[1], k[2], releases)) continue;
            String armKey = k[1] + '\u0000' + k[2];
            SessionSummary sum = arms.get(armKey);
            if (sum == null) {
                if (size() >= MAX_ARMS_PER_SESSION) {
                    armsIgnored.inc();
                    continue;
                }
                sum = new SessionSummary(k[0], k[1], k[2], ctx.getCurrentKey());
                sum.start = ts;
            }
            sum.start = Math.min(sum.start, ts);
            sum.add(s);
            arms.put(armKey, sum);
        }
        buffer.clear();
        long next = Math.max(close == null ? Long.MIN_VALUE : close, ts + gap);
        if (close == null || next != close) {
            if (close != null) ctx.timerService().deleteEventTimeTimer(close);
            ctx.timerService().registerEventTimeTimer(next);
            closeAt.update(next);
        }
    }

    private int size() throws Exception {
        int n = 0;
        for (String ignored : arms.keys()) n++;
        return n;
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<SessionSummary> out)
            throws Exception {
        // In key order, so the output does not depend on the state backend's iteration order.
        Map<String, SessionSummary> sorted = new TreeMap<>();
        for (Map.Entry<String, SessionSummary> e : arms.entries()) {
            sorted.put(e.getKey(), e.getValue());
        }
        for (SessionSummary s : sorted.values()) {
            s.end = ts;
            out.collect(s);
        }
        arms.clear();
        closeAt.clear();
    }

    /** Collects into a reused list. */
    private static final class ListCollector implements Collector<SeriesSample> {
        private final List<SeriesSample> list;

        ListCollector(List<SeriesSample> list) {
            this.list = list;
        }

        @Override
        public void collect(SeriesSample record) {
            list.add(record);
        }

        @Override
        public void close() {}
    }
}
