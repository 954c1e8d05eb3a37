package io.beaconflow.benchmarks.metrics;

import io.beaconflow.jobs.metrics.LatencyMetric;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.MetricAccumulatorSerializer;
import io.beaconflow.jobs.metrics.PartialAggregate;
import io.beaconflow.jobs.metrics.PartialAggregateSerializer;
import io.beaconflow.jobs.metrics.SeriesSample;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metrics stage's two-phase aggregation costs per series sample, without Flink around it:
 * one subtask's window of samples folded into per-series partials ({@code LocalPreAggregator}'s
 * job), each partial written and read as the shuffle does, and merged into the window's
 * accumulators ({@code PartialMerger}'s job).
 *
 * <ul>
 *   <li>{@code dense}: as before 2026-12-07 (4): partials with dense sketch stores, written in the
 *       accumulator's format behind the key, decoded into a dense store, merged;
 *   <li>{@code binList}: as shipped: partials' sketches in a {@code BinListStore}, {@link
 *       PartialAggregateSerializer}, decoded straight into the window's sketches.
 * </ul>
 *
 * <p>Traffic: {@link #SAMPLES} samples over {@link #SERIES} series, Zipf-like (the app total and a
 * hot route take a large share, most segments a handful), 60 % with a latency value (log-normal),
 * weights 1 or 10 (sampled traffic). Score: nanoseconds per sample. Run: {@code java -jar
 * benchmarks/target/benchmarks.jar PartialShuffleBenchmark -f 1 -wi 3 -i 5}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PartialShuffleBenchmark {
    static final int SAMPLES = 5_000;
    static final int SERIES = 300;

    @Param({"dense", "binList"})
    public String variant;

    private SeriesSample[] samples;
    private final DataOutputSerializer out = new DataOutputSerializer(1 << 16);

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(42);
        String[] keys = new String[SERIES];
        for (int k = 0; k < SERIES; k++) {
            keys[k] = "shop|dim" + (k % 9) + "|value-" + k;
        }
        samples = new SeriesSample[SAMPLES];
        int metrics = LatencyMetric.values().length;
        for (int i = 0; i < SAMPLES; i++) {
            // Zipf-like: key k with probability ~ 1/(k+1)
            int k =
                    (int)
                            Math.min(
                                    SERIES - 1,
                                    Math.floor(
                                            Math.exp(rnd.nextDouble() * Math.log(SERIES + 1)) - 1));
            double w = rnd.nextInt(4) == 0 ? 10 : 1;
            boolean latency = rnd.nextInt(10) < 6;
            byte metric = latency ? (byte) rnd.nextInt(metrics) : SeriesSample.NO_METRIC;
            double v = Math.exp(6 + gaussian(rnd) * 0.8);
            samples[i] = new SeriesSample(keys[k], SeriesSample.PAGE_VIEW, w, metric, v);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble(1e-12, 1);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public Map<String, MetricAccumulator> window() throws Exception {
        boolean binList = variant.equals("binList");
        Map<String, MetricAccumulator> partials = new HashMap<>();
        for (SeriesSample s : samples) {
            MetricAccumulator a = partials.get(s.key);
            if (a == null) {
                a = binList ? MetricAccumulator.forPartial(0.01) : new MetricAccumulator(0.01);
                partials.put(s.key, a);
            }
            a.add(s);
        }
        Map<String, MetricAccumulator> windows = new HashMap<>();
        for (Map.Entry<String, MetricAccumulator> e : partials.entrySet()) {
            out.clear();
            if (binList) {
                PartialAggregateSerializer.INSTANCE.serialize(
                        new PartialAggregate(e.getKey(), e.getValue()), out);
            } else {
                StringValue.writeString(e.getKey(), out);
                MetricAccumulatorSerializer.INSTANCE.serialize(e.getValue(), out);
            }
            DataInputDeserializer in =
                    new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
            MetricAccumulator w = new MetricAccumulator(0.01);
            if (binList) {
                PartialAggregateSerializer.INSTANCE.deserialize(in).mergeInto(w);
            } else {
                StringValue.readString(in);
                w.merge(MetricAccumulatorSerializer.INSTANCE.deserialize(in));
            }
            windows.put(e.getKey(), w);
        }
        return windows;
    }
}
