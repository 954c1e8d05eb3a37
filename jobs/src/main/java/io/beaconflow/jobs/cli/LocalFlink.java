package io.beaconflow.jobs.cli;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The embedded Flink used by the demo and the benchmarks. */
final class LocalFlink {
    private LocalFlink() {}

    static StreamExecutionEnvironment environment(int parallelism) {
        return environment(parallelism, new Configuration());
    }

    static StreamExecutionEnvironment environment(int parallelism, Configuration conf) {
        // Same rule as the cluster: a type that would fall back to Kryo fails the job.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // As on the cluster (flink-conf/config.yaml): no operator keeps or mutates a record it
        // passed on, so chained operators can hand records over without a deep copy.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        // Accumulators travel with heartbeats: a short interval keeps the progress line live.
        conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
        // A caller may allow more (the bench: a starved JVM on a busy machine).
        if (!conf.contains(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT)) {
            conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(60));
        }
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }
}
