package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.SeriesKey;
import io.beaconflow.jobs.state.KeyedStates;
import io.beaconflow.jobs.state.MapWriteBehindCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every aggregate row with the configured detectors: the Flink shell around {@code
 * detectors/}. Keyed by series; one {@link DetectorState} per metric in keyed state, so baselines
 * are checkpointed and follow their key on rescaling. Specs come from broadcast state ({@link
 * SpecBroadcast}) and can change while running.
 *
 * <p>Outputs: the row with a verdict per metric ({@link ScoredAggregate}, main output, to the
 * metrics index); one {@link AnomalySignal} per scored metric, normal or not ({@link #SIGNALS}, for
 * the CEP patterns); rejected spec updates ({@link #REJECTED}).
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li><b>Late updates of a window</b> ({@code updateSeq > 0}, or a window not newer than the last
 *       scored one) do not feed the detectors again: a baseline must see each window once, and the
 *       detector rejects non-increasing timestamps anyway. The row is passed on with the scores of
 *       its first firing (kept for the allowed lateness), so the overwriting document keeps its
 *       band; no signal is emitted (CEP has already seen that window).
 *   <li><b>Spec changes</b> keep the state: the spec is resolved per metric for every row, so a new
 *       threshold applies to the next window with the old baseline. Only a change of scale
 *       (transform, log offset, scorer; see {@link SpecSet#stateFingerprint}) restarts a metric's
 *       state, and the detector restarts the seasonal part by itself when the slot layout changes.
 *       A metric removed from the spec loses its state.
 *   <li><b>Idle series</b> (a route nobody visits any more) are cleared after {@code idleTtl} of
 *       event time without a row, by an event-time timer, so state does not grow forever.
 * </ul>
 */
public class DetectorFunction
        extends KeyedBroadcastProcessFunction<
                String, MetricAggregate, SpecUpdate, ScoredAggregate> {
    private static final Logger LOG = LoggerFactory.getLogger(DetectorFunction.class);

    private static final long serialVersionUID = 1L;

    public static final OutputTag<AnomalySignal> SIGNALS =
            new OutputTag<>("anomaly-signals", TypeInformation.of(AnomalySignal.class));

    public static final OutputTag<SpecRejection> REJECTED =
            new OutputTag<>("rejected-specs", TypeInformation.of(SpecRejection.class));

    /** Default idle-series cleanup: a week of event time without a row. */
    public static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(7);

    private final SpecBroadcast specs;
    private final long retainScoresMs;
    private final long idleTtlMs;
    private final long windowMs;
    private final int zeroFillWindows;

    private transient MapState<String, DetectorState> detectorState;
    private transient MapState<String, String> stateFingerprint;
    private transient ValueState<Long> checkedScales;
    private transient MapState<Long, WindowScores> recentScores;
    private transient ValueState<Long> lastScoredWindow;
    private transient ValueState<Long> specVersionSeen;
    private transient ValueState<Long> cleanupAt;
    private transient ValueState<Long> gapCheckAt;
    private transient ValueState<Long> emptyRun;
    private transient MapState<Long, MetricAggregate> heldRows;
    private transient Counter anomalies;
    private transient Counter lateUpdates;
    private transient Counter rejections;

    /** Tests scored per window on this subtask (gauge; the budget check on subtask 0). */
    private transient ScoredTestCount tests;

    /**
     * @param initial the spec file read at job start
     * @param allowedLateness how long late updates of a window can come (scores are kept that long)
     * @param idleTtl event time without a row after which a series' state is dropped
     */
    public DetectorFunction(SpecUpdate initial, Duration allowedLateness, Duration idleTtl) {
        this(initial, allowedLateness, idleTtl, Duration.ofMinutes(1), 0);
    }

    /**
     * @param window the metrics window (the step of the empty-window checks)
     * @param zeroFillWindows how many windows in a row without a row are scored as zero traffic (0
     *     = off; see {@link #onTimer})
     */
    public DetectorFunction(
            SpecUpdate initial,
            Duration allowedLateness,
            Duration idleTtl,
            Duration window,
            int zeroFillWindows) {
        this.specs = new SpecBroadcast(initial);
        this.retainScoresMs = allowedLateness.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
        this.windowMs = window.toMillis();
        this.zeroFillWindows = zeroFillWindows;
    }

    /** Scores of one window, kept so that late updates of the window carry them too. */
    public static class WindowScores {
        public Map<String, MetricScore> scores;

        public WindowScores() {}

        WindowScores(Map<String, MetricScore> scores) {
            this.scores = scores;
        }
    }

    static final MapStateDescriptor<String, DetectorState> STATE =
            KeyedStates.mapDescriptor("detector-state", String.class, DetectorState.class);

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        detectorState = runtime.getMapState(STATE);
        stateFingerprint =
                KeyedStates.map(runtime, "detector-state-scale", String.class, String.class);
        checkedScales = KeyedStates.value(runtime, "detector-state-scales-checked", Long.class);
        recentScores =
                KeyedStates.map(runtime, "detector-recent-scores", Long.class, WindowScores.class);
        lastScoredWindow = KeyedStates.value(runtime, "detector-last-window", Long.class);
        specVersionSeen = KeyedStates.value(runtime, "detector-spec-version", Long.class);
        cleanupAt = KeyedStates.value(runtime, "detector-cleanup-at", Long.class);
        gapCheckAt = KeyedStates.value(runtime, "detector-gap-check-at", Long.class);
        emptyRun = KeyedStates.value(runtime, "detector-empty-run", Long.class);
        heldRows =
                KeyedStates.map(runtime, "detector-held-rows", Long.class, MetricAggregate.class);
        anomalies = runtime.getMetricGroup().counter("anomalousPoints");
        lateUpdates = runtime.getMetricGroup().counter("lateUpdatesNotRescored");
        rejections = runtime.getMetricGroup().counter("specUpdatesRejected");
        tests = new ScoredTestCount(windowMs);
        runtime.getMetricGroup()
                .gauge("scoredTestsPerWindow", (Gauge<Long>) () -> tests.lastWindow());
    }

    /**
     * Puts the detector states and the kept scores behind write-behind caches of {@code capacity}
     * series each ({@link DetectorOperator}, on RocksDB); every later read and write of them goes
     * through the caches, which the operator flushes before each snapshot.
     *
     * @return the detector states' cache, then the kept scores'
     */
    List<MapWriteBehindCache<?, ?>> writeBehind(KeyContext keys, int capacity) {
        MapWriteBehindCache<String, DetectorState> states =
                new MapWriteBehindCache<>(detectorState, keys, capacity);
        MapWriteBehindCache<Long, WindowScores> scores =
                new MapWriteBehindCache<>(recentScores, keys, capacity);
        detectorState = states;
        recentScores = scores;
        return List.of(states, scores);
    }

    /** The measured tests per window the budget warning last named, 0 if none (tests). */
    double budgetWarnedAt() {
        return tests.warnedAt();
    }

    /** Tests scored in the last closed window on this subtask (tests; the gauge). */
    long scoredTestsPerWindow() {
        return tests.lastWindow();
    }

    /** Subtask 0 warns when the job scores more tests a window than the budget assumes. */
    private void checkBudget(SpecSet active) {
        var task = getRuntimeContext().getTaskInfo();
        if (task.getIndexOfThisSubtask() != 0) return;
        String warning =
                tests.budgetWarningOnce(
                        active.budget(),
                        task.getNumberOfParallelSubtasks(),
                        active.update().source);
        if (warning != null) LOG.warn(warning);
    }

    @Override
    public void processElement(
            MetricAggregate row, ReadOnlyContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        Long last = lastScoredWindow.value();
        if (zeroFillWindows > 0 && last != null && row.windowStart > last) {
            inOrder(row, last, ctx, out);
            return;
        }
        if (row.updateSeq > 0 || (last != null && row.windowStart <= last)) {
            ScoredAggregate scored = ScoredAggregate.of(row);
            WindowScores kept = recentScores.get(row.windowStart);
            if (kept != null) {
                scored.scores.putAll(kept.scores);
            }
            lateUpdates.inc();
            out.collect(scored);
            return;
        }
        scoreWindow(row, ctx, out);
        scheduleDecision(decisionTime(row.windowStart + windowMs), ctx);
    }

    /**
     * With zero-fill on, a series' windows are decided strictly in window order, and a window
     * without a row is decided empty only once no late event can fill it any more: when the
     * watermark passes its end plus the allowed lateness. Every event accepted for a window passes
     * the router before that watermark, so which windows are empty, and the row each one is scored
     * with (its latest version, late updates included), no longer depends on how the input
     * interleaved. A row whose window follows the last decided one directly is scored on arrival,
     * as without zero-fill: a series with traffic in every window answers at once. A row after an
     * undecided window waits (in {@code detector-held-rows}, at most allowed lateness / window + 1
     * rows) until that window is decided.
     */
    private void inOrder(
            MetricAggregate row, long last, ReadOnlyContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (gapCheckAt.value() == null) {
            // Idle (zero-fill used up, no decision pending): the windows since are decided
            // empty and not filled; skip those the watermark has decided.
            long decided =
                    Math.floorDiv(watermark - windowMs - retainScoresMs, windowMs) * windowMs;
            last = Math.max(last, Math.min(decided, row.windowStart - windowMs));
            lastScoredWindow.update(last);
        }
        if (row.updateSeq == 0 && row.windowStart == last + windowMs && heldRows.isEmpty()) {
            scoreWindow(row, ctx, out);
            emptyRun.clear();
            scheduleDecision(decisionTime(row.windowStart + windowMs), ctx);
            return;
        }
        heldRows.put(row.windowStart, row); // the latest version of a window wins
        if (row.windowStart == last + windowMs) {
            // The next window came late and others wait behind it: decide at the next watermark,
            // on a timer, so that what is emitted is stamped after the watermark downstream.
            scheduleDecision(watermark + 1, ctx);
        } else if (gapCheckAt.value() == null) {
            scheduleDecision(decisionTime(last + windowMs), ctx);
        }
    }

    /** When window {@code windowStart} is decided: its end plus the allowed lateness. */
    private long decisionTime(long windowStart) {
        return windowStart + windowMs + retainScoresMs;
    }

    /** Scores a window's row (its first scoring) and emits it. */
    private void scoreWindow(
            MetricAggregate row, ReadOnlyContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        ScoredAggregate scored = ScoredAggregate.of(row);
        SpecSet active = specs.active(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR));
        Long seen = specVersionSeen.value();
        if (seen == null || seen != active.update().version) {
            dropUnconfigured(active.rowMetrics());
            specVersionSeen.update(active.update().version);
        }
        scoreRow(active, row, scored, ctx, false);
        lastScoredWindow.update(row.windowStart);
        if (retainScoresMs > 0) {
            recentScores.put(row.windowStart, new WindowScores(scored.scores));
            ctx.timerService().registerEventTimeTimer(row.windowEnd + retainScoresMs);
        }
        Long previousCleanup = cleanupAt.value();
        long cleanup = row.windowEnd + idleTtlMs;
        if (previousCleanup == null || previousCleanup != cleanup) {
            if (previousCleanup != null) {
                ctx.timerService().deleteEventTimeTimer(previousCleanup);
            }
            ctx.timerService().registerEventTimeTimer(cleanup);
            cleanupAt.update(cleanup);
        }
        out.collect(scored);
    }

    /**
     * Scores the row's watched metrics into {@code scored} and emits one signal per scored metric.
     *
     * @param countsOnly score only the metrics that are their own volume (page views, fetches): an
     *     empty window has counts (zero) but no rate and no percentile
     */
    private void scoreRow(
            SpecSet active,
            MetricAggregate row,
            ScoredAggregate scored,
            ReadOnlyContext ctx,
            boolean countsOnly)
            throws Exception {
        List<String> metrics = active.rowMetrics();
        SpecSet.SeriesSpecs resolved = null;
        boolean checked = false;
        String seriesName = null;
        for (int i = 0; i < metrics.size(); i++) {
            String metric = metrics.get(i);
            Double value = row.value(metric);
            if (value == null) {
                continue;
            }
            double denominator = row.denominator(metric);
            if (countsOnly && (!ZERO_FILLED.equals(metric) || detectorState.get(metric) == null)) {
                continue;
            }
            if (resolved == null) {
                resolved = active.series(row.app, row.dimension, row.dimensionValue);
                checked = scalesChecked(metrics, resolved);
            }
            DetectorSpec spec = resolved.spec(i);
            if (spec == null) {
                continue;
            }
            PointResult r =
                    update(
                            resolved.detector(i),
                            resolved.fingerprint(i),
                            checked,
                            metric,
                            row.windowStart,
                            value,
                            denominator,
                            row.sessionBits == null ? 0L : row.sessionBits,
                            row.medianUnder(metric));
            scored.scores.put(metric, Scoring.score(r, denominator));
            if (tests.record(row.windowStart)) checkBudget(active);
            if (seriesName == null) {
                seriesName = AnomalySignal.seriesName(row.app, row.dimension, row.dimensionValue);
            }
            AnomalySignal signal =
                    Scoring.signal(
                            seriesName,
                            row.app,
                            row.dimension,
                            row.dimensionValue,
                            row.windowStart,
                            row.windowEnd,
                            metric,
                            spec,
                            r,
                            denominator);
            if (signal != null) {
                if (signal.anomaly) {
                    anomalies.inc();
                }
                ctx.output(SIGNALS, signal);
            }
        }
    }

    /**
     * The metric an empty window is scored on: page views, the traffic signal. Fetches are not
     * filled: they come in bursts from a few sessions, so a thin segment has many windows without
     * any, and filling them doubled the false alerts on a simulated day (14 of 16 were fetches).
     */
    static final String ZERO_FILLED = "page_views";

    /** One pending decision per series: when the next undecided window is decided. */
    private void scheduleDecision(long at, ReadOnlyContext ctx) throws Exception {
        if (zeroFillWindows <= 0) {
            return;
        }
        Long previous = gapCheckAt.value();
        if (previous != null && previous == at) {
            return;
        }
        if (previous != null && !keepsScoresUntil(previous)) {
            ctx.timerService().deleteEventTimeTimer(previous);
        }
        ctx.timerService().registerEventTimeTimer(at);
        gapCheckAt.update(at);
    }

    /**
     * Whether {@code time} is also the timer that expires a kept window's scores: a window's
     * decision time (its end plus the allowed lateness) is exactly the time {@link #scoreWindow}
     * set for its kept scores. Deleting that timer when the next decision moved on left the scores
     * of a series scored every window without a sweep until a gap or the idle TTL: kept scores grew
     * by one window a minute with zero-fill on.
     */
    private boolean keepsScoresUntil(long time) throws Exception {
        return retainScoresMs > 0 && recentScores.contains(time - windowMs - retainScoresMs);
    }

    private PointResult update(
            Detector detector,
            String fingerprint,
            boolean checked,
            String metric,
            long timestamp,
            double value,
            double denominator,
            long sessions,
            Double body)
            throws Exception {
        DetectorState state = detectorState.get(metric);
        if (state == null || (!checked && !fingerprint.equals(stateFingerprint.get(metric)))) {
            state = detector.newState();
            stateFingerprint.put(metric, fingerprint);
        }
        PointResult r =
                detector.update(
                        state,
                        timestamp,
                        value,
                        denominator,
                        sessions,
                        body == null ? Double.NaN : body);
        detectorState.put(metric, state);
        return r;
    }

    /**
     * Whether every stored detector state of the series was built on the scale its metric's spec
     * has now ({@link SpecSet#stateFingerprint}), so that {@link #update} may use a stored state
     * without reading its fingerprint. That read was half of the detector stage's state reads per
     * scored metric, a cost on RocksDB (docs/benchmarks.md, session 2026-12-07 (2)).
     *
     * <p>The answer is remembered as the digest of the series' fingerprints ({@link
     * SpecSet.SeriesSpecs#fingerprintHash}) in {@code detector-state-scales-checked}. It is asked
     * again whenever that digest changes: a spec update, or a restore with an edited spec file,
     * that changes a metric's scale. While a stale state is left (its metric has had no value
     * since), the answer is no, and {@link #update} checks each fingerprint as before, so a stale
     * state is replaced exactly when it was before. Everything that writes a state writes its
     * fingerprint with it, so a yes stays true until the digest changes.
     */
    private boolean scalesChecked(List<String> metrics, SpecSet.SeriesSpecs resolved)
            throws Exception {
        long digest = resolved.fingerprintHash();
        Long seen = checkedScales.value();
        if (seen != null && seen == digest) {
            return true;
        }
        for (int i = 0; i < metrics.size(); i++) {
            String fingerprint = resolved.fingerprint(i);
            if (fingerprint == null) {
                continue; // not scored on this series: its state, if any, is never read
            }
            String metric = metrics.get(i);
            if (!fingerprint.equals(stateFingerprint.get(metric))
                    && detectorState.contains(metric)) {
                return false;
            }
        }
        checkedScales.update(digest);
        return true;
    }

    private void dropUnconfigured(List<String> configured) throws Exception {
        Set<String> keep = new HashSet<>(configured);
        List<String> drop = new ArrayList<>();
        for (String m : detectorState.keys()) {
            if (!keep.contains(m)) {
                drop.add(m);
            }
        }
        for (String m : drop) {
            detectorState.remove(m);
            stateFingerprint.remove(m);
        }
    }

    @Override
    public void processBroadcastElement(
            SpecUpdate update, Context ctx, Collector<ScoredAggregate> out) throws Exception {
        SpecRejection rejection =
                specs.offer(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR), update);
        if (rejection != null) {
            rejections.inc();
            ctx.output(REJECTED, rejection);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup == timestamp) {
            detectorState.clear();
            stateFingerprint.clear();
            checkedScales.clear();
            recentScores.clear();
            lastScoredWindow.clear();
            specVersionSeen.clear();
            cleanupAt.clear();
            Long gap = gapCheckAt.value();
            if (gap != null) {
                ctx.timerService().deleteEventTimeTimer(gap);
                gapCheckAt.clear();
            }
            emptyRun.clear();
            heldRows.clear();
            return;
        }
        Long gap = gapCheckAt.value();
        if (gap != null && gap == timestamp) {
            gapCheckAt.clear();
            decide(timestamp, ctx, out);
        }
        List<Long> expired = new ArrayList<>();
        for (Long windowStart : recentScores.keys()) {
            if (windowStart < timestamp - retainScoresMs) {
                expired.add(windowStart);
            }
        }
        for (Long w : expired) {
            recentScores.remove(w);
        }
    }

    /**
     * Decides the series' windows in order, up to the first one the watermark has not decided yet:
     * a held row is scored; a window without a row whose end plus the allowed lateness the
     * watermark has passed is empty. The metrics stage emits no row for an empty window, so without
     * this a segment whose traffic drops to zero (a browser or a country cut off by an outage)
     * would never be scored at all: its detector would simply stop hearing from it. For {@code
     * zeroFillWindows} empty windows in a row its page views are scored as 0 and signalled (no
     * document: a window without traffic has none); after that empty windows are skipped and the
     * series waits, without a timer, for its next row (a series gone for good is cleared by the
     * idle TTL).
     */
    private void decide(long now, OnTimerContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        // The end of a bounded input is not an empty window: the final watermark fires every
        // pending decision at once, and scoring them would report the whole site as gone. Rows
        // still held are scored.
        boolean end = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        Long lastDecided = lastScoredWindow.value();
        if (lastDecided == null) {
            return;
        }
        long last = lastDecided;
        while (true) {
            long next = last + windowMs;
            MetricAggregate held = heldRows.get(next);
            if (held != null) {
                heldRows.remove(next);
                scoreWindow(held, ctx, out);
                emptyRun.clear();
                last = next;
                continue;
            }
            if (!end && decisionTime(next) > now) {
                scheduleDecision(decisionTime(next), ctx);
                return;
            }
            long run = emptyRun.value() == null ? 0 : emptyRun.value();
            if (!end && run < zeroFillWindows) {
                zeroWindow(next, ctx);
                emptyRun.update(run + 1);
            } else if (heldRows.isEmpty()) {
                if (end) {
                    emptyRun.clear();
                }
                return; // idle: the next row resumes the series
            }
            last = next;
            lastScoredWindow.update(last);
        }
    }

    /** Scores an empty window's page views as 0 (signals only; no row is written). */
    private void zeroWindow(long windowStart, OnTimerContext ctx) throws Exception {
        String key = ctx.getCurrentKey();
        if (key.chars().filter(c -> c == 0).count() != 2) {
            return;
        }
        SpecSet active = specs.active(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR));
        String[] id = SeriesKey.split(key);
        MetricAggregate empty = new MetricAggregate();
        empty.app = id[0];
        empty.dimension = id[1];
        empty.dimensionValue = id[2];
        empty.windowStart = windowStart;
        empty.windowEnd = windowStart + windowMs;
        empty.id = id[0] + "|" + id[1] + "|" + id[2] + "|" + windowStart;
        scoreRow(active, empty, ScoredAggregate.of(empty), ctx, true);
    }
}
