package io.beaconflow.jobs.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The running aggregate of one series in one window: weighted counts, and one DDSketch per {@link
 * LatencyMetric} (created on the first value, so a series without fetches carries no fetch sketch).
 *
 * <p>Serialized by {@link MetricAccumulatorSerializer} (declared with {@link TypeInfo}), never by
 * Kryo: state stays compact and its format is versioned.
 *
 * <p>Weights are rounded by {@link Weights}, so all sums here are exact and the result does not
 * depend on the order of {@link #add} and {@link #merge} calls.
 */
@TypeInfo(MetricAccumulatorTypeInfo.Factory.class)
public final class MetricAccumulator {
    static final int METRICS = LatencyMetric.values().length;

    /**
     * Bins per sketch before the lowest ones collapse. At α = 1 % this spans a factor of e⁴⁰
     * between the smallest and largest value, so it only bounds memory against absurd inputs;
     * collapsing the lowest bins keeps the high percentiles (the ones alerts watch) exact to α.
     */
    static final int MAX_BINS = 2048;

    static final Supplier<Store> STORE = () -> new CollapsingLowestDenseStore(MAX_BINS);

    double relativeAccuracy;
    double pageViews;
    double events;
    double fetches;
    double failedFetches;
    double jsErrors;
    long samples;
    final long[] counts = new long[METRICS];
    final DDSketch[] sketches = new DDSketch[METRICS];

    /** Weighted outcome counts, one per {@link Outcomes} slot (status classes, ratings, Apdex). */
    final double[] outcomes = new double[Outcomes.SLOTS];

    /** The window's visitors, one bit per session (see {@link SeriesSample#sessionBit}). */
    long sessionBits;

    /**
     * Where new sketches keep their bins: {@link #STORE}, or {@link BinListStore} in a partial
     * ({@link #forPartial}). Not part of the serialized form: a deserialized accumulator is a
     * window's.
     */
    private Supplier<Store> store = STORE;

    /** For the serializer; {@link #relativeAccuracy} must be set before sketches are created. */
    MetricAccumulator() {}

    public MetricAccumulator(double relativeAccuracy) {
        this.relativeAccuracy = relativeAccuracy;
    }

    /**
     * An accumulator for {@link LocalPreAggregator}'s partials: its sketches keep their few bins in
     * a {@link BinListStore} instead of a dense array. It merges into a window's accumulator with
     * the same result.
     */
    public static MetricAccumulator forPartial(double relativeAccuracy) {
        MetricAccumulator a = new MetricAccumulator(relativeAccuracy);
        a.store = BinListStore::new;
        return a;
    }

    public static IndexMapping mapping(double relativeAccuracy) {
        return new CubicallyInterpolatedMapping(relativeAccuracy);
    }

    public void add(SeriesSample s) {
        double w = s.weight;
        events += w;
        samples++;
        if (s.sessionBit >= 0) {
            sessionBits |= 1L << s.sessionBit;
        }
        switch (s.kind) {
            case SeriesSample.PAGE_VIEW:
                pageViews += w;
                break;
            case SeriesSample.FETCH:
                fetches += w;
                break;
            case SeriesSample.FAILED_FETCH:
                fetches += w;
                failedFetches += w;
                break;
            case SeriesSample.JS_ERROR:
                jsErrors += w;
                break;
            default:
                break;
        }
        for (int bits = s.outcomes; bits != 0; bits &= bits - 1) {
            outcomes[Integer.numberOfTrailingZeros(bits)] += w;
        }
        if (s.metric >= 0) {
            DDSketch sketch = sketch(s.metric);
            sketch.accept(inSketchRange(s.value, sketch), w);
            counts[s.metric]++;
        }
    }

    /**
     * The value clamped into what the sketch tracks. DDSketch throws on values beyond its range
     * (about 1.7e308 at 1 %) or NaN, and a throw inside a window aggregate restarts the job on the
     * same record for ever. The decoder's limits and {@link SeriesFanOut}'s check keep such values
     * out; this is the last line, so the aggregation path cannot throw on any value.
     */
    static double inSketchRange(double v, DDSketch sketch) {
        if (!(v >= 0)) {
            return 0; // NaN and negatives: the contract has neither
        }
        return Math.min(v, sketch.getIndexMapping().maxIndexableValue());
    }

    /** Adds {@code other} into this accumulator; {@code other} is not changed. */
    public void merge(MetricAccumulator other) {
        pageViews += other.pageViews;
        events += other.events;
        fetches += other.fetches;
        failedFetches += other.failedFetches;
        jsErrors += other.jsErrors;
        samples += other.samples;
        sessionBits |= other.sessionBits;
        for (int i = 0; i < Outcomes.SLOTS; i++) {
            outcomes[i] += other.outcomes[i];
        }
        for (int m = 0; m < METRICS; m++) {
            DDSketch o = other.sketches[m];
            if (o == null) {
                continue;
            }
            if (o.getPositiveValueStore() instanceof BinListStore) {
                // Not DDSketch.mergeWith: a dense store merging a store of another class adds its
                // own bins again (sketches-java 0.8.3, see BinListStore); the encoding is exact.
                mergeEncoded(m, MetricAccumulatorSerializer.encode(o), other.counts[m]);
            } else {
                sketch(m).mergeWith(o);
                counts[m] += other.counts[m];
            }
        }
    }

    /**
     * Adds a sketch given by its encoding ({@link DDSketch#encode} without the index mapping, as
     * the serializer writes it) of {@code count} values to metric {@code m}: the bins are decoded
     * straight into this accumulator's sketch. Each bin's count becomes the same sum as with {@link
     * #merge} of the decoded sketch.
     */
    void mergeEncoded(int m, byte[] encoded, long count) {
        try {
            sketch(m).decodeAndMergeWith(ByteArrayInput.wrap(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        counts[m] += count;
    }

    private DDSketch sketch(int metric) {
        DDSketch s = sketches[metric];
        if (s == null) {
            s = new DDSketch(mapping(relativeAccuracy), store);
            sketches[metric] = s;
        }
        return s;
    }

    public MetricAccumulator copy() {
        MetricAccumulator c = new MetricAccumulator(relativeAccuracy);
        c.store = store;
        c.pageViews = pageViews;
        c.events = events;
        c.fetches = fetches;
        c.failedFetches = failedFetches;
        c.jsErrors = jsErrors;
        c.samples = samples;
        c.sessionBits = sessionBits;
        System.arraycopy(counts, 0, c.counts, 0, METRICS);
        System.arraycopy(outcomes, 0, c.outcomes, 0, Outcomes.SLOTS);
        for (int m = 0; m < METRICS; m++) {
            c.sketches[m] = sketches[m] == null ? null : sketches[m].copy();
        }
        return c;
    }

    public long samples() {
        return samples;
    }

    // ---- read access for the comparison stage (io.beaconflow.jobs.compare) ----

    /** Weighted page views. */
    public double pageViews() {
        return pageViews;
    }

    /** Weighted events of every type. */
    public double events() {
        return events;
    }

    /** Weighted JS errors. */
    public double jsErrors() {
        return jsErrors;
    }

    /** Weighted fetches. */
    public double fetches() {
        return fetches;
    }

    /** Weighted fetches whose status is in {@code metrics.fetch-failure-statuses}. */
    public double fetchFailures() {
        return outcomes[Outcomes.FETCH_FAILURE];
    }

    /** The sketch of a metric, or null when the series had no value of it. Do not modify. */
    public DDSketch sketch(LatencyMetric m) {
        return sketches[m.ordinal()];
    }

    /** Unweighted number of values of a metric. */
    public long count(LatencyMetric m) {
        return counts[m.ordinal()];
    }

    /** The row without window metadata: counts, rates, and percentiles from the sketches. */
    public MetricAggregate toAggregate() {
        MetricAggregate a = new MetricAggregate();
        a.pageViews = pageViews;
        a.events = events;
        a.fetches = fetches;
        a.failedFetches = failedFetches;
        a.jsErrors = jsErrors;
        a.errorRate = pageViews > 0 ? jsErrors / pageViews : null;
        a.fetchErrorRate = fetches > 0 ? failedFetches / fetches : null;
        a.samples = samples;
        a.sessionBits = sessionBits == 0 ? null : sessionBits;
        a.setOutcomes(outcomes);
        for (LatencyMetric m : LatencyMetric.values()) {
            DDSketch s = sketches[m.ordinal()];
            if (s != null && !s.isEmpty()) {
                a.setLatency(
                        m, s.getValuesAtQuantiles(MetricAggregate.QUANTILES), counts[m.ordinal()]);
            }
        }
        return a;
    }

    /** Field-by-field equality, sketches by their encoded bins; for tests and serializer checks. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MetricAccumulator)) {
            return false;
        }
        MetricAccumulator x = (MetricAccumulator) o;
        if (Double.compare(relativeAccuracy, x.relativeAccuracy) != 0
                || Double.compare(pageViews, x.pageViews) != 0
                || Double.compare(events, x.events) != 0
                || Double.compare(fetches, x.fetches) != 0
                || Double.compare(failedFetches, x.failedFetches) != 0
                || Double.compare(jsErrors, x.jsErrors) != 0
                || samples != x.samples
                || sessionBits != x.sessionBits
                || !Arrays.equals(counts, x.counts)
                || !Arrays.equals(outcomes, x.outcomes)) {
            return false;
        }
        for (int m = 0; m < METRICS; m++) {
            if (!Arrays.equals(
                    MetricAccumulatorSerializer.encode(sketches[m]),
                    MetricAccumulatorSerializer.encode(x.sketches[m]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(samples) * 31 + Double.hashCode(events);
    }

    @Override
    public String toString() {
        return "MetricAccumulator{samples="
                + samples
                + " events="
                + events
                + " pageViews="
                + pageViews
                + " counts="
                + Arrays.toString(counts)
                + "}";
    }
}
