package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.testing.MiniClusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GeneratorSourceITCase {
    private static final long SEED = 99L;

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.withSlots(3);

    private static List<RawBeacon> runThroughFlink(GeneratorConfig config, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = MiniClusters.environment(parallelism);
        DataStream<RawBeacon> stream =
                env.fromSource(
                        GeneratorSource.raw(config, SEED),
                        WatermarkStrategy.noWatermarks(),
                        "generator");
        List<RawBeacon> out = new ArrayList<>();
        try (CloseableIterator<RawBeacon> it = stream.executeAndCollect("generator-it")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<RawBeacon> sorted(List<RawBeacon> records) {
        List<RawBeacon> copy = new ArrayList<>(records);
        copy.sort(
                Comparator.<RawBeacon>comparingInt(r -> r.partition)
                        .thenComparingLong(r -> r.offset));
        return copy;
    }

    @Test
    void aBoundedRunThroughFlinkCollectsExactlyTheGeneratedRecordsAtAnyParallelism()
            throws Exception {
        GeneratorConfig config = GeneratedTraffic.shipped().withDuration("15m");
        TrafficGenerator.Merged expected =
                TrafficGenerator.generateAll(config, SEED, config.splits);
        List<RawBeacon> direct = new ArrayList<>();
        expected.forEachRemaining(direct::add);
        assertThat(direct.size()).isGreaterThan(1000);

        List<RawBeacon> single = runThroughFlink(config, 1);
        List<RawBeacon> three = runThroughFlink(config, 3);

        assertThat(single).hasSize((int) expected.stats().records());
        // with one reader the merged arrival order is kept exactly
        assertThat(single).isEqualTo(direct);
        // with three readers each split's records arrive intact, whoever reads them
        assertThat(sorted(three)).isEqualTo(sorted(direct));
    }
}
