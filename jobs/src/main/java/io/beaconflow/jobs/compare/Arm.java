package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricAccumulator;

/**
 * One arm of an app in {@link ComparisonFunction}'s state: a variant of an experiment or a release,
 * when it was first and last seen, its control, and both arms' data since their comparison began. A
 * Flink POJO (accumulators by their own serializer).
 */
public class Arm {
    /** {@link Comparison#EXPERIMENT} or {@link Comparison#RELEASE}. */
    public String kind;

    /** The experiment; "" for releases. */
    public String experiment;

    /** The variant or the release. */
    public String name;

    /** Start of the first and of the latest metrics window with data of this arm. */
    public long firstSeen;

    public long lastSeen;

    /** The arm it is compared with; null for a control and for an app's first release. */
    public String control;

    /** Start of the first window in {@link #armData} and {@link #controlData}. */
    public long comparisonStart;

    /** This arm's data since {@link #comparisonStart}; null without a control. */
    public MetricAccumulator armData;

    /** The control's data over the same windows; null without a control. */
    public MetricAccumulator controlData;

    public Arm() {}

    static String key(String kind, String experiment, String name) {
        return kind + '\u0000' + experiment + '\u0000' + name;
    }

    String key() {
        return key(kind, experiment, name);
    }

    /** Arms compared with each other: one experiment, or the releases of the app. */
    boolean sameFamily(Arm o) {
        return kind.equals(o.kind) && experiment.equals(o.experiment);
    }
}
