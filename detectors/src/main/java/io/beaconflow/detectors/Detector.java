package io.beaconflow.detectors;

import io.beaconflow.detectors.baseline.Estimate;
import io.beaconflow.detectors.baseline.EwmaBaseline;
import io.beaconflow.detectors.baseline.SeasonalBaseline;
import io.beaconflow.detectors.evidence.DriftEvidence;
import io.beaconflow.detectors.evidence.PooledEvidence;
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
 * <p>Known false positives: the first periods after a lasting level shift (until {@code
 * relearn_after}); holidays and one-off traffic events against a seasonal baseline; a series whose
 * normal behaviour is rarer than the baseline's memory (a weekly batch job on an hourly EWMA).
 */
public final class Detector {
    private final DetectorSpec spec;
    private final ZoneRules zoneRules;
    private final double noveltyDecay;

    public Detector(DetectorSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.zoneRules = spec.timeZone().getRules();
        this.noveltyDecay =
                spec.noveltyHalfLife() > 0 ? Math.pow(0.5, 1.0 / spec.noveltyHalfLife()) : 0;
    }

    public DetectorSpec spec() {
        return spec;
    }

    public DetectorState newState() {
        DetectorState s = new DetectorState();
        if (spec.slotCount() > 0) {
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

    /**
     * Scores one point and folds it into the state.
     *
     * @param timestampMillis event time; must increase from point to point
     * @param value the observation (for the proportion scorer: the rate in [0, 1])
     * @param denominator the window's volume (views for an error rate, samples behind a
     *     percentile), or NaN when there is none; required by the proportion scorer
     * @param sessions the window's session bitmap ({@link Visitors}), 0 when not known
     */
    public PointResult update(
            DetectorState s,
            long timestampMillis,
            double value,
            double denominator,
            long sessions) {
        PointStatus invalid = validate(s, timestampMillis, value, denominator);
        if (invalid != null) {
            count(s, invalid);
            return PointResult.skipped(timestampMillis, value, invalid, s.alertOpen);
        }
        double y = spec.transform().apply(value, spec.logOffset());

        int slot = -1;
        long period = 0;
        if (spec.slotCount() > 0) {
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
        double deviationCenter = Double.NaN;
        Deviation d = e.kind() != BaselineKind.NONE ? deviation(e, y, value, denominator, s) : null;
        DriftEvidence.Verdict drift = DriftEvidence.Verdict.NONE;
        double yDrift =
                spec.driftEnabled() && d != null
                        ? DriftEvidence.clip(spec, y, d.expected(), d.spread())
                        : y;
        if (spec.driftEnabled()) {
            drift =
                    DriftEvidence.observe(
                            s,
                            spec,
                            yDrift,
                            spec.zThreshold() * (wasOpen ? CLEAR_FRACTION : 1),
                            s.ewVolume > 0 ? s.ewVolume : Double.NaN);
            if (d == null) {
                drift = drift.quiet();
            }
        }
        if (d != null) {
            deviationCenter = d.expected();
            PooledEvidence.Verdict pooled =
                    pool(s, d, poolSpread(e, d, denominator, s), value, denominator, sessions);
            // A window that completes pooled evidence of a shift is part of that shift: it must
            // not teach the baseline the shifted level (a thin segment's incident would otherwise
            // be learned away before its evidence adds up). The same for a drift.
            outlier = d.significant() || pooled.significant() || drift.significant();
            // The robust down-weighting looks at the pooled evidence too: a thin segment's
            // incident windows are each unremarkable, but learning them at full weight would pull
            // the baseline up before their pooled evidence is complete. And at the drift test: a
            // baseline that keeps learning a ramp is what hides it.
            absZ = Math.max(Math.abs(d.z()), Math.abs(pooled.z()));
            result =
                    judge(
                            s,
                            timestampMillis,
                            value,
                            denominator,
                            sessions,
                            e.kind(),
                            d,
                            pooled,
                            drift);
        } else if (spec.hasStaticBudget()) {
            result = judgeStatic(s, timestampMillis, value, denominator);
        } else {
            result =
                    hysteresis(s, timestampMillis, value, BaselineKind.NONE, nan(), 0, null, false);
        }

        s.outlierRun = outlier ? s.outlierRun + 1 : 0;
        double weight = 1;
        boolean relearn = spec.relearnAfter() > 0 && s.outlierRun > spec.relearnAfter();
        if (outlier && !relearn) {
            weight = spec.anomalyWeight();
        } else if (!outlier && wasOpen && spec.freezeWhileOpen()) {
            // An open alert's quieter windows are still the incident (an error spike on 30 views
            // a minute does not clear the threshold every minute): learning them would raise the
            // baseline until the incident looks normal and the alert resolves while it lasts.
            // The alert closes after clear_points normal windows; a lasting shift is relearned
            // after relearn_after outliers as before.
            weight = spec.anomalyWeight();
        } else if (!outlier && spec.robustZ() > 0 && absZ > spec.robustZ()) {
            // Near the threshold but not beyond it: most likely the start of an incident or a
            // fluke, so it moves the baseline less (a Huber-like influence limit). Without this
            // a drop that misses the threshold by a hair drags the mean and widens the band, and
            // the next, clearer windows no longer stand out.
            double r = spec.robustZ() / absZ;
            weight = r * r;
        }
        if (!Double.isNaN(denominator) && s.ewVolume > 0 && denominator < s.ewVolume) {
            // A thin window says little: it moves the baseline in proportion to its volume.
            weight *= denominator / s.ewVolume;
        }
        if (spec.baselineMinEvents() > 0
                && spec.scorer() == ScorerKind.PROPORTION
                && !Double.isNaN(denominator)
                && s.ewmaCount > 0) {
            // A rate is known from its events, not its windows. An EWMA of alpha 0.05 remembers
            // ~40 windows: 2,000 errors on a busy app, but 2.4 on a segment of 4 views a minute at
            // 1.5 %, whose expected rate then wanders between 0 and 3 % on chance alone, learns a
            // 30-minute spike as it happens, and pools its residuals against that wander (the
            // scale's calibration measured twice the variance a binomial gives). The memory is
            // stretched until it holds min_events expected errors: memory ~ 2/alpha windows of
            // n·p errors each. Busy series keep their alpha.
            // (the rate floored at half an error in the default memory, so a route that has
            // never failed still learns)
            double typical = s.ewVolume > 0 ? s.ewVolume : denominator;
            double p = ProportionScorer.nullRate(s.ewmaMean, typical * 2 / spec.alpha());
            // Until then it is a running mean (1/n), as EwmaBaseline's own warm-up.
            double alphaForEvents =
                    Math.max(
                            2 * denominator * p / spec.baselineMinEvents(),
                            1.0 / (s.ewmaCount + 1));
            double alpha = alphaNow(s);
            if (alphaForEvents < alpha) {
                weight *= alphaForEvents / alpha;
            }
        }
        if (spec.noveltyHalfLife() > 0 && e.kind() != BaselineKind.NONE) {
            double dev = Math.abs(y - deviationCenter);
            s.peakDeviation = Math.max(dev, s.peakDeviation * noveltyDecay);
        }
        boolean nearThreshold = spec.robustZ() > 0 && absZ > spec.robustZ();
        if (!outlier
                && !wasOpen
                && spec.evidenceWindows() > 1
                && !(spec.evidenceAnchored() && nearThreshold)) {
            // Anchored scales: a window near the threshold (the ones the baseline learns less
            // from) is most likely the start of an incident, whose anchored z grows with every
            // window; folded into the calibration it widened the scales by a third before the
            // evidence was complete (news-web /topics: pooled z 5.6 divided down to 4.2). Scales
            // on their own expectations keep every normal window: there the heavy tail of a
            // percentile's pooled z is what the calibration must see (leaving those windows out
            // raised false alerts from 2 to 27 on two runs).
            PooledEvidence.calibrate(s, spec, spec.zThreshold());
        }
        learn(s, y, denominator, slot, period, weight, e);
        if (spec.driftEnabled()) {
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

    private PointStatus validate(DetectorState s, long ts, double value, double denominator) {
        if (Double.isNaN(value)) {
            return PointStatus.SKIPPED_NAN;
        }
        if (Double.isInfinite(value) || Double.isInfinite(denominator)) {
            return PointStatus.SKIPPED_INFINITE;
        }
        if (value < 0 && !spec.allowNegative()) {
            return PointStatus.SKIPPED_NEGATIVE;
        }
        if (!spec.transform().accepts(value, spec.logOffset())) {
            return PointStatus.SKIPPED_NEGATIVE;
        }
        if (spec.scorer() == ScorerKind.PROPORTION) {
            if (Double.isNaN(denominator)) {
                return PointStatus.SKIPPED_MISSING_DENOMINATOR;
            }
            if (value > 1 || value < 0) {
                return PointStatus.SKIPPED_OUT_OF_RANGE;
            }
        }
        if (!Double.isNaN(denominator) && denominator <= 0) {
            return PointStatus.SKIPPED_NO_VOLUME;
        }
        if (s.lastTimestamp != Long.MIN_VALUE) {
            if (ts < s.lastTimestamp) {
                return PointStatus.SKIPPED_OUT_OF_ORDER;
            }
            if (ts == s.lastTimestamp) {
                return PointStatus.SKIPPED_DUPLICATE;
            }
        }
        return null;
    }

    private static void count(DetectorState s, PointStatus status) {
        switch (status) {
            case SKIPPED_NAN -> s.skippedNaN++;
            case SKIPPED_INFINITE -> s.skippedInfinite++;
            case SKIPPED_NEGATIVE -> s.skippedNegative++;
            case SKIPPED_OUT_OF_RANGE -> s.skippedOutOfRange++;
            case SKIPPED_MISSING_DENOMINATOR -> s.skippedMissingDenominator++;
            case SKIPPED_NO_VOLUME -> s.skippedNoVolume++;
            case SKIPPED_OUT_OF_ORDER -> s.skippedOutOfOrder++;
            case SKIPPED_DUPLICATE -> s.skippedDuplicate++;
            default -> throw new IllegalStateException("not a skip: " + status);
        }
    }

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
                                toOriginal(d.expected()), value, d.spread(), spec.zThreshold())) {
                    return new Deviation(d.expected(), d.spread(), d.z(), false);
                }
                return d;
        }
    }

    /**
     * Pushes this window into the pooled-evidence ring and returns the verdict of the longer scales
     * (2 windows and more; one window is judged by {@link #judge} itself), counted only when this
     * window deviates the same way. While an alert is open only scales up to {@link
     * #OPEN_SCALE_WINDOWS} and half the threshold hold it open: a long scale remembers an incident
     * for as many windows as it spans, and must not keep the alert open after the incident ended.
     */
    /**
     * The standard error this window enters the pooled scales with: the scorer's own, except for
     * proportions, whose single-window lift would blunt every scale on a thin segment (see {@link
     * ProportionScorer#pooledSpread}).
     */
    private double poolSpread(Estimate e, Deviation d, double denominator, DetectorState s) {
        if (spec.scorer() != ScorerKind.PROPORTION
                || spec.evidenceWindows() <= 1
                || !spec.evidencePooledRate()) {
            return d.spread();
        }
        return ProportionScorer.pooledSpread(e, denominator, s, spec, spec.evidenceWindows());
    }

    private PooledEvidence.Verdict pool(
            DetectorState s,
            Deviation d,
            double spread,
            double value,
            double denominator,
            long sessions) {
        if (spec.evidenceWindows() <= 1) {
            return PooledEvidence.Verdict.NONE;
        }
        double y = spec.transform().apply(value, spec.logOffset());
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
                toOriginal(d.expected()),
                nullRate,
                sessions);
        PooledEvidence.Verdict v =
                s.alertOpen
                        ? PooledEvidence.best(
                                s, spec, OPEN_SCALE_WINDOWS, spec.zThreshold() * CLEAR_FRACTION, 0)
                        : PooledEvidence.best(s, spec, spec.evidenceWindows(), spec.zThreshold());
        double residual = y - d.expected();
        boolean agrees = v.windows() > 1 && Math.signum(residual) == Math.signum(v.z());
        return agrees ? v : PooledEvidence.Verdict.NONE;
    }

    /** Longest scale that keeps an open alert open (see {@link #pool}). */
    static final int OPEN_SCALE_WINDOWS = 4;

    private PointResult judge(
            DetectorState s,
            long ts,
            double value,
            double denominator,
            long sessions,
            BaselineKind kind,
            Deviation d,
            PooledEvidence.Verdict pooled,
            DriftEvidence.Verdict drift) {
        double expected = toOriginal(d.expected());
        double lo = toOriginal(d.expected() - spec.zThreshold() * d.spread());
        double hi = toOriginal(d.expected() + spec.zThreshold() * d.spread());
        if (spec.scorer() == ScorerKind.PROPORTION) {
            lo = Math.max(0, lo);
            hi = Math.min(1, hi);
        } else if (!spec.allowNegative()) {
            lo = Math.max(0, lo);
        }
        double delta = value - expected;
        Direction dir = delta > 0 ? Direction.UP : delta < 0 ? Direction.DOWN : null;
        double absZ = Math.abs(d.z());
        double score = Double.isInfinite(absZ) ? 1.0 : absZ / (absZ + spec.zThreshold());
        // Hysteresis on the threshold too: once a series' alert is open, a window has to come
        // back within half the threshold to count as normal. An outage that leaves 20 % of the
        // traffic sits around 3.5-4.5 sigma; with one threshold it flickers "normal" three times
        // in a row and resolves while it lasts.
        boolean beyond =
                d.significant()
                        || (s.alertOpen && Math.abs(d.z()) >= spec.zThreshold() * CLEAR_FRACTION);
        boolean anomaly =
                beyond
                        && spec.direction().accepts(delta)
                        && Math.signum(d.z()) == Math.signum(delta)
                        && Math.abs(delta) >= spec.minAbsChange()
                        && Math.abs(delta) >= spec.minRelChange() * Math.abs(expected)
                        && volumeOk(value, expected, denominator)
                        // Opening takes enough visitors; an open alert is held by its windows.
                        && (s.alertOpen || Visitors.enough(sessions, spec.minSessions()))
                        && novel(
                                s,
                                Math.abs(
                                        d.expected()
                                                - spec.transform().apply(value, spec.logOffset())));
        double z = d.z();
        if (!anomaly && pooled.significant()) {
            // Not enough in this window alone, but the last pooled.windows() windows together
            // are: report their z, so the signal says how strong the evidence is.
            anomaly = true;
            z = pooled.z();
            double absPooled = Math.abs(z);
            score = absPooled / (absPooled + spec.zThreshold());
        } else if (!anomaly && drift.significant()) {
            // No window and no pooled scale stands out against the baseline, which has followed
            // the ramp; the recent level against the slow reference does (DriftEvidence).
            anomaly = true;
            z = drift.z();
            double absDrift = Math.abs(z);
            score = absDrift / (absDrift + spec.zThreshold());
        }
        score = anomaly ? Math.max(0.5, score) : Math.min(score, BELOW_HALF);
        double residual = spec.transform().apply(value, spec.logOffset()) - d.expected();
        return hysteresis(
                s,
                ts,
                value,
                kind,
                new double[] {expected, lo, hi, z, residual, d.spread()},
                score,
                dir,
                anomaly);
    }

    private static final double BELOW_HALF = Math.nextDown(0.5);

    /** While an alert is open, |z| below this fraction of z_threshold counts as recovered. */
    static final double CLEAR_FRACTION = 0.5;

    /**
     * Novelty gate: with {@code novelty.half_life > 0} a deviation must exceed {@code
     * novelty.ratio} times the largest deviation of the recent past (a maximum that halves every
     * half_life points), so spikes that recur as part of normal operation stop alerting.
     */
    private boolean novel(DetectorState s, double deviation) {
        return spec.noveltyHalfLife() <= 0 || deviation > spec.noveltyRatio() * s.peakDeviation;
    }

    private boolean volumeOk(double value, double expected, double denominator) {
        if (spec.minVolume() <= 0) {
            return true;
        }
        if (!Double.isNaN(denominator)) {
            return denominator >= spec.minVolume();
        }
        // Throughput carries its volume in the value, and is judged on the usual volume (the
        // expected count) in both directions. Judging a rise on the observed count let one session
        // in an empty segment pass the gate by itself: a sampled app's single visitor with five
        // views at night counts 20, against an expectation below 1, and the count model (Poisson
        // with the spread learned in busy hours) calls that 6 sigma. Such segments were 14 of the
        // 28 false alerts of three simulated runs (none, dev-1, dev-2, seed 1). A segment that
        // normally carries less than min_volume per window is judged over several windows
        // (evidence), not on one.
        return expected >= spec.minVolume();
    }

    private PointResult judgeStatic(DetectorState s, long ts, double value, double denominator) {
        double lo = spec.staticLower();
        double hi = spec.staticUpper();
        double excess = 0;
        if (!Double.isNaN(hi) && value > hi) {
            excess = value - hi;
        } else if (!Double.isNaN(lo) && value < lo) {
            excess = value - lo;
        }
        double expected = spec.staticExpected();
        Direction dir = excess > 0 ? Direction.UP : excess < 0 ? Direction.DOWN : null;
        boolean anomaly =
                excess != 0
                        && spec.direction().accepts(excess)
                        && volumeOk(value, Double.isNaN(expected) ? value : expected, denominator);
        if (anomaly && spec.scorer() == ScorerKind.PROPORTION) {
            // "Alert above 5 %" means the rate is above 5 %, not that a thin window happened to
            // be: 2 errors in 20 views (10 %) is what a 5 % rate gives one window in 13. The
            // exact binomial tail at the limit must be as rare as z_threshold says.
            anomaly =
                    ProportionScorer.exactTailAgrees(
                            excess > 0 ? hi : lo,
                            value,
                            denominator,
                            excess > 0,
                            spec.zThreshold());
        }
        double limit = excess > 0 ? hi : lo;
        double severity = limit == 0 ? 1 : Math.min(1, Math.abs(excess / limit));
        double score = anomaly ? 0.5 + 0.5 * severity : 0;
        return hysteresis(
                s,
                ts,
                value,
                BaselineKind.STATIC,
                new double[] {expected, lo, hi, Double.NaN, Double.NaN, Double.NaN},
                score,
                dir,
                anomaly);
    }

    private static double[] nan() {
        return new double[] {
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN
        };
    }

    private PointResult hysteresis(
            DetectorState s,
            long ts,
            double value,
            BaselineKind kind,
            double[] band,
            double score,
            Direction dir,
            boolean anomaly) {
        if (anomaly) {
            s.anomalyRun++;
            s.normalRun = 0;
        } else {
            s.normalRun++;
            s.anomalyRun = 0;
        }
        boolean opened = false;
        if (s.alertOpen) {
            if (s.normalRun >= spec.clearPoints()) {
                s.alertOpen = false;
                s.cooldownLeft = spec.cooldownPoints();
                // The incident's evidence is spent: a long scale would still hold its windows for
                // as many windows as it spans and reopen an alert for an incident that is over
                // (a CUSUM restarts after its alarm for the same reason).
                s.evidenceWritten = 0;
            }
        } else if (s.cooldownLeft > 0) {
            s.cooldownLeft--;
        } else if (s.anomalyRun >= spec.triggerPoints()) {
            s.alertOpen = true;
            opened = true;
        }
        return new PointResult(
                ts,
                value,
                PointStatus.SCORED,
                kind,
                band[0],
                band[1],
                band[2],
                band[3],
                score,
                dir,
                anomaly,
                opened,
                s.alertOpen,
                band[4],
                band[5]);
    }

    private void learn(
            DetectorState s,
            double y,
            double denominator,
            int slot,
            long period,
            double weight,
            Estimate used) {
        if (spec.scorer() == ScorerKind.PROPORTION && weight > 0) {
            double p0 = s.ewmaCount > 0 ? s.ewmaMean : y;
            double typical = s.ewVolume > 0 ? s.ewVolume : denominator;
            double sv = ProportionScorer.samplingVariance(p0, denominator, typical);
            s.ewSamplingVar =
                    s.ewmaCount == 0 ? sv : s.ewSamplingVar + alphaNow(s) * (sv - s.ewSamplingVar);
        }
        if (!Double.isNaN(denominator)) {
            s.ewVolume =
                    s.ewVolume == 0
                            ? denominator
                            : s.ewVolume + alphaNow(s) * (denominator - s.ewVolume);
        }
        if (spec.smoothingAlpha() > 0) {
            double a = Math.max(spec.smoothingAlpha(), 1.0 / (s.fastCount + 1));
            s.fastMean = s.fastCount == 0 ? y : s.fastMean + a * (y - s.fastMean);
            s.fastCount++;
        }
        EwmaBaseline.update(s, y, spec.alpha(), weight);
        if (slot >= 0) {
            SeasonalBaseline.update(s, spec, slot, period, y, weight);
        }
    }

    private double alphaNow(DetectorState s) {
        return Math.max(spec.alpha(), 1.0 / (s.ewmaCount + 1));
    }

    private double toOriginal(double y) {
        return spec.transform().invert(y, spec.logOffset());
    }
}
