package io.beaconflow.benchmarks.metrics;

import io.beaconflow.benchmarks.ThroughputBenchmark;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.MetricAccumulatorSerializer;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.MetricAggregator;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.metrics.SeriesFanOut;
import io.beaconflow.jobs.metrics.SeriesKeys;
import io.beaconflow.jobs.metrics.SeriesSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The metrics aggregate path on one core, without Flink around it.
 *
 * <ul>
 *   <li>{@code fanOutAndAdd}: one event → its series samples ({@link SeriesFanOut#emit}) → each
 *       folded into its series' accumulator in a hash map (what the heap window state does). The
 *       score is events/s per core; the {@code samples} counter is series samples/s.
 *   <li>{@code fanOutAndAddKeysKept}: the same with the series keys kept ({@link SeriesKeys}), as
 *       the job's fan-out operator does since 2026-12-07.
 *   <li>{@code add}: one sample into one accumulator (the AggregateFunction's add).
 *   <li>{@code merge} and {@code getResult}: a full accumulator (every metric, ~1000 values).
 *   <li>{@code serializeRoundTrip}: the state-access cost a RocksDB backend pays per element.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MetricAggregatorBenchmark -f 1 -wi 2 -i
 * 3}.
 */
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class MetricAggregatorBenchmark extends ThroughputBenchmark {
    private static final int EVENTS = 1 << 16;

    private final Dimension[] dimensions =
            new MetricsConfig().dimensionList().toArray(new Dimension[0]);
    private final MetricAggregator aggregator =
            new MetricAggregator(MetricsConfig.DEFAULT_SKETCH_RELATIVE_ACCURACY);
    private io.beaconflow.jobs.model.RumEvent[] events;
    private SeriesSample[] samples;
    private Map<String, MetricAccumulator> state;
    private MetricAccumulator single;
    private MetricAccumulator full;
    private MetricAccumulator other;
    private byte[] fullBytes;
    private final DataOutputSerializer out = new DataOutputSerializer(8192);
    private int next;
    private final SeriesKeys keys = new SeriesKeys(SeriesKeys.DEFAULT_CAPACITY);
    private static final boolean[] FAILING = new MetricsConfig().failingStatuses();

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long samples;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        events = new io.beaconflow.jobs.model.RumEvent[EVENTS];
        List<SeriesSample> all = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events[i] = BenchEvents.event(i, 10);
            SeriesFanOut.emit(events[i], dimensions, new ListCollector<>(all));
        }
        samples = all.toArray(new SeriesSample[0]);
        full = aggregator.createAccumulator();
        other = aggregator.createAccumulator();
        for (int i = 0; i < 7000; i++) {
            (i % 2 == 0 ? full : other).add(samples[i]);
        }
        out.clear();
        MetricAccumulatorSerializer.INSTANCE.serialize(full, out);
        fullBytes = out.getCopyOfBuffer();
        System.out.printf(
                "%n[metrics] %.2f samples per event; full accumulator %d bytes serialized%n",
                (double) samples.length / EVENTS, fullBytes.length);
    }

    @Setup(Level.Iteration)
    public void freshState() {
        state = new HashMap<>();
        single = aggregator.createAccumulator();
    }

    @Benchmark
    public void fanOutAndAdd(Counters counters) {
        fanOutAndAdd(counters, SeriesKeys.UNCACHED);
    }

    @Benchmark
    public void fanOutAndAddKeysKept(Counters counters) {
        fanOutAndAdd(counters, keys);
    }

    private void fanOutAndAdd(Counters counters, SeriesKeys seriesKeys) {
        io.beaconflow.jobs.model.RumEvent e = events[next++ & (EVENTS - 1)];
        SeriesFanOut.emit(
                e,
                dimensions,
                FAILING,
                MetricsConfig.DEFAULT_APDEX_THRESHOLD.toMillis(),
                seriesKeys,
                new org.apache.flink.util.Collector<>() {
                    @Override
                    public void collect(SeriesSample s) {
                        MetricAccumulator acc = state.get(s.key);
                        if (acc == null) {
                            acc = aggregator.createAccumulator();
                            state.put(s.key, acc);
                        }
                        aggregator.add(s, acc);
                        counters.samples++;
                    }

                    @Override
                    public void close() {}
                });
    }

    @Benchmark
    public MetricAccumulator add() {
        return aggregator.add(samples[next++ % samples.length], single);
    }

    @Benchmark
    public MetricAccumulator merge() {
        return aggregator.merge(full.copy(), other);
    }

    @Benchmark
    public MetricAggregate getResult() {
        return aggregator.getResult(full);
    }

    @Benchmark
    public void serializeRoundTrip(Blackhole bh) throws Exception {
        MetricAccumulator a =
                MetricAccumulatorSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(fullBytes));
        out.clear();
        MetricAccumulatorSerializer.INSTANCE.serialize(a, out);
        bh.consume(out.length());
    }
}
