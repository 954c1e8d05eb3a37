package io.beaconflow.detectors.share;

/**
 * What {@link ShareDetector} remembers of one segment: a POJO (public fields, no-arg constructor)
 * so a Flink job keeps it in keyed state without Kryo.
 */
public class ShareState {
    /** EW sum of the segment's (weighted) views. */
    public double segmentViews;

    /** EW sum of the app's (weighted) views in the same windows. */
    public double appViews;

    /**
     * Overdispersion: the mean squared Pearson residual of a window's count against the binomial
     * split of the app's views (a visitor's views come together, and sampled apps count each
     * received view several times).
     */
    public double dispersion = 1;

    /**
     * The app's usual (weighted) views per window, an EW mean with a long memory: a window teaches
     * the share in proportion to its app views against it (0 in state from before it).
     */
    public double appLevel;

    /** Windows with app traffic seen. */
    public int windows;

    /** Anomalous windows in a row. */
    public int anomalousRun;

    /**
     * Windows in a row whose pooled views (the ring's) lay beyond robust z above the expected share
     * (0 in state from before it).
     */
    public int aboveRun;

    /** Windows in the ring below (at most its length). */
    public int filled;

    /** Next slot of the ring. */
    public int head;

    /** Ring of the last windows: the segment's views. */
    public double[] views;

    /** Ring: the app's views. */
    public double[] totals;

    /** Ring: the app's received views (unweighted). */
    public double[] received;

    /** Ring: the expected share before each window, NaN while warming up. */
    public double[] anchors;

    /**
     * Ring: the segment's expected (weighted) views per window before each window ({@link
     * #segmentViews} then), NaN while warming up; null in state from before it.
     */
    public double[] countAnchors;

    /**
     * EW sum of the segment's new sessions per window (session bits not set in the {@link
     * #recentBits} ring), in the same weights as {@link #appViews}: their ratio is the segment's
     * arrivals per app view.
     */
    public double newSessions;

    /** Ring of the segment's session bitmaps of the last windows (null in state from before it). */
    public long[] recentBits;

    /** Windows in a row, up to the newest, in which the segment had no view while the app had. */
    public int silentRun;

    /** The app's (weighted) views in those windows. */
    public double silentAppViews;

    /**
     * The segment's arrivals per app view anchored before its silent run began (NaN if unknown).
     */
    public double silentRate = Double.NaN;

    public ShareState() {}

    ShareState(int ring) {
        views = new double[ring];
        totals = new double[ring];
        received = new double[ring];
        anchors = new double[ring];
        countAnchors = new double[ring];
        recentBits = new long[ShareDetector.ARRIVAL_LOOKBACK];
    }
}
