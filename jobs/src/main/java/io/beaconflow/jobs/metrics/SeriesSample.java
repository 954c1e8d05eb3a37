package io.beaconflow.jobs.metrics;

/**
 * One event's contribution to one series: the small record the fan-out emits per series key, so the
 * shuffle never carries the whole {@code RumEvent} (about 20 string fields) once per series.
 *
 * <p>A Flink POJO (public fields, no-arg constructor).
 */
public class SeriesSample {
    public static final byte PAGE_VIEW = 0;
    public static final byte FETCH = 1;
    public static final byte FAILED_FETCH = 2;
    public static final byte JS_ERROR = 3;
    public static final byte OTHER = 4;

    /** Marks "no latency value" in {@link #metric}. */
    public static final byte NO_METRIC = -1;

    /** The series: see {@link SeriesKey}. */
    public String key;

    /** What the event counts as: {@link #PAGE_VIEW}, {@link #FETCH}, ... */
    public byte kind;

    /** 1 / sample rate, rounded to a multiple of 2⁻²⁰ (see {@link Weights}). */
    public double weight;

    /** The {@link LatencyMetric} ordinal of {@link #value}, or {@link #NO_METRIC}. */
    public byte metric = NO_METRIC;

    public double value;

    /** Bit mask of {@link Outcomes} slots this event counts in (status class, rating, Apdex). */
    public int outcomes;

    /**
     * The event's session as a bit index in [0, 64) ({@link
     * io.beaconflow.detectors.evidence.Visitors#bitOf}), or -1 without a session: a window's rows
     * OR these into a bitmap of its visitors.
     */
    public byte sessionBit = -1;

    public SeriesSample() {}

    public SeriesSample(String key, byte kind, double weight, byte metric, double value) {
        this.key = key;
        this.kind = kind;
        this.weight = weight;
        this.metric = metric;
        this.value = value;
    }

    public SeriesSample(
            String key, byte kind, double weight, byte metric, double value, int outcomes) {
        this(key, kind, weight, metric, value);
        this.outcomes = outcomes;
    }

    public SeriesSample(
            String key,
            byte kind,
            double weight,
            byte metric,
            double value,
            int outcomes,
            byte sessionBit) {
        this(key, kind, weight, metric, value, outcomes);
        this.sessionBit = sessionBit;
    }

    /** The same sample on another series: an event adds the same sample to each of its series. */
    public SeriesSample onSeries(String otherKey) {
        return new SeriesSample(otherKey, kind, weight, metric, value, outcomes, sessionBit);
    }

    @Override
    public String toString() {
        return "SeriesSample{"
                + key.replace('\u0000', '|')
                + " kind="
                + kind
                + " w="
                + weight
                + "}";
    }
}
