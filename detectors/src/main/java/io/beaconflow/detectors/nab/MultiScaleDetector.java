package io.beaconflow.detectors.nab;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.InputCheck;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.PointStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Multi-scale evidence: the same {@link Detector} run on the series itself and on its rolling means
 * over several scales, with one shared cooldown. A point is a detection when any scale opens an
 * alert and no detection happened in the last {@code alerting.cooldown_points} points.
 *
 * <p>What it detects that one scale misses: a level shift or a slow drift that stays inside the
 * point-to-point noise. A rolling mean over k points has about 1/√k of the noise, so the same shift
 * stands k^½ times more standard deviations out at scale k (a shift of 1.5 σ is 5.2 σ of the
 * 12-point mean). Each scale keeps its own baseline, seasonal slots and novelty memory, so each is
 * judged against its own history: no threshold is tuned per scale. Spikes are still caught by scale
 * 1, within a point.
 *
 * <p>Knobs: {@code scales} (points per rolling mean; 1 is the raw series) in the NAB spec file's
 * {@code nab:} section ({@link NabSpec}); everything else is the metric's detector spec, the same
 * for every scale. The shared cooldown is the spec's {@code alerting.cooldown_points}, so one
 * incident that opens an alert on several scales at slightly different times is one detection.
 *
 * <p>Known false positives: the larger scales answer later (a k-point mean reaches half of a step
 * after k/2 points), and a long scale sees the end of an incident as a second shift; the shared
 * cooldown absorbs most of these. Scales are counted in points, not time: on hourly data a scale of
 * 12 is half a day.
 */
public final class MultiScaleDetector {
    private final Detector detector;
    private final int[] scales;
    private final int longest;

    /**
     * @param spec the detector spec applied at every scale
     * @param scales points per rolling mean, each ≥ 1, distinct (1 = the raw series)
     */
    public MultiScaleDetector(DetectorSpec spec, List<Integer> scales) {
        Objects.requireNonNull(scales, "scales");
        if (scales.isEmpty()) {
            throw new IllegalArgumentException("scales must not be empty");
        }
        this.detector = new Detector(spec);
        this.scales = scales.stream().mapToInt(Integer::intValue).toArray();
        int max = 0;
        for (int i = 0; i < this.scales.length; i++) {
            if (this.scales[i] < 1) {
                throw new IllegalArgumentException("scale " + this.scales[i] + " must be >= 1");
            }
            for (int j = 0; j < i; j++) {
                if (this.scales[j] == this.scales[i]) {
                    throw new IllegalArgumentException("scale " + this.scales[i] + " repeated");
                }
            }
            max = Math.max(max, this.scales[i]);
        }
        this.longest = max;
    }

    public DetectorSpec spec() {
        return detector.spec();
    }

    public List<Integer> scales() {
        return Arrays.stream(scales).boxed().toList();
    }

    /** Fresh state for one series. */
    public State newState() {
        State s = new State();
        s.perScale = new DetectorState[scales.length];
        for (int i = 0; i < scales.length; i++) {
            s.perScale[i] = detector.newState();
        }
        s.recent = new double[longest];
        return s;
    }

    /**
     * Scores one point on every scale and folds it in.
     *
     * @return the point's result: {@code alertOpened} is the shared detection, {@code score} the
     *     largest score over the scales, the band and z those of the scale with that score
     */
    public PointResult update(State s, long timestampMillis, double value) {
        PointStatus invalid =
                InputCheck.refusal(
                        detector.spec(), s.lastTimestamp, timestampMillis, value, Double.NaN);
        if (invalid != null) {
            // Neither the raw series nor any rolling mean may take the point.
            s.skipped++;
            return PointResult.skipped(timestampMillis, value, invalid, false);
        }
        s.recent[(int) (s.accepted % longest)] = value;
        s.accepted++;
        s.lastTimestamp = timestampMillis;
        PointResult best = null;
        boolean opened = false;
        for (int i = 0; i < scales.length; i++) {
            int k = scales[i];
            if (s.accepted < k) {
                continue;
            }
            PointResult r = detector.update(s.perScale[i], timestampMillis, rollingMean(s, k));
            opened |= r.alertOpened();
            if (best == null || r.score() > best.score()) {
                best = r;
            }
        }
        boolean detection = false;
        if (s.cooldownLeft > 0) {
            s.cooldownLeft--;
        } else if (opened) {
            detection = true;
            s.cooldownLeft = detector.spec().alerting().cooldownPoints();
        }
        if (best == null) {
            // No scale has k points yet (only when scale 1 is not configured): nothing to judge.
            return PointResult.skipped(timestampMillis, value, PointStatus.SCORED, false);
        }
        return new PointResult(
                timestampMillis,
                value,
                best.status(),
                best.baseline(),
                best.expected(),
                best.lower(),
                best.upper(),
                best.z(),
                best.score(),
                best.direction(),
                best.anomaly(),
                detection,
                detection || best.alertOpen(),
                // No working scale across the scales: no residual, no spread.
                Double.NaN,
                Double.NaN);
    }

    /**
     * Mean of the last k accepted values, summed afresh every time (at most {@code longest} terms)
     * so no running-sum rounding accumulates over a long series.
     */
    static double rollingMean(State s, int k) {
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += s.recent[(int) Math.floorMod(s.accepted - 1 - j, (long) s.recent.length)];
        }
        return sum / k;
    }

    /** Mutable state of one series: one detector state per scale and the last values. */
    public static final class State {
        public DetectorState[] perScale;

        /** Ring buffer of the last {@code longest scale} accepted values. */
        public double[] recent;

        public long accepted;

        /** Points skipped (NaN, infinite, negative where not allowed, out of order, duplicate). */
        public long skipped;

        public long lastTimestamp = Long.MIN_VALUE;

        /** Points left before the next detection may open (shared by all scales). */
        public int cooldownLeft;
    }
}
