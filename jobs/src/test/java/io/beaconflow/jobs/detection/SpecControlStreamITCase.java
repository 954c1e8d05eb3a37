package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.detection.Rows.normalRate;
import static io.beaconflow.jobs.detection.Rows.normalViews;
import static io.beaconflow.jobs.detection.Rows.total;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.patterns.SustainedAnomalyPattern;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec control stream on a MiniCluster: an unbounded, mostly silent file watcher connected to
 * the detector operator. Event-time work downstream (the CEP pattern) must still happen, so the
 * control stream does not hold back the watermark; and editing the file while the job runs reaches
 * the operator (an invalid edit comes out as a rejection).
 */
class SpecControlStreamITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    @Test
    void aSilentControlStreamDoesNotStallEventTimeAndAFileEditReachesTheOperator(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("detectors.yaml");
        Files.writeString(file, Rows.SPECS);
        List<MetricAggregate> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            boolean incident = i >= 20 && i < 23;
            rows.add(total("shop", i, normalViews(i), incident ? 0.09 : normalRate(i)));
        }

        StreamExecutionEnvironment env = MiniClusters.environment(2);
        DataStream<MetricAggregate> metrics =
                env.fromData(rows, TypeInformation.of(MetricAggregate.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<MetricAggregate>forMonotonousTimestamps()
                                        .withTimestampAssigner((r, ts) -> r.windowEnd - 1));
        DataStream<SpecUpdate> specs =
                env.fromSource(
                                SpecFileSource.watching(file, Duration.ofMillis(200)),
                                ControlStreamWatermarks.create(),
                                "specs")
                        .setParallelism(1);
        SingleOutputStreamOperator<ScoredAggregate> scored =
                metrics.keyBy(new DetectionStage.RowKey(), Types.STRING)
                        .connect(specs.broadcast(SpecBroadcast.DESCRIPTOR))
                        .process(
                                new DetectorFunction(
                                        SpecUpdate.readFile(file),
                                        Duration.ofMinutes(5),
                                        DetectorFunction.DEFAULT_IDLE_TTL),
                                TypeInformation.of(ScoredAggregate.class));
        SustainedAnomalyPattern.apply(
                        scored.getSideOutput(DetectorFunction.SIGNALS), 2, 3, Duration.ofMinutes(1))
                .sinkTo(CollectingSink.named("control-findings"));
        scored.getSideOutput(DetectorFunction.REJECTED)
                .sinkTo(CollectingSink.named("control-rejected"));

        JobClient job = env.executeAsync("spec-control-stream");
        try {
            await(
                    "a sustained finding behind the event-time CEP operator",
                    () -> !CollectingSink.<Finding>results("control-findings").isEmpty());
            List<Finding> found = CollectingSink.results("control-findings");
            assertThat(found.get(0).firstWindowStart).isEqualTo(Rows.T0 + 20 * Rows.MINUTE);

            Files.writeString(file, Rows.SPECS.replace("z_threshold: 4", "z_threshold: -1"));
            await(
                    "the rejection of the edited file",
                    () -> !CollectingSink.<SpecRejection>results("control-rejected").isEmpty());
            SpecRejection r = CollectingSink.<SpecRejection>results("control-rejected").get(0);
            assertThat(r.source).isEqualTo(file.toString());
            assertThat(r.reason).contains("z_threshold");
        } finally {
            job.cancel().get();
        }
    }
}
