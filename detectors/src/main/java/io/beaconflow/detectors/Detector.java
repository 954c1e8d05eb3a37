package io.beaconflow.detectors;

import io.beaconflow.detectors.baseline.Estimate;
import io.beaconflow.detectors.baseline.EwmaBaseline;
import io.beaconflow.detectors.baseline.SeasonalBaseline;
import io.beaconflow.detectors.evidence.DriftEvidence;
import io.beaconflow.detectors.evidence.PooledEvidence;
import io.beaconflow.detectors.evidence.ScaleCalibration;
import io.beaconflow.detectors.evidence.Visitors;
import io.beaconflow.detectors.scorer.CountScorer;
import io.beaconflow.detectors.scorer.Deviation;
import io.beaconflow.detectors.scorer.GaussianScorer;
import io.beaconflow.detectors.scorer.ProportionScorer;
import java.time.zone.ZoneRules;
import java.util.Objects;

/**
 * One detector = baseline + scorer + spec. Immutable and thread-safe; all mutable state lives in a
 * {@link DetectorState} that the caller keeps (in Flink: keyed state, one per series).
 *
 * <pre>{@code
 * DetectorState state = detector.newState();
 * PointResult r = detector.update(state, timestampMillis, value, denominator);
 * }</pre>
 *
 * <p>Per point: validate the input (invalid points are skipped with a counter, see {@link
 * PointStatus}); ask the cold-start ladder for a baseline (seasonal slot with {@code min_seasons}
 * periods → EWMA with {@code min_points} points → static budget → none); let the scorer compute z;
 * apply the gates (direction, minimum volume, minimum absolute and relative change); run the
 * hysteresis (trigger points, clear points, cooldown) so that one incident opens one alert; then
 * fold the point into the baselines, down-weighted by {@code anomaly_weight} when it was beyond the
 * threshold, so anomalies do not poison the baseline, until {@code relearn_after} consecutive
 * outliers say the level has really moved.
 *
 * <p>Knobs that matter most: {@code z_threshold}; the gates {@code min_volume}, {@code
 * min_abs_change}, {@code min_rel_change}, {@code min_sessions}; {@code baseline.alpha}; {@code
 * seasonal.period}; the novelty gate; {@code alerting.cooldown_points}. Every knob is documented in
 * {@code flink-conf/detectors/defaults.yaml}.
 *
 * <p>This class runs those steps in order and owns the ones that tie them together (the ladder, the
 * scorer, the pooled evidence); each other step is a class that owns its part of the state: {@link
 * InputCheck} (what is refused, and the skip counters), {@link AnomalyJudge} (band, gates, score),
 * {@link NoveltyGate}, {@link AlertHysteresis} (one incident, one alert) and {@link
 * BaselineLearning} (how much a point teaches the baselines).
 *
 * <p>Known false positives: the first periods after a lasting level shift (until {@code
 * relearn_after}); holidays and one-off traffic events against a seasonal baseline; a series whose
 * normal behaviour is rarer than the baseline's memory (a weekly batch job on an hourly EWMA).
 */
public final class Detector {
    /** Longest scale that keeps an open alert open (see {@link #pool}). */
    static final int OPEN_SCALE_WINDOWS = 4;

    private final DetectorSpec spec;
    private final ZoneRules zoneRules;
    private final NoveltyGate novelty;
    private final AnomalyJudge judge;
    private final BaselineLearning learning;

    public Detector(DetectorSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.zoneRules = spec.seasonal().timeZone().getRules();
        this.novelty = new NoveltyGate(spec);
        this.judge = new AnomalyJudge(spec, novelty);
        this.learning = new BaselineLearning(spec);
    }

    public DetectorSpec spec() {
        return spec;
    }

    public DetectorState newState() {
        DetectorState s = new DetectorState();
        if (spec.seasonal().slotCount() > 0) {
            SeasonalBaseline.ensureSized(s, spec);
        }
        return s;
    }

    /** {@link #update(DetectorState, long, double, double, long)} without visitors. */
    public PointResult update(
            DetectorState s, long timestampMillis, double value, double denominator) {
        return update(s, timestampMillis, value, denominator, 0L);
    }

    /** {@link #update(DetectorState, long, double, double)} without a denominator. */
    public PointResult update(DetectorState s, long timestampMillis, double value) {
        return update(s, timestampMillis, value, Double.NaN);
    }

    /** {@link #update(DetectorState, long, double, double, long, double)} without a median. */
    public PointResult update(
            DetectorState s,
            long timestampMillis,
            double value,
            double denominator,
            long sessions) {
        return update(s, timestampMillis, value, denominator, sessions, Double.NaN);
    }

    /**
     * Scores one point and folds it into the state.
     *
     * @param timestampMillis event time; must increase from point to point
     * @param value the observation (for the proportion scorer: the rate in [0, 1])
     * @param denominator the window's volume (views for an error rate, samples behind a
     *     percentile), or NaN when there is none; required by the proportion scorer
     * @param sessions the window's session bitmap ({@link Visitors}), 0 when not known
     * @param body when the value is a percentile above the median: the same window's median, for
     *     {@code body_share} ({@link BodyCheck}); NaN otherwise
     */
    public PointResult update(
            DetectorState s,
            long timestampMillis,
            double value,
            double denominator,
            long sessions,
            double body) {
        PointStatus refused =
                InputCheck.refusal(spec, s.lastTimestamp, timestampMillis, value, denominator);
        if (refused != null) {
            InputCheck.count(s, refused);
            return PointResult.skipped(timestampMillis, value, refused, s.alertOpen);
        }
        double y = spec.toWorking(value);

        int slot = -1;
        long period = 0;
        if (spec.seasonal().slotCount() > 0) {
            SeasonalBaseline.ensureSized(s, spec);
            long local = SeasonalBaseline.localMinutes(timestampMillis, zoneRules);
            slot = SeasonalBaseline.slotOf(local, spec);
            period = SeasonalBaseline.periodOf(local, spec);
        }
        Estimate e = slot >= 0 ? SeasonalBaseline.estimate(s, spec, slot) : Estimate.NONE;
        if (e.kind() == BaselineKind.NONE) {
            e = EwmaBaseline.estimate(s, spec.minPoints());
        }

        boolean wasOpen = s.alertOpen;
        PointResult result;
        boolean outlier = false;
        double absZ = 0;
        double pooledZ = 0;
        boolean pooledEvidence = false;
        Deviation d = e.kind() != BaselineKind.NONE ? deviation(e, y, value, denominator, s) : null;
        DriftEvidence.Verdict drift = DriftEvidence.Verdict.NONE;
        double yDrift =
                spec.drift().enabled() && d != null
                        ? DriftEvidence.clip(spec, y, d.expected(), d.spread())
                        : y;
        if (spec.drift().enabled()) {
            drift =
                    DriftEvidence.observe(
                            s,
                            spec,
                            yDrift,
                            wasOpen ? AlertHysteresis.holdThreshold(spec) : spec.zThreshold(),
                            s.ewVolume > 0 ? s.ewVolume : Double.NaN);
            if (d == null) {
                drift = drift.quiet();
            }
        }
        // The raw z of each anchored scale, as the verdict computed it; the calibration below
        // reads the same ring, so it takes them instead of scanning every scale again.
        double[] rawZ = null;
        if (d != null) {
            rawZ = spec.evidence().pooled() ? unknownRawZ() : null;
            PooledEvidence.Verdict pooled =
                    pool(
                            s,
                            d,
                            poolSpread(e, d, denominator, s),
                            y,
                            value,
                            denominator,
                            sessions,
                            rawZ);
            // A window that completes pooled evidence of a shift is part of that shift: it must
            // not teach the baseline the shifted level (a thin segment's incident would otherwise
            // be learned away before its evidence adds up). The same for a drift.
            outlier = d.significant() || pooled.significant() || drift.significant();
            pooledEvidence = pooled.significant();
            // The robust down-weighting looks at the pooled evidence too: a thin segment's
            // incident windows are each unremarkable, but learning them at full weight would pull
            // the baseline up before their pooled evidence is complete. And at the drift test: a
            // baseline that keeps learning a ramp is what hides it.
            absZ = Math.max(Math.abs(d.z()), Math.abs(pooled.z()));
            pooledZ = Math.abs(pooled.z());
            result =
                    judge.statistical(
                            s,
                            timestampMillis,
                            value,
                            y,
                            denominator,
                            sessions,
                            BodyCheck.share(spec, s, y, body, d.expected()),
                            e.kind(),
                            d,
                            pooled,
                            drift);
        } else if (spec.staticBudget().configured()) {
            result = judge.staticBudget(s, timestampMillis, value, denominator);
        } else {
            result = judge.unjudged(s, timestampMillis, value);
        }

        s.outlierRun = outlier ? s.outlierRun + 1 : 0;
        boolean relearn = spec.relearnAfter() > 0 && s.outlierRun > spec.relearnAfter();
        double weight = learning.weight(s, outlier, relearn, wasOpen, absZ, denominator);
        if (d != null) {
            novelty.remember(s, Math.abs(y - d.expected()));
        }
        boolean nearThreshold = spec.robustZ() > 0 && absZ > spec.robustZ();
        if (!outlier
                && !wasOpen
                && spec.evidence().pooled()
                && !(spec.evidence().anchored() && nearThreshold)) {
            // Anchored scales: a window near the threshold (the ones the baseline learns less
            // from) is most likely the start of an incident, whose anchored z grows with every
            // window; folded into the calibration it widened the scales by a third before the
            // evidence was complete (news-web /topics: pooled z 5.6 divided down to 4.2). Scales
            // on their own expectations keep every normal window: there the heavy tail of a
            // percentile's pooled z is what the calibration must see (leaving those windows out
            // raised false alerts from 2 to 27 on two runs).
            ScaleCalibration.calibrate(s, spec, spec.zThreshold(), rawZ);
        }
        if (pooledEvidence || result.alertOpened()) {
            // Proportions' calibration learns late: the windows it has not folded in yet led up
            // to this evidence, so they are not normal operation (ScaleCalibration#calibrate).
            ScaleCalibration.discardPending(s);
        }
        learning.learn(
                s,
                y,
                denominator,
                slot,
                period,
                weight,
                learning.spreadWeight(weight, outlier, pooledZ));
        BodyCheck.learn(spec, s, y, body, weight);
        if (spec.drift().enabled()) {
            DriftEvidence.learn(
                    s,
                    spec,
                    yDrift,
                    drift.z(),
                    drift.directedZ(),
                    weight,
                    !outlier && !wasOpen,
                    relearn);
            if (wasOpen && !s.alertOpen) {
                DriftEvidence.reset(s);
            }
        }
        s.lastTimestamp = timestampMillis;
        s.accepted++;
        return result;
    }

    /**
     * The scorer's verdict on this window alone; on the count scale with {@code exact_counts} a
     * significant z also needs the exact quasi-Poisson tail to agree.
     */
    private Deviation deviation(
            Estimate e, double y, double value, double denominator, DetectorState s) {
        switch (spec.scorer()) {
            case PROPORTION:
                return ProportionScorer.score(e, value, denominator, s, spec);
            case COUNT:
                return CountScorer.score(e, value, s, spec);
            default:
                Deviation d = GaussianScorer.score(e, y, denominator, s, spec);
                if (d.significant()
                        && spec.exactCounts()
                        && !CountScorer.quasiPoissonAgrees(
                                spec.toOriginal(d.expected()),
                                value,
                                d.spread(),
                                spec.zThresholdFor(d.z()))) {
                    return new Deviation(d.expected(), d.spread(), d.z(), false);
                }
                return d;
        }
    }

    /**
     * The standard error this window enters the pooled scales with: the scorer's own, except for
     * proportions, whose single-window lift would blunt every scale on a thin segment (see {@link
     * ProportionScorer#pooledSpread}).
     */
    private double poolSpread(Estimate e, Deviation d, double denominator, DetectorState s) {
        if (spec.scorer() != ScorerKind.PROPORTION
                || !spec.evidence().pooled()
                || !spec.evidence().pooledRate()) {
            return d.spread();
        }
        return ProportionScorer.pooledSpread(e, denominator, s, spec, spec.evidence().maxWindows());
    }

    /**
     * Pushes this window into the pooled-evidence ring and returns the verdict of the longer scales
     * (2 windows and more; one window is judged by {@link AnomalyJudge#statistical} itself),
     * counted only when this window deviates the same way. While an alert is open only scales up to
     * {@link #OPEN_SCALE_WINDOWS} and half the threshold hold it open: a long scale remembers an
     * incident for as many windows as it spans, and must not keep the alert open after the incident
     * ended.
     */
    private PooledEvidence.Verdict pool(
            DetectorState s,
            Deviation d,
            double spread,
            double y,
            double value,
            double denominator,
            long sessions,
            double[] rawZ) {
        if (!spec.evidence().pooled()) {
            return PooledEvidence.Verdict.NONE;
        }
        double nullRate =
                spec.scorer() == ScorerKind.PROPORTION
                        // The expected rate itself: the lift to half an event per window guards
                        // one window's tail, and is applied once to a whole scale (PooledEvidence).
                        ? Math.min(Math.max(d.expected(), 0), 1)
                        : Double.NaN;
        PooledEvidence.push(
                s,
                spec,
                y,
                d.expected(),
                spread,
                denominator,
                value,
                spec.toOriginal(d.expected()),
                nullRate,
                sessions);
        PooledEvidence.Verdict v =
                s.alertOpen
                        ? PooledEvidence.best(
                                s,
                                spec,
                                OPEN_SCALE_WINDOWS,
                                AlertHysteresis.holdThreshold(spec),
                                0,
                                rawZ)
                        : PooledEvidence.best(
                                s,
                                spec,
                                spec.evidence().maxWindows(),
                                spec.zThreshold(),
                                spec.minSessions(),
                                rawZ);
        double residual = y - d.expected();
        boolean agrees = v.windows() > 1 && Math.signum(residual) == Math.signum(v.z());
        return agrees ? v : PooledEvidence.Verdict.NONE;
    }

    /** One NaN (not computed) per scale of the spec's pooled evidence. */
    private double[] unknownRawZ() {
        double[] z = new double[spec.evidence().scales().length];
        java.util.Arrays.fill(z, Double.NaN);
        return z;
    }
}
