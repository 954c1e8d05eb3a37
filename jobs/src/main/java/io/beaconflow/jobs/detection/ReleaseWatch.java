package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.enrich.CardinalityGuard;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Watches releases per app (keyed by app; input: the scored rows of the app total and of the {@code
 * release} dimension).
 *
 * <ul>
 *   <li><b>First seen</b>: the first window a release value appears emits a {@link
 *       Finding#RELEASE_SEEN} (main output), unless the app itself had less than {@code
 *       minAppHistory} of traffic before: releases already live when the job starts are not new.
 *   <li><b>Canary</b>: for {@code watch} after that, each window's value of the new release for
 *       every scored rate and latency metric is judged against the app total's band of the same
 *       window, widened by √(app volume / release volume) because the release's value rests on
 *       fewer samples. A new release has no history of its own; the app total's expectation is what
 *       it should look like. One {@link AnomalySignal} per metric and window ({@link #CANARY},
 *       {@code canary=true}, z in units of the threshold: beyond 1 is outside the band), normal or
 *       not, so the recovery pattern sees the release become normal too. Only upward changes count
 *       (more errors, slower), with at least {@link #MIN_REL_CHANGE} relative change and {@link
 *       #MIN_VOLUME} samples.
 * </ul>
 *
 * <p>Rows are buffered until the watermark passes their window (the app total and the release rows
 * of one window arrive in any order).
 *
 * <p><b>Bounded state</b> (event time, like every keyed state of the job): a release without rows
 * for {@code idleTtl} is forgotten (if it comes back it is judged as new), and an app without rows
 * for {@code idleTtl} loses all its state through one cleanup timer. Releases per app are also
 * bounded upstream ({@code ingest.cardinality.max-releases-per-app}). Known false positives: a
 * release rolled out to an unusual audience (one country, internal users) differs from the app
 * without a regression.
 */
public class ReleaseWatch extends KeyedProcessFunction<String, ScoredAggregate, Finding> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AnomalySignal> CANARY =
            new OutputTag<>("release-canary", TypeInformation.of(AnomalySignal.class));

    /** Least samples (views, percentile values) behind a canary verdict. */
    public static final double MIN_VOLUME = 20;

    /** Least relative change against the app's expectation for a canary anomaly. */
    public static final double MIN_REL_CHANGE = 0.2;

    private static final long NOT_NEW = Long.MIN_VALUE;

    private final long watchMs;
    private final long minAppHistoryMs;
    private final long idleTtlMs;

    private transient ValueState<Long> appFirstSeen;
    private transient MapState<String, Long> releaseFirstSeen;
    private transient MapState<String, Long> releaseLastSeen;
    private transient MapState<Long, Rows> buffered;
    private transient ValueState<Long> cleanupAt;

    /** Rows of one window waiting for the watermark. */
    public static class Rows {
        public List<ScoredAggregate> rows = new ArrayList<>();

        public Rows() {}
    }

    public ReleaseWatch(Duration watch, Duration minAppHistory, Duration idleTtl) {
        this.watchMs = watch.toMillis();
        this.minAppHistoryMs = minAppHistory.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
    }

    /** The rows this operator needs. */
    public static boolean relevant(ScoredAggregate row) {
        return row.updateSeq == 0
                && (Dimension.RELEASE.configName().equals(row.dimension)
                        || Dimension.ALL.configName().equals(row.dimension));
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        appFirstSeen = KeyedStates.value(runtime, "release-app-first-seen", Long.class);
        releaseFirstSeen = KeyedStates.map(runtime, "release-first-seen", String.class, Long.class);
        releaseLastSeen = KeyedStates.map(runtime, "release-last-seen", String.class, Long.class);
        cleanupAt = KeyedStates.value(runtime, "release-cleanup-at", Long.class);
        buffered = KeyedStates.map(runtime, "release-rows", Long.class, Rows.class);
    }

    @Override
    public void processElement(ScoredAggregate row, Context ctx, Collector<Finding> out)
            throws Exception {
        if (!relevant(row)) {
            return;
        }
        Long first = appFirstSeen.value();
        if (first == null || row.windowStart < first) {
            appFirstSeen.update(row.windowStart);
        }
        Rows rows = buffered.get(row.windowStart);
        if (rows == null) {
            rows = new Rows();
            ctx.timerService().registerEventTimeTimer(row.windowEnd - 1);
        }
        rows.rows.add(row);
        buffered.put(row.windowStart, rows);
        // One cleanup timer per app, moved forward while rows keep coming (a timer per row would
        // leave thousands behind). Never before the row's own window timer.
        Long previous = cleanupAt.value();
        long cleanup = row.windowEnd + idleTtlMs;
        if (previous == null || previous < cleanup) {
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous);
            }
            ctx.timerService().registerEventTimeTimer(cleanup);
            cleanupAt.update(cleanup);
        }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup == ts) {
            // No row for idleTtl: every buffered window was emitted long ago (its timer is
            // earlier).
            appFirstSeen.clear();
            releaseFirstSeen.clear();
            releaseLastSeen.clear();
            buffered.clear();
            cleanupAt.clear();
            return;
        }
        TreeMap<Long, Rows> due = new TreeMap<>();
        for (Map.Entry<Long, Rows> e : buffered.entries()) {
            if (!e.getValue().rows.isEmpty() && e.getValue().rows.get(0).windowEnd - 1 <= ts) {
                due.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<Long, Rows> e : due.entrySet()) {
            buffered.remove(e.getKey());
            window(ctx.getCurrentKey(), e.getValue().rows, ctx, out);
        }
    }

    private void window(
            String app, List<ScoredAggregate> rows, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        ScoredAggregate total = null;
        List<ScoredAggregate> releases = new ArrayList<>();
        for (ScoredAggregate r : rows) {
            if (Dimension.ALL.configName().equals(r.dimension)) {
                total = r;
            } else if (!CardinalityGuard.OTHER.equals(r.dimensionValue)) {
                // "other" is the releases beyond the budget, not a release: it appearing is no
                // deployment and it has no baseline of its own to compare.
                releases.add(r);
            }
        }
        releases.sort((a, b) -> a.dimensionValue.compareTo(b.dimensionValue));
        long appFirst = appFirstSeen.value();
        long windowStart = rows.get(0).windowStart;
        forgetIdleReleases(windowStart);
        for (ScoredAggregate r : releases) {
            Long last = releaseLastSeen.get(r.dimensionValue);
            if (last == null || last < r.windowStart) {
                releaseLastSeen.put(r.dimensionValue, r.windowStart);
            }
            Long firstSeen = releaseFirstSeen.get(r.dimensionValue);
            if (firstSeen == null) {
                boolean isNew = r.windowStart - appFirst >= minAppHistoryMs;
                firstSeen = isNew ? r.windowStart : NOT_NEW;
                releaseFirstSeen.put(r.dimensionValue, firstSeen);
                if (isNew) {
                    Finding f = new Finding();
                    f.kind = Finding.RELEASE_SEEN;
                    f.app = app;
                    f.release = r.dimensionValue;
                    f.dimension = r.dimension;
                    f.dimensionValue = r.dimensionValue;
                    f.series = r.series();
                    f.firstWindowStart = r.windowStart;
                    f.lastWindowEnd = r.windowEnd;
                    f.at = r.windowEnd - 1;
                    out.collect(f);
                }
            }
            if (firstSeen != NOT_NEW && r.windowStart < firstSeen + watchMs && total != null) {
                canary(total, r, ctx);
            }
        }
    }

    /**
     * Drops releases without rows for idleTtl before {@code windowStart} (bounded by the budget).
     */
    private void forgetIdleReleases(long windowStart) throws Exception {
        List<String> idle = new ArrayList<>();
        for (Map.Entry<String, Long> e : releaseLastSeen.entries()) {
            if (e.getValue() + idleTtlMs <= windowStart) {
                idle.add(e.getKey());
            }
        }
        for (String release : idle) {
            releaseLastSeen.remove(release);
            releaseFirstSeen.remove(release);
        }
    }

    private static void canary(ScoredAggregate total, ScoredAggregate release, OnTimerContext ctx) {
        for (Map.Entry<String, MetricScore> e : total.scores.entrySet()) {
            String metric = e.getKey();
            MetricScore app = e.getValue();
            String kind = SpecSet.familyOf(metric);
            if (kind == null
                    || app.expected == null
                    || app.upper == null
                    || app.denominator == null
                    || "none".equals(app.baseline)
                    || "static".equals(app.baseline)) {
                continue;
            }
            Double value = release.value(metric);
            double volume = release.denominator(metric);
            if (value == null || !(volume > 0)) {
                continue;
            }
            double halfBand = app.upper - app.expected;
            if (!(halfBand > 0)) {
                continue;
            }
            double spread = halfBand * Math.sqrt(app.denominator / volume);
            double delta = value - app.expected;
            double z = delta / spread;
            boolean anomaly =
                    z > 1
                            && volume >= MIN_VOLUME
                            && delta >= MIN_REL_CHANGE * Math.abs(app.expected);
            AnomalySignal s = new AnomalySignal();
            s.series = release.series();
            s.app = release.app;
            s.dimension = release.dimension;
            s.dimensionValue = release.dimensionValue;
            s.metric = metric;
            s.metricKind = kind;
            s.windowStart = release.windowStart;
            s.windowEnd = release.windowEnd;
            s.observed = value;
            s.denominator = volume;
            s.expected = app.expected;
            s.lower = app.expected - spread;
            s.upper = app.expected + spread;
            s.z = z;
            double absZ = Math.abs(z);
            s.score =
                    anomaly ? Math.max(0.5, absZ / (absZ + 1)) : Math.min(0.49, absZ / (absZ + 1));
            s.direction = delta > 0 ? "up" : delta < 0 ? "down" : null;
            s.anomaly = anomaly;
            s.canary = true;
            ctx.output(CANARY, s);
        }
    }
}
