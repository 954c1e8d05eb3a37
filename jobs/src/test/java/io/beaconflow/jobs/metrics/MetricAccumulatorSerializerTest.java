package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract tests (copy, serialize, reuse, duplicate, snapshot and
 * reconfigure, Java serializability) plus checks specific to sketches.
 */
class MetricAccumulatorSerializerTest extends SerializerTestBase<MetricAccumulator> {

    @Override
    protected TypeSerializer<MetricAccumulator> createSerializer() {
        return MetricAccumulatorSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<MetricAccumulator> getTypeClass() {
        return MetricAccumulator.class;
    }

    @Override
    protected MetricAccumulator[] getTestData() {
        Random rnd = new Random(42);
        MetricAccumulator empty = new MetricAccumulator(0.01);
        MetricAccumulator countsOnly = new MetricAccumulator(0.01);
        countsOnly.add(sample(SeriesSample.JS_ERROR, 2.0, SeriesSample.NO_METRIC, 0));
        countsOnly.add(sample(SeriesSample.OTHER, 1.0, SeriesSample.NO_METRIC, 0));
        MetricAccumulator oneMetric = new MetricAccumulator(0.02);
        for (int i = 0; i < 50; i++) {
            oneMetric.add(
                    sample(SeriesSample.FETCH, 1.0, LatencyMetric.FETCH, 20 + rnd.nextInt(500)));
        }
        MetricAccumulator all = new MetricAccumulator(0.01);
        for (int i = 0; i < 2000; i++) {
            LatencyMetric m = LatencyMetric.values()[i % MetricAccumulator.METRICS];
            double v =
                    m == LatencyMetric.CLS
                            ? (i % 5 == 0 ? 0 : rnd.nextDouble() * 0.4)
                            : Math.exp(4 + 3 * rnd.nextDouble());
            SeriesSample x = sample(SeriesSample.PAGE_VIEW, i % 3 == 0 ? 10.0 : 1.0, m, v);
            x.outcomes = Outcomes.of(m, v, m == LatencyMetric.FETCH ? 200 : null, FAILING, 2000);
            x.sessionBit = (byte) (i % 50); // 50 visitors: the bitmap is written too (format 3)
            all.add(x);
        }
        return new MetricAccumulator[] {empty, countsOnly, oneMetric, all};
    }

    private static final boolean[] FAILING = new MetricsConfig().failingStatuses();

    static SeriesSample sample(byte kind, double weight, LatencyMetric m, double value) {
        return new SeriesSample("k", kind, weight, (byte) m.ordinal(), value);
    }

    static SeriesSample sample(byte kind, double weight, byte metric, double value) {
        return new SeriesSample("k", kind, weight, metric, value);
    }

    /** The bytes the serializer writes for {@code a}. */
    static DataOutputSerializer written(MetricAccumulator a) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        MetricAccumulatorSerializer.INSTANCE.serialize(a, out);
        return out;
    }

    /** The accumulator the serializer reads back from {@code bytes}. */
    static MetricAccumulator read(DataOutputSerializer bytes) throws Exception {
        return MetricAccumulatorSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(bytes.getCopyOfBuffer()));
    }

    @Test
    void aRestoredSketchMergesWithANewOneAndKeepsItsPercentiles() throws Exception {
        MetricAccumulator a = getTestData()[3];
        MetricAccumulator restored = read(written(a));

        MetricAggregate before = a.toAggregate();
        MetricAggregate after = restored.toAggregate();
        assertThat(after).usingRecursiveComparison().isEqualTo(before);

        // The restored sketch's index mapping equals a fresh one, or merging would throw.
        MetricAccumulator fresh = new MetricAccumulator(0.01);
        fresh.add(sample(SeriesSample.PAGE_VIEW, 1.0, LatencyMetric.LCP, 1234));
        restored.merge(fresh);
        assertThat(restored.toAggregate().lcp.count).isEqualTo(before.lcp.count + 1);
    }

    @Test
    void aFullAccumulatorIsCompact() throws Exception {
        DataOutputSerializer out = written(getTestData()[3]);
        // 7 sketches over ~3 orders of magnitude at 1 %: a few hundred bins each, ~1-2 bytes a bin.
        assertThat(out.length()).isLessThan(7 * 700);
        DataOutputSerializer empty = written(getTestData()[0]);
        // Six doubles, a long, the sketch mask and the (empty) outcome mask.
        assertThat(empty.length()).isEqualTo(7 * 8 + 1 + 4);
    }

    @Test
    void theOutcomeCountsSurviveARoundTrip() throws Exception {
        MetricAccumulator a = getTestData()[3];
        assertThat(a.toAggregate().lcpRatings.good + a.toAggregate().apdexSatisfied).isPositive();
        MetricAccumulator restored = read(written(a));
        assertThat(restored.outcomes).containsExactly(a.outcomes);
        assertThat(restored.toAggregate()).usingRecursiveComparison().isEqualTo(a.toAggregate());
    }

    /**
     * The visitors' bitmap rides behind the outcome counts, flagged by the outcome mask's bit 31;
     * an accumulator without visitors writes exactly format 2 (no flag, no long), which is also
     * what state from before the bitmap reads as: no visitors known.
     */
    @Test
    void theSessionBitmapSurvivesARoundTripAndWithoutOneTheFormatIsTheSecond() throws Exception {
        MetricAccumulator a = getTestData()[3];
        assertThat(Long.bitCount(a.sessionBits)).isEqualTo(50);
        assertThat(a.toAggregate().sessionBits).isEqualTo(a.sessionBits);
        DataOutputSerializer with = written(a);
        MetricAccumulator restored = read(with);
        assertThat(restored.sessionBits).isEqualTo(a.sessionBits);
        assertThat(restored).isEqualTo(a);

        MetricAccumulator none = a.copy();
        none.sessionBits = 0;
        DataOutputSerializer without = written(none);
        assertThat(without.length()).isEqualTo(with.length() - Long.BYTES);
        MetricAccumulator old = read(without);
        assertThat(old.sessionBits).isZero();
        assertThat(old.toAggregate().sessionBits).isNull();
        assertThat(old.outcomes).containsExactly(a.outcomes);
    }

    /**
     * State written before the outcome counts existed (format 1: positive accuracy, no outcome
     * mask) still restores, with its counts and sketches, and outcomes at zero.
     */
    @Test
    void stateInTheFirstFormatStillRestores() throws Exception {
        MetricAccumulator oneMetric = getTestData()[2];
        DataOutputSerializer v1 = new DataOutputSerializer(64);
        v1.writeDouble(oneMetric.relativeAccuracy);
        v1.writeDouble(oneMetric.pageViews);
        v1.writeDouble(oneMetric.events);
        v1.writeDouble(oneMetric.fetches);
        v1.writeDouble(oneMetric.failedFetches);
        v1.writeDouble(oneMetric.jsErrors);
        v1.writeLong(oneMetric.samples);
        int m = LatencyMetric.FETCH.ordinal();
        v1.writeByte(1 << m);
        v1.writeLong(oneMetric.counts[m]);
        byte[] sketch = MetricAccumulatorSerializer.encode(oneMetric.sketches[m]);
        v1.writeInt(sketch.length);
        v1.write(sketch);
        v1.writeInt(0xCAFE); // what follows in the stream is not ours

        DataInputDeserializer in = new DataInputDeserializer(v1.getCopyOfBuffer());
        MetricAccumulator restored = MetricAccumulatorSerializer.INSTANCE.deserialize(in);
        assertThat(in.readInt()).as("read exactly the v1 bytes").isEqualTo(0xCAFE);
        assertThat(restored.toAggregate())
                .usingRecursiveComparison()
                .isEqualTo(oneMetric.toAggregate());
        assertThat(restored.outcomes).containsOnly(0.0);

        // (DataOutputSerializer.write(DataInputView, n) does not grow its buffer.)
        DataOutputSerializer copied = new DataOutputSerializer(4096);
        MetricAccumulatorSerializer.INSTANCE.copy(
                new DataInputDeserializer(v1.getCopyOfBuffer()), copied);
        assertThat(copied.length()).isEqualTo(v1.length() - 4);
    }
}
