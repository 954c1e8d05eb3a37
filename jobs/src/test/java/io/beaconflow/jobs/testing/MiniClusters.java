package io.beaconflow.jobs.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The MiniCluster of the ITCases: one TaskManager with {@code slots} slots, registered with
 * {@code @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);},
 * and the environment every ITCase job runs in (generic types off, so a Kryo fallback fails the
 * test).
 */
public final class MiniClusters {
    private MiniClusters() {}

    /** One TaskManager with {@code slots} slots. */
    public static MiniClusterExtension withSlots(int slots) {
        return withSlots(slots, new Configuration());
    }

    /** One TaskManager with {@code slots} slots and {@code conf} (e.g. a metric reporter). */
    public static MiniClusterExtension withSlots(int slots, Configuration conf) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }

    /** An environment with generic types disabled, at {@code parallelism}. */
    public static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        flink.setParallelism(parallelism);
        return flink;
    }
}
