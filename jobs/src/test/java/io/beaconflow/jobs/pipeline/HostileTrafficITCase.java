package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.bench.MemoryBeaconSource;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.ingest.Deduplicator;
import io.beaconflow.jobs.ingest.IngestRouter;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.HostileBeacons;
import io.beaconflow.jobs.testing.MiniClusters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production graph ({@link BeaconflowPipeline}, every stage and output) on a MiniCluster over
 * more than 10,000 hostile records: generator traffic of which most records are damaged by {@link
 * HostileBeacons} (extreme numbers, wrong types, huge strings, deep nesting, bad UTF-8, far-future
 * and far-past times, truncation, flipped bytes, repeats). The restart strategy is off, so any
 * exception anywhere fails the run: passing means zero restarts. And every input is accounted for:
 * input = accepted + dead letters + late + duplicates.
 */
class HostileTrafficITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final long SEED = 12;
    private static final int RECORDS = 12_000;

    @Test
    void tenThousandHostileRecordsRunThroughTheWholeJobWithoutARestartAndAllAreAccountedFor()
            throws Exception {
        List<RawBeacon> base = HostileBeacons.generated(RECORDS, SEED);
        Random r = new Random(SEED);
        RawBeacon[] input = new RawBeacon[base.size()];
        for (int i = 0; i < base.size(); i++) {
            RawBeacon b = base.get(i);
            // 70 % damaged, in arrival order, each at its own position (dead-letter ids).
            RawBeacon hostile = r.nextInt(10) < 7 ? HostileBeacons.mutate(b, r) : b;
            input[i] =
                    new RawBeacon(hostile.payload, "hostile", b.partition, i, hostile.receivedAt);
        }
        assertThat(input.length).isGreaterThanOrEqualTo(10_000);

        BeaconflowConfig config = BeaconflowConfig.defaults();
        // Input units, counted with a separate decoder: one per record, or one per batch event.
        BeaconDecoder counter = new BeaconDecoder(config.ingest);
        long[] units = new long[1];
        for (RawBeacon b : input) counter.decode(b, x -> units[0]++);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // No restarts: a single exception anywhere fails the job and this test.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        BeaconflowPipeline.build(
                        env,
                        new MemoryBeaconSource(
                                "hostile-" + SEED, input, new BeaconDecoder(config.ingest), 2),
                        "hostile",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named("hostile-events"))
                                .deadLetters(CollectingSink.named("hostile-dead"))
                                .lateEvents(CollectingSink.named("hostile-late"))
                                .sessions(CollectingSink.named("hostile-sessions"))
                                .metrics(CollectingSink.named("hostile-metrics"))
                                .alerts(CollectingSink.named("hostile-alerts")));
        JobExecutionResult result = env.execute("hostile-traffic-itcase");

        List<RumEvent> events = CollectingSink.results("hostile-events");
        List<DeadLetter> dead = CollectingSink.results("hostile-dead");
        List<DeadLetter> late = CollectingSink.results("hostile-late");
        long duplicates = result.<Long>getAccumulatorResult(Deduplicator.ACC_DUPLICATES);
        Map<RejectReason, Long> reasons = new EnumMap<>(RejectReason.class);
        Map<String, Long> processingErrors = new TreeMap<>();
        List<DeadLetter> ingestDead = new ArrayList<>();
        for (DeadLetter d : dead) {
            reasons.merge(d.reason, 1L, Long::sum);
            if (d.reason == RejectReason.PROCESSING_ERROR) {
                processingErrors.merge(d.detail, 1L, Long::sum);
            }
            // Enrich failures replace the event; sessions / metrics failures come on top of it.
            if (d.reason != RejectReason.PROCESSING_ERROR || "enrich".equals(d.source)) {
                ingestDead.add(d);
            }
        }
        System.out.printf(
                "hostile ITCase: %d records, %d input units = %d accepted + %d dead letters + %d"
                        + " late + %d duplicates; reasons %s; processing errors %s; %d sessions,"
                        + " %d metric rows%n",
                input.length,
                units[0],
                events.size(),
                ingestDead.size(),
                late.size(),
                duplicates,
                reasons,
                processingErrors,
                CollectingSink.results("hostile-sessions").size(),
                CollectingSink.results("hostile-metrics").size());

        assertThat((long) events.size() + ingestDead.size() + late.size() + duplicates)
                .as("input = accepted + dead letters + late + duplicates")
                .isEqualTo(units[0]);
        long enrichErrors = ingestDead.stream().filter(d -> "enrich".equals(d.source)).count();
        assertThat(result.<Long>getAccumulatorResult(IngestRouter.ACC_ACCEPTED))
                .as("what the router let through came out, was a duplicate, or failed enrich")
                .isEqualTo(events.size() + duplicates + enrichErrors);
        // The limits keep every accepted value inside what sessions and metrics handle: none of
        // them fails on an event (an enrich failure would be a parser bug worth knowing, too).
        assertThat(processingErrors).as("no stage failed on an accepted event").isEmpty();
        // The run exercised the paths it claims to.
        assertThat(events.size()).as("valid traffic still flows").isGreaterThan(1_000);
        assertThat(reasons.keySet())
                .contains(
                        RejectReason.NOT_JSON,
                        RejectReason.INVALID_UTF8,
                        RejectReason.OVERSIZED,
                        RejectReason.TOO_DEEP,
                        RejectReason.WRONG_TYPE,
                        RejectReason.MISSING_FIELD,
                        RejectReason.INVALID_VALUE,
                        RejectReason.TIMESTAMP_IN_FUTURE,
                        RejectReason.TIMESTAMP_TOO_OLD);
        assertThat(duplicates).isPositive();
        assertThat(CollectingSink.results("hostile-sessions")).isNotEmpty();
        assertThat(CollectingSink.results("hostile-metrics")).isNotEmpty();
    }
}
