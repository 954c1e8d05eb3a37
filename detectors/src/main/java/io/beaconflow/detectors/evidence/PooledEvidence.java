package io.beaconflow.detectors.evidence;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.ScorerKind;
import io.beaconflow.detectors.scorer.ProportionScorer;

/**
 * Evidence over several time scales: the residuals of the last 1, 2, 4, ... {@code
 * evidence.max_windows} windows of one series are pooled and tested as one observation.
 *
 * <p>The scales are {@link io.beaconflow.detectors.EvidenceSpec#scales}: 1, 2, 4, ... or, with
 * {@code evidence.scales_per_octave: 2}, 1, 2, 3, 4, 6, 8, ...
 *
 * <p>Why: one-minute decisions are blind on thin segments. An error rate going from 2 % to 12 % on
 * 20 views a minute never leaves a one-minute band (2.4 errors against 0.4 expected), but eight
 * such minutes are 19 errors against 3.2, which no baseline explains. A busy series still answers
 * on the first scale (one window), so it keeps alerting within a window or two.
 *
 * <p>How: each window i contributes its residual {@code d_i = y_i − μ} on the scorer's working
 * scale, against the expectation μ the baseline had before the scale's first window (the anchor,
 * see {@link #anchoredZ}: the baseline must not have learned the windows it is tested on), and the
 * scorer's own standard error {@code σ_i} of that window (thin windows already have a wide one,
 * error rates include the overdispersion the baseline measured). Over the last L windows the
 * inverse-variance weighted mean shift is tested: {@code Z_L = Σ(d_i/σ_i²) / √Σ(1/σ_i²)}, which is
 * standard normal when every window is on its baseline (and the most powerful test of a common
 * shift). The gates (direction, minimum absolute and relative change, minimum volume) are applied
 * to the pooled shift and the pooled volume (and {@code min_sessions} to the visitors of the
 * scale's windows that lean its way, see {@link Visitors}), so a segment of 5 views a minute can
 * pass a 20-view volume gate over 4 minutes; error rates also need the exact binomial tail of the
 * pooled errors in the pooled views to agree.
 *
 * <p>The ring lives in {@link DetectorState} (primitive arrays, so Flink keeps it as a POJO).
 *
 * <p>Known false positives: a slow drift of the baseline itself (the pooled residuals share the
 * drift); for 64 windows on a per-minute series that is an hour, which the seasonal slots absorb.
 */
public final class PooledEvidence {
    private PooledEvidence() {}

    /** The best scale's verdict. */
    public record Verdict(
            int windows,
            double z,
            double expected,
            double observed,
            double volume,
            boolean significant) {
        public static final Verdict NONE = new Verdict(0, 0, Double.NaN, Double.NaN, 0, false);
    }

    /** Sizes (or resizes, dropping history) the ring for {@code spec.evidence().maxWindows()}. */
    public static void ensureSized(DetectorState s, DetectorSpec spec) {
        int n = spec.evidence().maxWindows();
        if (s.evidenceResidual == null
                || s.evidenceResidual.length != n
                || s.evidenceShift == null) {
            // (no evidenceShift: state from a version before the cap; its ring restarts)
            s.evidenceResidual = new double[n];
            s.evidenceShift = new double[n];
            s.evidenceWeight = new double[n];
            s.evidenceCenter = new double[n];
            s.evidenceVolume = new double[n];
            s.evidenceEvents = new double[n];
            s.evidenceNullEvents = new double[n];
            s.evidenceWritten = 0;
        }
        if (s.evidenceSessions == null || s.evidenceSessions.length != n) {
            // (none: state from a version before min_sessions; its windows count as unknown)
            s.evidenceSessions = new long[n];
        }
        int scales = spec.evidence().scales().length;
        if (s.evidenceZ2 == null || s.evidenceZ2.length != scales) {
            s.evidenceZ2 = new double[scales];
            s.evidenceZ2Count = new long[scales];
        }
    }

    /**
     * The raw pooled z of the last {@code l} windows against the expectation the baseline had
     * <b>before the first of them</b> (the scale's anchor), each window's residual clipped at
     * {@code evidence.cap} standard errors when a cap is set.
     *
     * <p>Why the anchor: the baseline keeps learning during the scale's windows, so window i's own
     * expectation already holds windows 1..i−1 of the same scale. Against their own expectations a
     * thin segment's sustained shift is learned away before its evidence adds up: an error rate
     * going from 2 % to 16 % on ten views a minute raised its EWMA to 5 % within 20 minutes, and
     * the 32-window scale then saw 38 errors against 13.5 expected (z 5.2) instead of against 6.8
     * (z 8). Anchored, a scale tests "the last l windows against what was expected before them",
     * which is the question. The calibration ({@link ScaleCalibration#inflation}) measures the same
     * anchored z in normal operation, so a baseline that trails a daily ramp over l windows is paid
     * for there.
     */
    static double rawZ(DetectorState s, DetectorSpec spec, int l) {
        return spec.evidence().anchored() ? anchoredZ(s, spec, l) : ownZ(s, l);
    }

    /**
     * The ring slot of the newest window ({@code written} ≥ 1 windows written into {@code n}
     * slots). The scans below step back from it with {@link #previous}: the slot of the m-th newest
     * window is {@code (written - m) % n}, here without a long division per window (the scans run
     * for every scale of every scored point; docs/benchmarks.md, "Session 2026-12-07 (6)").
     */
    static int newest(long written, int n) {
        return (int) ((written - 1) % n);
    }

    /** The ring slot before {@code slot}. */
    static int previous(int slot, int n) {
        return (slot == 0 ? n : slot) - 1;
    }

    /** The raw pooled z of the last {@code l} windows, each against its own expectation. */
    static double ownZ(DetectorState s, int l) {
        return ownZ(s, l, 0, 0);
    }

    /**
     * {@link #ownZ(DetectorState, int)} leaving out the windows of the visitors in {@code without}
     * that have fewer than {@code thinBelow} visitors (see {@link #standsWithoutOne}).
     */
    static double ownZ(DetectorState s, int l, long without, int thinBelow) {
        int n = s.evidenceResidual.length;
        double a = 0;
        double b = 0;
        // Newest first, stepping back around the ring (no long division per window).
        for (int m = 1, j = newest(s.evidenceWritten, n); m <= l; m++, j = previous(j, n)) {
            if (leftOut(s.evidenceSessions[j], without, thinBelow)) {
                continue;
            }
            a += s.evidenceResidual[j];
            b += s.evidenceWeight[j];
        }
        return b > 0 ? a / Math.sqrt(b) : 0;
    }

    static double anchoredZ(DetectorState s, DetectorSpec spec, int l) {
        return anchoredZ(s, spec, l, 0, 0);
    }

    /**
     * {@link #anchoredZ(DetectorState, DetectorSpec, int)} leaving out the windows of the visitors
     * in {@code without} that have fewer than {@code thinBelow} visitors (the anchor stays the
     * scale's first window).
     */
    static double anchoredZ(
            DetectorState s, DetectorSpec spec, int l, long without, int thinBelow) {
        int n = s.evidenceResidual.length;
        long written = s.evidenceWritten;
        int oldest = (int) ((written - l) % n);
        double anchor = s.evidenceCenter[oldest] / s.evidenceWeight[oldest];
        double cap = spec.evidence().cap();
        double a = 0;
        double b = 0;
        for (int m = 1, j = newest(written, n); m <= l; m++, j = previous(j, n)) {
            if (leftOut(s.evidenceSessions[j], without, thinBelow)) {
                continue;
            }
            double w = s.evidenceWeight[j];
            double r = (s.evidenceShift[j] + s.evidenceCenter[j]) / w - anchor;
            if (cap > 0 && Math.abs(r) * Math.sqrt(w) > cap) {
                r = Math.copySign(cap / Math.sqrt(w), r);
            }
            a += r * w;
            b += w;
        }
        return b > 0 ? a / Math.sqrt(b) : 0;
    }

    /**
     * {@link #anchoredZ(DetectorState, DetectorSpec, int)} from the scale's windows as {@link
     * #best} lays them out, newest first: each window's mean on the working scale ({@code (shift +
     * center) / weight}), the square root of its weight, and its weight. The same operations on the
     * same values, so the same result to the last bit; the per-window division and square root are
     * done once per window instead of once per scale the window is in (a window of the newest two
     * is in all ten of the shipped scales).
     *
     * @param anchor the expectation before the scale's first window
     */
    private static double anchoredZ(
            double anchor, double cap, int l, double[] means, double[] roots, double[] weights) {
        double a = 0;
        double b = 0;
        for (int m = 0; m < l; m++) {
            double w = weights[m];
            double r = means[m] - anchor;
            if (cap > 0 && Math.abs(r) * roots[m] > cap) {
                r = Math.copySign(cap / roots[m], r);
            }
            a += r * w;
            b += w;
        }
        return b > 0 ? a / Math.sqrt(b) : 0;
    }

    /**
     * Adds one scored window.
     *
     * @param y observation on the working scale
     * @param center expectation on the working scale
     * @param spread standard error of this window around {@code center} (> 0)
     * @param volume the window's denominator (views, samples), or NaN for counts
     * @param value observation on the metric's scale (for counts: the count)
     * @param expected expectation on the metric's scale
     * @param nullRate for proportions: the expected rate (not lifted; the scale's exact tail lifts
     *     the pooled rate once, see {@link #best}), else ignored
     * @param sessions the window's session bitmap ({@link Visitors}), 0 when not known
     */
    public static void push(
            DetectorState s,
            DetectorSpec spec,
            double y,
            double center,
            double spread,
            double volume,
            double value,
            double expected,
            double nullRate,
            long sessions) {
        ensureSized(s, spec);
        if (!(spread > 0) || Double.isNaN(y) || Double.isNaN(center)) {
            return;
        }
        int n = s.evidenceResidual.length;
        int i = (int) (s.evidenceWritten % n);
        double w = 1 / (spread * spread);
        double residual = y - center;
        double cap = spec.evidence().cap();
        if (cap > 0 && Math.abs(residual) > cap * spread) {
            // Huber's clipping: the window counts as |z| = cap (see DetectorSpec#evidenceCap).
            residual = Math.copySign(cap * spread, residual);
        }
        s.evidenceResidual[i] = residual * w;
        s.evidenceShift[i] = (y - center) * w;
        s.evidenceWeight[i] = w;
        s.evidenceSessions[i] = sessions;
        s.evidenceCenter[i] = center * w;
        boolean counts = Double.isNaN(volume);
        // Counts: the usual volume (see AnomalyJudge#volumeOk), not the observed one.
        s.evidenceVolume[i] = counts ? expected : volume;
        if (spec.scorer() == ScorerKind.PROPORTION) {
            s.evidenceEvents[i] = value * volume;
            s.evidenceNullEvents[i] = nullRate * volume;
        }
        s.evidenceWritten++;
    }

    /**
     * Tests every scale whose windows are all in the ring and returns the strongest one that passes
     * the threshold and the gates (or, when none passes, the strongest {@code |Z|} for display).
     *
     * @param maxWindows only scales up to this many windows (e.g. 4 while an alert is open, so a
     *     long scale's memory of the incident does not hold the alert open after it ended)
     * @param threshold the z a scale must reach
     */
    public static Verdict best(
            DetectorState s, DetectorSpec spec, int maxWindows, double threshold) {
        return best(s, spec, maxWindows, threshold, spec.minSessions());
    }

    /**
     * {@link #best(DetectorState, DetectorSpec, int, double)} with the visitors gate given: 0 while
     * an alert is open (it decides whether an alert opens, not how long an open one lasts).
     */
    public static Verdict best(
            DetectorState s, DetectorSpec spec, int maxWindows, double threshold, int minSessions) {
        return best(s, spec, maxWindows, threshold, minSessions, null);
    }

    /**
     * {@link #best(DetectorState, DetectorSpec, int, double, int)} that also writes the raw
     * anchored z of each scale it computes into {@code rawZ} (by scale index; untouched where it
     * computes none), for {@link ScaleCalibration#calibrate(DetectorState, DetectorSpec, double,
     * double[])} on the same ring. Null: not written.
     */
    public static Verdict best(
            DetectorState s,
            DetectorSpec spec,
            int maxWindows,
            double threshold,
            int minSessions,
            double[] rawZ) {
        if (s.evidenceResidual == null || s.evidenceShift == null || s.evidenceWritten == 0) {
            return Verdict.NONE;
        }
        int n = s.evidenceResidual.length;
        long written = s.evidenceWritten;
        double a = 0;
        double shift = 0;
        double b = 0;
        double c = 0;
        double vol = 0;
        double events = 0;
        double nullEvents = 0;
        long known = 0;
        long leaningUp = 0;
        long leaningDown = 0;
        int span = Math.min(n, maxWindows);
        // Thin leaning windows, for standsWithoutOne: only with a visitors gate (a window is thin
        // when it has fewer than minSessions visitors, so without a gate none is).
        long[] upWindows = minSessions > 0 ? new long[span] : null;
        long[] downWindows = minSessions > 0 ? new long[span] : null;
        int ups = 0;
        int downs = 0;
        Verdict strongest = Verdict.NONE;
        Verdict passing = null;
        int[] lengths = spec.evidence().scales();
        int k = -1;
        int next = lengths.length > 0 ? lengths[0] : Integer.MAX_VALUE;
        // Anchored scales: each window's mean and root weight, newest first, computed once here
        // instead of once per scale it is in (see the anchoredZ that reads them).
        double[] means = null;
        double[] roots = null;
        double[] weights = null;
        if (spec.evidence().anchored()) {
            means = new double[span];
            roots = new double[span];
            weights = new double[span];
        }
        double cap = spec.evidence().cap();
        for (int l = 1, i = newest(written, n);
                l <= Math.min(n, maxWindows) && l <= written;
                l++, i = previous(i, n)) {
            if (means != null) {
                double w = s.evidenceWeight[i];
                means[l - 1] = (s.evidenceShift[i] + s.evidenceCenter[i]) / w;
                roots[l - 1] = Math.sqrt(w);
                weights[l - 1] = w;
            }
            a += s.evidenceResidual[i];
            shift += s.evidenceShift[i];
            b += s.evidenceWeight[i];
            c += s.evidenceCenter[i];
            vol += s.evidenceVolume[i];
            events += s.evidenceEvents[i];
            nullEvents += s.evidenceNullEvents[i];
            // Visitors count for a verdict only from windows that lean its way by at least one
            // standard error: the scale's other windows are the baseline's ordinary traffic, and
            // their visitors say nothing about who is slow.
            long bits = s.evidenceSessions[i];
            known |= bits;
            double zi = s.evidenceShift[i] / Math.sqrt(s.evidenceWeight[i]);
            boolean thin = Long.bitCount(bits) < minSessions;
            if (zi >= 1) {
                leaningUp |= bits;
                if (thin) {
                    upWindows[ups++] = bits;
                }
            } else if (zi <= -1) {
                leaningDown |= bits;
                if (thin) {
                    downWindows[downs++] = bits;
                }
            }
            if (l != next) {
                continue;
            }
            k++;
            next = k + 1 < lengths.length ? lengths[k + 1] : Integer.MAX_VALUE;
            // Anchored: against the expectation before the scale's first window (see
            // anchoredZ); one window is its own anchor.
            boolean anchored = spec.evidence().anchored() && l > 1;
            double raw =
                    anchored
                            ? anchoredZ(
                                    s.evidenceCenter[i] / s.evidenceWeight[i],
                                    cap,
                                    l,
                                    means,
                                    roots,
                                    weights)
                            : a / Math.sqrt(b);
            if (anchored && rawZ != null && k < rawZ.length) {
                rawZ[k] = raw;
            }
            double z = l == 1 ? raw : raw / ScaleCalibration.scaleInflation(s, k, l);
            if (Math.abs(z) < threshold && !(Math.abs(z) > Math.abs(strongest.z()))) {
                // Neither passing nor the strongest so far: its verdict would be thrown away, so
                // its values on the metric's scale (an exp() each on a log scale) are not computed.
                continue;
            }
            double centerW = anchored ? s.evidenceCenter[i] / s.evidenceWeight[i] : c / b;
            double expected = spec.toOriginal(centerW);
            // The change gated and shown is the uncapped mean shift: the cap decides whether the
            // windows lean one way (z), not how far they moved once they do.
            double observed = spec.toOriginal((c + shift) / b);
            double nullAtAnchor =
                    anchored && s.evidenceVolume[i] > 0
                            ? s.evidenceNullEvents[i] / s.evidenceVolume[i] * vol
                            : nullEvents;
            boolean ok =
                    Math.abs(z) >= threshold
                            && gates(spec, z, expected, observed, vol)
                            && (known == 0
                                    || Visitors.atLeast(
                                                    z > 0 ? leaningUp : leaningDown, minSessions)
                                            && (l == 1
                                                    || minSessions <= 0
                                                    || standsWithoutOne(
                                                            s,
                                                            spec,
                                                            l,
                                                            k,
                                                            anchored,
                                                            z,
                                                            threshold,
                                                            minSessions,
                                                            z > 0 ? upWindows : downWindows,
                                                            z > 0 ? ups : downs)))
                            && (spec.scorer() != ScorerKind.PROPORTION
                                    || vol <= 0
                                    // Lifted once for the whole scale, to half an event in its
                                    // volume: lifting every window's rate to half an event per
                                    // window (as one window's tail does) more than doubled the
                                    // null rate of a ten-view-a-minute route at 2 %, so 22 errors
                                    // in 154 views "agreed" with it at z 4.1.
                                    || ProportionScorer.exactTailAgrees(
                                            ProportionScorer.nullRate(nullAtAnchor / vol, vol),
                                            events / vol,
                                            vol,
                                            z > 0,
                                            threshold));
            Verdict v = new Verdict(l, z, expected, observed, vol, ok);
            if (ok && (passing == null || Math.abs(z) > Math.abs(passing.z()))) {
                passing = v;
            }
            if (Math.abs(z) > Math.abs(strongest.z())) {
                strongest = v;
            }
        }
        return passing != null ? passing : strongest;
    }

    /**
     * Whether a scale's evidence still reaches the threshold without the visitor behind most of it:
     * the visitor set in the most of the thin windows (fewer than {@code minSessions} visitors)
     * leaning the verdict's way, and every thin window it is in, are left out and the scale's z is
     * computed again (same calibration).
     *
     * <p>Why: the visitors gate counts who was there, not who moved the percentile. A thin
     * segment's p75 is whoever sent most of its samples, so one slow visitor browsing for half an
     * hour leans every window it is in, and the visitors passing through at the same time ride
     * along in the same bitmaps. On news-web Germany (none.yaml, seed 1) one session's 14-33 s
     * loads, three visitors who passed by and two from a window that leaned up by chance made 5 and
     * opened an alert. The null this tests is "at most one visitor is unusual": then the other
     * windows are ordinary traffic and their pooled z is the usual one, so it must pass the same
     * threshold. A slowdown that reaches every visitor loses only the few windows one visitor
     * spans.
     *
     * <p>Why thin windows only: a window with {@code minSessions} visitors of its own stands on its
     * own, as a single window does ({@code AnomalyJudge}); and a busy segment's bitmap has most of
     * its bits set, so "every window with that bit" would be most of its windows (news-web US, 25
     * visitors a minute: its latency regression was lost when every window counted).
     */
    private static boolean standsWithoutOne(
            DetectorState s,
            DetectorSpec spec,
            int l,
            int k,
            boolean anchored,
            double z,
            double threshold,
            int minSessions,
            long[] leaning,
            int count) {
        int top = Visitors.mostFrequent(leaning, count);
        if (top < 0) {
            return true; // no thin window leans this way: nothing rests on one visitor
        }
        long without = 1L << top;
        double rest =
                (anchored
                                ? anchoredZ(s, spec, l, without, minSessions)
                                : ownZ(s, l, without, minSessions))
                        / ScaleCalibration.scaleInflation(s, k, l);
        return Math.abs(rest) >= threshold && Math.signum(rest) == Math.signum(z);
    }

    /**
     * A thin window (fewer than {@code thinBelow} visitors) of one of the visitors in {@code
     * without}.
     */
    private static boolean leftOut(long sessions, long without, int thinBelow) {
        return (sessions & without) != 0 && Long.bitCount(sessions) < thinBelow;
    }

    private static boolean gates(
            DetectorSpec spec, double z, double expected, double observed, double volume) {
        double delta = observed - expected;
        if (!spec.direction().accepts(delta)
                || !spec.evidence().direction().accepts(delta)
                || Math.signum(z) != Math.signum(delta)) {
            return false;
        }
        if (Math.abs(delta) < spec.minAbsChange()
                || Math.abs(delta) < spec.minRelChange() * Math.abs(expected)) {
            return false;
        }
        return spec.minVolume() <= 0 || volume >= spec.minVolume();
    }
}
