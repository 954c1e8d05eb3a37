package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.MetricAccumulatorSerializerTest.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The partials' sketches ({@link BinListStore}) and their shuffle format ({@link
 * PartialAggregateSerializer}) give a window exactly the accumulator that dense partials merged
 * with {@link MetricAccumulator#merge} gave before: every bin's count, zero counts, counts and
 * outcomes, hence every percentile.
 */
class PartialAggregateTest {

    /** Several subtasks' partials of one window, from seeded random samples. */
    private static List<List<SeriesSample>> partials(long seed) {
        Random rnd = new Random(seed);
        List<List<SeriesSample>> out = new ArrayList<>();
        int parts = 1 + rnd.nextInt(5);
        for (int p = 0; p < parts; p++) {
            List<SeriesSample> samples = new ArrayList<>();
            int n = rnd.nextInt(4) == 0 ? rnd.nextInt(400) : rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                LatencyMetric m = LatencyMetric.values()[rnd.nextInt(MetricAccumulator.METRICS)];
                double v;
                switch (rnd.nextInt(5)) {
                    case 0:
                        v = 0; // the sketch's zero count
                        break;
                    case 1:
                        v = 1e-12; // below the smallest indexable value: zero count too
                        break;
                    default:
                        v = Math.exp(rnd.nextGaussian() * 2 + 6);
                }
                // sampling weights, some not exact in binary (1 / 0.3), so the sums' order counts
                double w = new double[] {1, 4, 1 / 0.3, 10}[rnd.nextInt(4)];
                SeriesSample s =
                        sample(SeriesSample.PAGE_VIEW, w, m, m == LatencyMetric.CLS ? v / 1e4 : v);
                s.sessionBit = (byte) rnd.nextInt(64);
                samples.add(s);
            }
            out.add(samples);
        }
        return out;
    }

    /**
     * The window as before: dense partials, each through the shuffle in the accumulator's format
     * (whose count encoding, sketches-java's var-double, rounds counts that are not whole), merged.
     */
    private static MetricAccumulator windowBefore(List<List<SeriesSample>> parts) throws Exception {
        MetricAccumulator window = new MetricAccumulator(0.01);
        for (List<SeriesSample> part : parts) {
            MetricAccumulator dense = new MetricAccumulator(0.01);
            part.forEach(dense::add);
            window.merge(
                    MetricAccumulatorSerializerTest.read(
                            MetricAccumulatorSerializerTest.written(dense)));
        }
        return window;
    }

    private static MetricAccumulator partial(List<SeriesSample> part) {
        MetricAccumulator p = MetricAccumulator.forPartial(0.01);
        part.forEach(p::add);
        return p;
    }

    private static PartialAggregate throughShuffle(PartialAggregate p) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        PartialAggregateSerializer.INSTANCE.serialize(p, out);
        return PartialAggregateSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void aWindowMergedFromShuffledPartialsIsTheSameAsFromDensePartials() throws Exception {
        for (long seed = 0; seed < 300; seed++) {
            List<List<SeriesSample>> parts = partials(seed);
            MetricAccumulator shuffled = new MetricAccumulator(0.01);
            MetricAccumulator local = new MetricAccumulator(0.01);
            for (List<SeriesSample> part : parts) {
                PartialAggregate received =
                        throughShuffle(new PartialAggregate("k", partial(part)));
                assertThat(received.acc.sketches).containsOnlyNulls();
                received.mergeInto(shuffled);
                // A partial merged without the shuffle (its sketches still in a BinListStore)
                new PartialAggregate("k", partial(part)).mergeInto(local);
            }
            MetricAccumulator before = windowBefore(parts);
            assertThat(shuffled).as("seed %d", seed).isEqualTo(before);
            assertThat(local).as("seed %d", seed).isEqualTo(before);
            assertThat(shuffled.toAggregate())
                    .usingRecursiveComparison()
                    .isEqualTo(before.toAggregate());
        }
    }

    @Test
    void aReceivedPartialIsWrittenAgainInTheSameBytes() throws Exception {
        for (long seed = 0; seed < 50; seed++) {
            for (List<SeriesSample> part : partials(seed)) {
                PartialAggregate sent = new PartialAggregate("app|route|/x", partial(part));
                DataOutputSerializer first = new DataOutputSerializer(64);
                PartialAggregateSerializer.INSTANCE.serialize(sent, first);
                PartialAggregate received = throughShuffle(sent);
                DataOutputSerializer again = new DataOutputSerializer(64);
                PartialAggregateSerializer.INSTANCE.serialize(received, again);
                assertThat(again.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());
                DataOutputSerializer copied = new DataOutputSerializer(1 << 16);
                PartialAggregateSerializer.INSTANCE.copy(
                        new DataInputDeserializer(first.getCopyOfBuffer()), copied);
                assertThat(copied.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());
                PartialAggregate copy = PartialAggregateSerializer.INSTANCE.copy(received);
                assertThat(copy.key).isEqualTo("app|route|/x");
                DataOutputSerializer ofCopy = new DataOutputSerializer(64);
                PartialAggregateSerializer.INSTANCE.serialize(copy, ofCopy);
                assertThat(ofCopy.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());
            }
        }
    }

    @Test
    void theBinListHoldsWhatADenseStoreHolds() {
        // 12 distinct bins stay in the list; 800 move into a dense store past MAX_LIST
        for (int spread : new int[] {12, 800}) {
            Random rnd = new Random(spread);
            BinListStore list = new BinListStore();
            Store dense = new CollapsingLowestDenseStore(MetricAccumulator.MAX_BINS);
            assertThat(list.isEmpty()).isTrue();
            for (int i = 0; i < 2000; i++) {
                int index = rnd.nextInt(spread) - spread / 4;
                double count = rnd.nextInt(10) == 0 ? 0 : rnd.nextDouble() * 5;
                list.add(index, count);
                dense.add(index, count);
            }
            assertThat(list.isDense()).isEqualTo(spread > BinListStore.MAX_LIST);
            assertThat(list.getMinIndex()).isEqualTo(dense.getMinIndex());
            assertThat(list.getMaxIndex()).isEqualTo(dense.getMaxIndex());
            assertThat(list.getTotalCount()).isEqualTo(dense.getTotalCount());
            assertThat(bins(list.getAscendingIterator()))
                    .isEqualTo(bins(dense.getAscendingIterator()));
            assertThat(bins(list.getDescendingIterator()))
                    .isEqualTo(bins(dense.getDescendingIterator()));
            List<String> each = new ArrayList<>();
            list.forEach((index, count) -> each.add(index + ":" + count));
            assertThat(each).isEqualTo(bins(dense.getAscendingIterator()));
            Store copy = list.copy();
            list.add(10_000, 1);
            assertThat(copy.getMaxIndex()).isEqualTo(dense.getMaxIndex());
            list.clear();
            assertThat(list.isEmpty()).isTrue();
            list.add(3, 2);
            assertThat(bins(list.getAscendingIterator())).containsExactly("3:2.0");
            assertThatThrownBy(() -> new BinListStore().add(1, -1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static List<String> bins(Iterator<Bin> it) {
        List<String> out = new ArrayList<>();
        while (it.hasNext()) {
            Bin b = it.next();
            if (b.getCount() != 0) {
                out.add(b.getIndex() + ":" + b.getCount());
            }
        }
        return out;
    }
}
