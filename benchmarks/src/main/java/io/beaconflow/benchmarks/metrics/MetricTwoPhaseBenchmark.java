package io.beaconflow.benchmarks.metrics;

import io.beaconflow.benchmarks.BenchJobs;
import io.beaconflow.benchmarks.JobRunBenchmark;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.MetricStage;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.model.RumEvent;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * The hot-key question: does a per-subtask pre-aggregation before the keyBy (two-phase) make the
 * metrics stage faster on this machine? Each invocation runs a bounded job on a local MiniCluster
 * at parallelism 2 (source → RumEvent → fan-out → keyBy → 1-minute windows → discard) over {@link
 * #events} events through {@link MetricStage}, with {@code metrics.pre-aggregate} off ({@code
 * single}: every series sample is shuffled to the keyed window) or on ({@code twoPhase}: {@code
 * LocalPreAggregator} folds samples per subtask and ships partials). The score is milliseconds per
 * run; events/s = events / score.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MetricTwoPhaseBenchmark -f 1 -wi 2 -i
 * 3}.
 */
/** Run settings, traffic size and parallelism: {@link JobRunBenchmark}. */
public class MetricTwoPhaseBenchmark extends JobRunBenchmark {
    @Param({"single", "twoPhase"})
    public String variant;

    @Benchmark
    public void run() throws Exception {
        StreamExecutionEnvironment env = BenchJobs.environment(parallelism);
        final long step = stepMs;
        DataStream<RumEvent> source =
                BenchJobs.events(env, events, i -> BenchEvents.event(i, step));
        MetricsConfig config = new MetricsConfig();
        config.preAggregate = variant.equals("twoPhase");
        DataStream<MetricAggregate> rows = MetricStage.apply(source, config);
        rows.sinkTo(new BenchJobs.Discard<>());
        env.execute("metrics-" + variant);
    }
}
