package io.beaconflow.detectors;

import io.beaconflow.detectors.baseline.EwmaBaseline;
import io.beaconflow.detectors.baseline.SeasonalBaseline;
import io.beaconflow.detectors.scorer.ProportionScorer;

/**
 * How much a scored point teaches the baselines, and folding it in: the EWMA and the seasonal slot,
 * the usual volume per window, the binomial sampling variance (proportions) and the fast smoother.
 *
 * <p>The weight is what keeps an incident from being learned as normal: an outlier is learned at
 * {@code baseline.anomaly_weight} until {@code baseline.relearn_after} consecutive outliers say the
 * level has really moved; with {@code baseline.freeze_while_open} an open alert's quieter windows
 * too; a point near the threshold at {@code (robust_z / |z|)²}; a thin window in proportion to its
 * volume; and for proportions with {@code baseline.min_events} the memory stretches until it holds
 * that many expected events. The spread has one more rule ({@link #spreadWeight}).
 *
 * <p>Known false positives it causes: after a lasting level shift, alerts until relearn_after.
 */
final class BaselineLearning {
    private final DetectorSpec spec;

    BaselineLearning(DetectorSpec spec) {
        this.spec = spec;
    }

    /**
     * The weight in [0, 1] this point is learned at.
     *
     * @param outlier the window, its pooled evidence or the drift test is beyond the threshold
     * @param relearn the outliers have lasted longer than relearn_after
     * @param wasOpen an alert was open before this point
     * @param absZ the larger |z| of the window and its pooled evidence (0 when none)
     */
    double weight(
            DetectorState s,
            boolean outlier,
            boolean relearn,
            boolean wasOpen,
            double absZ,
            double denominator) {
        double weight = 1;
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
        return weight;
    }

    /**
     * The weight in [0, weight] this point teaches the spread at: 0 while the pooled scales lean at
     * least {@code baseline.spread_hold} of the threshold the window's way, else {@code weight}.
     *
     * <p>Why: the robust weight caps a window's pull on the mean, but not on the variance. A window
     * at z ≥ robust_z adds {@code robust_z²} (6.25) times the usual squared residual at weight
     * (robust_z/z)², so each window of an incident that is not yet beyond the threshold widened the
     * band by about a third: news-web US, `load_p75` 1.6× slower, went from a log spread of 0.13 to
     * 0.30 in seven windows, and the pooled evidence that was building never passed (the alert came
     * 27 windows after onset, through another metric). A shift whose pooled evidence is half-way is
     * most likely the start of an incident; its mean still learns as {@code robust_z} says, so a
     * lasting change of level is followed, and once it passes the threshold it is an outlier and
     * {@code relearn_after} decides as before. A single heavy window cannot hold the spread: its
     * pooled z counts only with the windows before it (the cap of {@code evidence.cap}).
     *
     * <p>Shipped on the medians only (0.5 on {@code load_p50} ... {@code fetch_p50}): on the
     * percentiles above the median and the good shares it also leaves out the heavy-tail minutes of
     * ordinary operation, whose pooled z is high too, so the band is learned narrower than the
     * traffic; at 0.5 on the whole latency kind it gained 3 incidents for 15 false alerts in 48
     * simulated days. On the medians, whose windows have a lighter tail, it cost one false alert in
     * 48 simulated days and found a slow backend in 2 runs of 3 instead of none
     * (docs/detector-quality.md, sessions 2026-12-06 and 2026-12-06 (3)).
     *
     * @param pooledZ |z| of the strongest pooled scale (two windows and more) that leans the
     *     window's way, 0 when none
     */
    double spreadWeight(double weight, boolean outlier, double pooledZ) {
        if (!outlier && spec.spreadHold() > 0 && pooledZ >= spec.spreadHold() * spec.zThreshold()) {
            return 0;
        }
        return weight;
    }

    /**
     * Folds working-scale value {@code y} into the baselines at {@code weight}, its spread at
     * {@code spreadWeight} ({@link #spreadWeight}); {@code slot} is the seasonal slot of the point
     * ({@code -1} when seasonal is off) in {@code period}.
     */
    void learn(
            DetectorState s,
            double y,
            double denominator,
            int slot,
            long period,
            double weight,
            double spreadWeight) {
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
        EwmaBaseline.update(s, y, spec.alpha(), spec.spreadAlpha(), weight, spreadWeight);
        if (slot >= 0) {
            SeasonalBaseline.update(s, spec, slot, period, y, weight, spreadWeight);
        }
    }

    /** The EWMA's weight of a new point now: alpha, or 1/n while it is still a running mean. */
    private double alphaNow(DetectorState s) {
        return Math.max(spec.alpha(), 1.0 / (s.ewmaCount + 1));
    }
}
