package io.beaconflow.detectors;

/**
 * All mutable state of one detector on one series, as a plain value object so that a Flink job can
 * keep it in keyed state as a POJO (public no-arg constructor, public fields, only primitives and
 * primitive arrays; no Kryo fallback). The matching {@link Detector} is immutable configuration and
 * must be the same (same spec) for the whole life of a state object; {@link #seasonalSlots} records
 * the slot layout so a changed spec is detected and the seasonal part restarted.
 *
 * <p>Values of the baselines are kept on the scorer's working scale (log scale when the spec says
 * {@code transform: log}).
 */
public class DetectorState {
    /** Timestamp of the last accepted point; {@link Long#MIN_VALUE} before the first. */
    public long lastTimestamp = Long.MIN_VALUE;

    /** Points scored so far (skipped points excluded). */
    public long accepted;

    // ---- EWMA baseline ----
    /** Points folded into the EWMA (warm-up uses the plain running mean until min_points). */
    public long ewmaCount;

    public double ewmaMean;
    public double ewmaVar;

    /** EW mean of the window volume (denominator), to widen bands on low-volume windows. */
    public double ewVolume;

    /** EW mean of the binomial sampling variance p(1-p)/n, for the proportion scorer. */
    public double ewSamplingVar;

    /** EW mean of the fast smoother used to catch sustained shifts (scoring.smoothing_alpha). */
    public double fastMean;

    /** Points folded into {@link #fastMean}. */
    public long fastCount;

    /** Decaying maximum of |deviation| on the working scale (novelty gate). */
    public double peakDeviation;

    // ---- seasonal baseline (arrays sized on first use) ----
    /** Number of slots the arrays were sized for; 0 before first use. */
    public int seasonalSlots;

    /** EW variance of residuals from the slot means, pooled over all slots. */
    public double seasonalResidualVar;

    /** Residuals folded into {@link #seasonalResidualVar}. */
    public long seasonalResidualCount;

    public double[] slotMean;
    public double[] slotVar;

    /** Points folded into each slot. */
    public long[] slotCount;

    /** Distinct periods (days or weeks) in which each slot has seen a point. */
    public long[] slotPeriods;

    /** Index of the last period each slot saw, to count periods. */
    public long[] slotLastPeriod;

    /** Points each slot received in its previous complete period (spreads alpha over them). */
    public long[] slotPointsPerPeriod;

    /** Points each slot has received in its current period. */
    public long[] slotPointsThisPeriod;

    /** Ring buffer of recent values per slot for the robust (median / MAD) option. */
    public double[] slotHistory;

    /** Values written into each slot's ring buffer so far. */
    public long[] slotHistoryWritten;

    // ---- pooled evidence over several windows (evidence.max_windows; see PooledEvidence) ----
    /**
     * Per window: residual / variance on the working scale (ring, oldest overwritten); the residual
     * capped at evidence.cap spreads (what the pooled z is computed from).
     */
    public double[] evidenceResidual;

    /** Per window: the uncapped residual / variance (what the pooled change is estimated from). */
    public double[] evidenceShift;

    /** Per window: 1 / variance of the window's statistic. */
    public double[] evidenceWeight;

    /** Per window: expectation / variance on the working scale. */
    public double[] evidenceCenter;

    /** Per window: the volume the gates pool (denominator, or max(count, expected count)). */
    public double[] evidenceVolume;

    /** Per window, proportions only: observed events (errors) and events expected at the null. */
    public double[] evidenceEvents;

    public double[] evidenceNullEvents;

    /** Per window: its session bitmap (see {@link io.beaconflow.detectors.evidence.Visitors}). */
    public long[] evidenceSessions;

    /** Windows pushed into the ring so far (reset when an alert closes: its evidence is spent). */
    public long evidenceWritten;

    /**
     * Per scale ({@link io.beaconflow.detectors.EvidenceSpec#scales}, in that order): EW second
     * moment of the pooled z in normal operation. Not reset with the ring: it is what the series'
     * pooled residuals look like without an incident.
     */
    public double[] evidenceZ2;

    /** Per scale: values folded into {@link #evidenceZ2}. */
    public long[] evidenceZ2Count;

    /**
     * Proportions: the capped z² of the last windows, per scale, not yet folded into {@link
     * #evidenceZ2} (ring of evidence.max_windows rows of one value per scale, NaN where a scale had
     * no value): the calibration learns a window only once a whole longest scale has passed after
     * it without pooled evidence, see {@code ScaleCalibration#calibrate}. Null for other scorers.
     */
    public double[] evidenceZ2Pending;

    /** Rows written into {@link #evidenceZ2Pending} so far. */
    public long evidencePendingWritten;

    /** Rows of {@link #evidenceZ2Pending} still to be folded in (oldest first). */
    public int evidencePendingCount;

    // ---- drift test (drift.*, see io.beaconflow.detectors.evidence.DriftEvidence) ----
    /** Slow reference level (working scale): what the series was like hours ago. */
    public double driftReference;

    /** Recent level (working scale): EW mean of the last ~2 / level_alpha windows. */
    public double driftLevel;

    /** Windows folded into the two levels. */
    public long driftCount;

    /** EW second moment of (recent level - reference) in normal operation. */
    public double driftM2;

    /** Values folded into {@link #driftM2}. */
    public long driftM2Count;

    // ---- alerting ----
    /** Consecutive points beyond the z threshold in any direction (drives relearning). */
    public int outlierRun;

    /** Consecutive anomalies (after all gates), for the trigger hysteresis. */
    public int anomalyRun;

    public int normalRun;
    public boolean alertOpen;
    public int cooldownLeft;

    // ---- counters of skipped input ----
    public long skippedNaN;
    public long skippedInfinite;
    public long skippedNegative;
    public long skippedOutOfRange;
    public long skippedMissingDenominator;
    public long skippedNoVolume;
    public long skippedOutOfOrder;
    public long skippedDuplicate;

    /**
     * EW mean of (percentile − median) on the working scale: where the series' median usually sits
     * under the percentile it watches ({@link BodyCheck}).
     */
    public double bodyGap;

    /** Windows folded into {@link #bodyGap}. */
    public long bodyGapCount;

    public DetectorState() {}

    /** Sum of all skip counters. */
    public long skippedTotal() {
        return skippedNaN
                + skippedInfinite
                + skippedNegative
                + skippedOutOfRange
                + skippedMissingDenominator
                + skippedNoVolume
                + skippedOutOfOrder
                + skippedDuplicate;
    }
}
