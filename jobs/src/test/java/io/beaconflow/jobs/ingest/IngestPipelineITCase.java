package io.beaconflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GenerationStats;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.MalformedKind;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generator traffic through the real ingest graph on a MiniCluster, with generic types disabled:
 * the counts of accepted, duplicate, rejected and late events equal the generator's ground truth.
 */
class IngestPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final long SEED = 7;

    static GeneratorConfig generator() {
        GeneratorConfig gen = ShippedGenerator.withDemoIncidents("40m");
        // More of every kind of trouble than real traffic has, so each path is exercised.
        gen.realism.lateRate = 0.03;
        gen.realism.duplicateRate = 0.02;
        gen.realism.malformedRate = 0.01;
        return gen;
    }

    @Test
    void generatorTrafficComesOutWithExactlyTheExpectedAcceptedRejectedAndLateCounts()
            throws Exception {
        GeneratorConfig gen = generator();
        TrafficGenerator.Merged truth = TrafficGenerator.generateAll(gen, SEED, gen.splits);
        while (truth.hasNext()) truth.next();
        GenerationStats expected = truth.stats();
        assertThat(expected.malformedRecords())
                .as("the run must exercise dead letters")
                .isPositive();
        assertThat(expected.duplicateEvents()).as("and duplicates").isPositive();
        assertThat(expected.lateEvents()).as("and late events").isPositive();

        StreamExecutionEnvironment env = MiniClusters.environment(2);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        BeaconflowPipeline.build(
                        env, GeneratorSource.decoded(gen, SEED, config.ingest), "generator", config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named("it-events"))
                                .deadLetters(CollectingSink.named("it-dead"))
                                .lateEvents(CollectingSink.named("it-late")));
        env.execute("ingest-itcase");

        List<RumEvent> events = CollectingSink.results("it-events");
        List<DeadLetter> dead = CollectingSink.results("it-dead");
        List<DeadLetter> late = CollectingSink.results("it-late");

        System.out.printf(
                "ingest ITCase: events %d (expected %d), dead letters %d (expected %d), late %d"
                        + " (expected %d), duplicates injected %d%n",
                events.size(),
                expected.uniqueEvents() - expected.lateEvents(),
                dead.size(),
                expected.malformedRecords(),
                late.size(),
                expected.lateEvents(),
                expected.duplicateEvents());
        assertThat(events).hasSize((int) (expected.uniqueEvents() - expected.lateEvents()));
        assertThat(events.stream().map(e -> e.app + "/" + e.eventId).distinct().count())
                .as("no duplicate event ids survive")
                .isEqualTo(events.size());
        assertThat(late).hasSize((int) expected.lateEvents());
        assertThat(late).allMatch(d -> d.reason == RejectReason.LATE);
        assertThat(dead).hasSize((int) expected.malformedRecords());
        assertThat(reasons(dead)).isEqualTo(expectedReasons(expected));

        // Enrichment and scrubbing reached every event.
        assertThat(events).allMatch(e -> e.route != null && e.browser != null);
        assertThat(events).noneMatch(e -> e.userId != null && e.userId.startsWith("u_"));
        assertThat(events.stream().filter(e -> e.bot).count()).isEqualTo(expected.botEvents());
    }

    static Map<RejectReason, Long> reasons(List<DeadLetter> dead) {
        return dead.stream()
                .collect(
                        Collectors.groupingBy(
                                d -> d.reason,
                                () -> new EnumMap<>(RejectReason.class),
                                Collectors.counting()));
    }

    static Map<RejectReason, Long> expectedReasons(GenerationStats s) {
        Map<RejectReason, Long> m = new EnumMap<>(RejectReason.class);
        for (Map.Entry<MalformedKind, Long> e : s.malformedByKind().entrySet()) {
            m.merge(reasonFor(e.getKey()), e.getValue(), Long::sum);
        }
        return m;
    }

    static RejectReason reasonFor(MalformedKind kind) {
        switch (kind) {
            case NOT_JSON:
            case TRUNCATED_JSON:
                return RejectReason.NOT_JSON;
            case INVALID_UTF8:
                return RejectReason.INVALID_UTF8;
            case WRONG_FIELD_TYPES:
                return RejectReason.WRONG_TYPE;
            case UNKNOWN_EVENT_TYPE:
                return RejectReason.UNKNOWN_EVENT_TYPE;
            case NEGATIVE_DURATION:
                return RejectReason.INVALID_VALUE;
            default:
                throw new IllegalArgumentException(kind.name());
        }
    }
}
