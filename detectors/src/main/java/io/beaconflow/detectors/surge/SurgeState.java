package io.beaconflow.detectors.surge;

/**
 * What {@link SurgeDetector} remembers of one error: a POJO (public fields, no-arg constructor) so
 * a Flink job keeps it in keyed state without Kryo.
 */
public class SurgeState {
    /** EW sum of the sessions newly hit per window. */
    public double sessions;

    /** EW sum of the app's page views in the same windows. */
    public double views;

    /**
     * Windows learned. An error first seen after its app's warm-up starts at the warm-up (it is
     * tested at once, against {@link SurgeSpec#newRate()}); one seen while the app warmed up starts
     * at 0 and answers once it has learned as many windows.
     */
    public int windows;

    /**
     * Windows held back from learning while a scale was building ({@link SurgeDetector}): their
     * sessions, the app's views in them, and how many. Learned once the building ends without an
     * alert, dropped when it alerts.
     */
    public double pendingSessions;

    public double pendingViews;

    public int pendingWindows;

    /** Anomalous windows in a row. */
    public int anomalousRun;

    /** Windows in the ring below (at most its length). */
    public int filled;

    /** Next slot of the ring. */
    public int head;

    /** Ring of the last windows: sessions newly hit. */
    public long[] counts;

    /** Ring: the app's page views. */
    public double[] appViews;

    /** Ring: the error's sessions per app view expected before each window. */
    public double[] anchors;

    public SurgeState() {}

    SurgeState(int ring) {
        counts = new long[ring];
        appViews = new double[ring];
        anchors = new double[ring];
    }
}
