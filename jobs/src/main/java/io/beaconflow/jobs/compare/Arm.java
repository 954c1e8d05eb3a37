package io.beaconflow.jobs.compare;

/**
 * One arm of an app in {@link ComparisonFunction}'s state: a variant of an experiment or a release,
 * when it was first and last seen, its control, and both arms' data since their comparison began. A
 * Flink POJO (session sums: {@link ArmSessions}).
 */
public class Arm {
    /** {@link Comparison#EXPERIMENT} or {@link Comparison#RELEASE}. */
    public String kind;

    /** The experiment; "" for releases. */
    public String experiment;

    /** The variant or the release. */
    public String name;

    /**
     * The earliest start of a session of this arm (floored to the bucket), which orders releases;
     * and the latest bucket in which a session of it closed, which ages it out.
     */
    public long firstSeen;

    public long lastSeen;

    /** The arm it is compared with; null for a control and for an app's first release. */
    public String control;

    /** Start of the first bucket in {@link #armData} and {@link #controlData}. */
    public long comparisonStart;

    /** This arm's data since {@link #comparisonStart}; null without a control. */
    public ArmSessions armData;

    /** The control's data over the same buckets; null without a control. */
    public ArmSessions controlData;

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
