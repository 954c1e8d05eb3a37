package io.beaconflow.detectors.baseline;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.SeasonalPeriod;
import java.time.Instant;
import java.time.zone.ZoneRules;
import java.util.Arrays;

/**
 * Seasonal baseline: one estimate per slot of the day (time of day) or of the week (hour of week),
 * each an exponentially weighted mean and variance over the same slot in past periods, or, with the
 * robust option, the median and 1.4826 × MAD of the slot's last {@code robust_window} values.
 *
 * <p>Slots follow local time in the spec's {@code seasonal.time_zone}: 09:00 stays the 09:00 slot
 * across a daylight-saving change, so the change does not look like an anomaly (on the short day
 * one slot gets no point, on the long day one slot gets two hours of points).
 *
 * <p>A slot that receives m points per period spreads {@code seasonal.alpha} over them ({@code
 * alpha/m} per point, m taken from the slot's previous period), so one period weighs about alpha
 * whatever the sampling step. The slot answers once it has seen {@code seasonal.min_seasons}
 * periods; until then the detector falls back to the EWMA.
 *
 * <p>Known false positives: a holiday or a weekday pattern on a daily period; the first period
 * after a lasting level shift (the EWMA adapts faster than the slots).
 */
public final class SeasonalBaseline {
    private static final double MAD_TO_SD = 1.4826;

    /** 1970-01-01 was a Thursday: shift by 3 days so weekly slot 0 starts on Monday 00:00. */
    private static final long WEEK_SHIFT_MINUTES = 3L * 24 * 60;

    private SeasonalBaseline() {}

    /** Minutes since the epoch in local time of {@code rules}. */
    public static long localMinutes(long timestampMillis, ZoneRules rules) {
        long sec = Math.floorDiv(timestampMillis, 1000L);
        int offset =
                rules.isFixedOffset()
                        ? rules.getOffset(Instant.EPOCH).getTotalSeconds()
                        : rules.getOffset(Instant.ofEpochSecond(sec)).getTotalSeconds();
        return Math.floorDiv(sec + offset, 60L);
    }

    /** Slot index of a local time for the spec's period and slot width. */
    public static int slotOf(long localMinutes, DetectorSpec spec) {
        long shifted = shifted(localMinutes, spec.seasonal().period());
        int period = spec.seasonal().period().minutes();
        return (int) (Math.floorMod(shifted, (long) period) / spec.seasonal().slotMinutes());
    }

    /** Index of the period (day or week number) that contains a local time. */
    public static long periodOf(long localMinutes, DetectorSpec spec) {
        long shifted = shifted(localMinutes, spec.seasonal().period());
        return Math.floorDiv(shifted, (long) spec.seasonal().period().minutes());
    }

    private static long shifted(long localMinutes, SeasonalPeriod p) {
        return p == SeasonalPeriod.WEEK ? localMinutes + WEEK_SHIFT_MINUTES : localMinutes;
    }

    /** Sizes the slot arrays on first use, or restarts them if the slot layout changed. */
    public static void ensureSized(DetectorState s, DetectorSpec spec) {
        int slots = spec.seasonal().slotCount();
        int historyLength = spec.seasonal().robust() ? slots * spec.seasonal().robustWindow() : 0;
        if (s.seasonalSlots == slots
                && s.slotMean != null
                && (s.slotHistory == null ? 0 : s.slotHistory.length) == historyLength) {
            return;
        }
        s.seasonalSlots = slots;
        s.slotMean = new double[slots];
        s.slotVar = new double[slots];
        s.slotCount = new long[slots];
        s.slotPeriods = new long[slots];
        s.slotLastPeriod = new long[slots];
        Arrays.fill(s.slotLastPeriod, Long.MIN_VALUE);
        s.slotPointsPerPeriod = new long[slots];
        s.slotPointsThisPeriod = new long[slots];
        s.slotHistory = historyLength == 0 ? null : new double[historyLength];
        s.slotHistoryWritten = historyLength == 0 ? null : new long[slots];
    }

    /** The slot's estimate, or {@link Estimate#NONE} before {@code min_seasons} periods. */
    public static Estimate estimate(DetectorState s, DetectorSpec spec, int slot) {
        if (s.slotPeriods[slot] < spec.seasonal().minSeasons()) {
            return Estimate.NONE;
        }
        if (spec.seasonal().robust()) {
            int w = spec.seasonal().robustWindow();
            int n = (int) Math.min(w, s.slotHistoryWritten[slot]);
            if (n == 0) {
                return Estimate.NONE;
            }
            double[] values = Arrays.copyOfRange(s.slotHistory, slot * w, slot * w + n);
            double median = median(values);
            for (int i = 0; i < n; i++) {
                values[i] = Math.abs(values[i] - median);
            }
            return new Estimate(BaselineKind.SEASONAL, median, MAD_TO_SD * median(values));
        }
        double var = spec.seasonal().pooledSpread() ? s.seasonalResidualVar : s.slotVar[slot];
        return new Estimate(BaselineKind.SEASONAL, s.slotMean[slot], Math.sqrt(Math.max(0, var)));
    }

    /**
     * Folds {@code x} into its slot with relative weight {@code weight} (0 = skip). Periods are
     * counted even for skipped points, so a slot hit only by anomalies still ages.
     */
    public static void update(
            DetectorState s, DetectorSpec spec, int slot, long period, double x, double weight) {
        update(s, spec, slot, period, x, weight, weight);
    }

    /**
     * As {@link #update(DetectorState, DetectorSpec, int, long, double, double)}, with the slot's
     * and the pooled residual variance learned at their own relative weight {@code spreadWeight} in
     * [0, weight].
     */
    public static void update(
            DetectorState s,
            DetectorSpec spec,
            int slot,
            long period,
            double x,
            double weight,
            double spreadWeight) {
        if (s.slotLastPeriod[slot] != period) {
            if (s.slotLastPeriod[slot] != Long.MIN_VALUE) {
                s.slotPointsPerPeriod[slot] = s.slotPointsThisPeriod[slot];
            }
            s.slotPointsThisPeriod[slot] = 0;
            s.slotLastPeriod[slot] = period;
            s.slotPeriods[slot]++;
        }
        s.slotPointsThisPeriod[slot]++;
        if (weight <= 0) {
            return;
        }
        long n = s.slotCount[slot];
        if (n == 0) {
            s.slotMean[slot] = x;
            s.slotVar[slot] = 0;
        } else {
            // Pooled residual variance: every slot's residuals feed one estimate, which is far
            // steadier than a slot's own variance after a few periods.
            double r = x - s.slotMean[slot];
            double ar =
                    spreadWeight
                            * EwmaBaseline.spreadStep(
                                    Math.max(spec.alpha(), 1.0 / (s.seasonalResidualCount + 1)),
                                    spec.spreadAlpha(),
                                    s.seasonalResidualCount);
            s.seasonalResidualVar += ar * (r * r - s.seasonalResidualVar);
            s.seasonalResidualCount++;
            long perPeriod = Math.max(1, s.slotPointsPerPeriod[slot]);
            double step = Math.max(spec.seasonal().alpha() / perPeriod, 1.0 / (double) (n + 1));
            double a = weight * step;
            double d = x - s.slotMean[slot];
            s.slotMean[slot] += a * d;
            double b = spreadWeight * step;
            s.slotVar[slot] = (1 - b) * (s.slotVar[slot] + d * (b * d));
        }
        s.slotCount[slot] = n + 1;
        if (s.slotHistory != null) {
            int w = spec.seasonal().robustWindow();
            int pos = (int) (s.slotHistoryWritten[slot] % w);
            s.slotHistory[slot * w + pos] = x;
            s.slotHistoryWritten[slot]++;
        }
    }

    /** Median of {@code values} (sorted in place). */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return (n & 1) == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}
