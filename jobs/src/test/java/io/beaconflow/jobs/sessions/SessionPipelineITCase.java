package io.beaconflow.jobs.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generator traffic through the whole job on a MiniCluster (generic types off, parallelism 2): the
 * closed session records equal an independent, straightforward sessionization of the same accepted
 * events (sort each visit's events by time; split on the inactivity gap and at the maximum
 * duration), session by session, with exact counts.
 */
class SessionPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    /** What the reference computation produces for one session. */
    record Expected(
            String key,
            long start,
            long end,
            int events,
            int pageViews,
            int actions,
            int fetches,
            int failedFetches,
            int errors) {}

    /** What a run of the whole job left: its result, its config and what it wrote. */
    record Run(
            JobExecutionResult result,
            BeaconflowConfig config,
            List<RumEvent> events,
            List<SessionRecord> sessions,
            List<ScoredAggregate> metrics) {}

    /**
     * The whole job over 90 minutes of the shipped generator's traffic (seed 3) at parallelism 2,
     * generic types off and object reuse on, with {@code cluster}'s settings on top (state backend,
     * checkpoints); sinks and the job are named after {@code name}.
     */
    static Run run(String name, Configuration cluster) throws Exception {
        GeneratorConfig gen =
                GeneratorConfig.load(Path.of("../flink-conf/generator.yaml"))
                        .withDuration("90m")
                        .withSpeed("max");
        BeaconflowConfig config = BeaconflowConfig.defaults();
        // Short enough that the 90-minute run holds sessions split by the gap and by the cap.
        config.sessions.gap = java.time.Duration.ofMinutes(10);
        config.sessions.maxDuration = java.time.Duration.ofMinutes(30);

        Configuration conf = new Configuration(cluster);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        BeaconflowPipeline.build(
                        env, GeneratorSource.decoded(gen, 3, config.ingest), "generator", config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named(name + "-events"))
                                .sessions(CollectingSink.named(name + "-sessions"))
                                .metrics(CollectingSink.named(name + "-metrics")));
        JobExecutionResult result = env.execute(name);
        return new Run(
                result,
                config,
                CollectingSink.results(name + "-events"),
                CollectingSink.results(name + "-sessions"),
                CollectingSink.results(name + "-metrics"));
    }

    @Test
    void closedSessionsEqualAnIndependentSessionizationOfTheSameEvents() throws Exception {
        Run run = run("session-pipeline-itcase", new Configuration());
        List<RumEvent> events = run.events();
        List<SessionRecord> records = run.sessions();
        Map<String, Expected> expected = sessionize(events, run.config().sessions);
        Map<String, SessionRecord> closed = closedOnce(records);
        long splitByGap =
                expected.values().stream()
                        .collect(Collectors.groupingBy(Expected::key, Collectors.counting()))
                        .values()
                        .stream()
                        .filter(n -> n > 1)
                        .count();
        System.out.printf(
                "sessions ITCase: %d events, %d closed sessions (expected %d), %d visits split"
                        + " by the gap or the cap, %d updates%n",
                events.size(),
                closed.size(),
                expected.size(),
                splitByGap,
                records.size() - closed.size());
        assertThat(splitByGap).as("the run exercises splitting").isPositive();
        assertClosedAsExpected(closed, expected);
    }

    /** The closed records by session (app, id, start); a session closed twice fails. */
    static Map<String, SessionRecord> closedOnce(List<SessionRecord> records) {
        Map<String, SessionRecord> closed = new TreeMap<>();
        for (SessionRecord r : records) {
            if (r.closed) {
                assertThat(closed.put(r.app + "\u0000" + r.sessionId + "@" + r.start, r))
                        .as("one closed record per session")
                        .isNull();
            }
        }
        return closed;
    }

    /** Exactly the reference's sessions closed, each with its end and counts. */
    static void assertClosedAsExpected(
            Map<String, SessionRecord> closed, Map<String, Expected> expected) {
        assertThat(closed.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            SessionRecord r = closed.get(e.getKey());
            Expected x = e.getValue();
            assertThat(
                            List.of(
                                    r.end,
                                    r.events,
                                    r.pageViews,
                                    r.actions,
                                    r.fetches,
                                    r.failedFetches,
                                    r.errors))
                    .as("session %s", e.getKey())
                    .isEqualTo(
                            List.of(
                                    x.end(),
                                    x.events(),
                                    x.pageViews(),
                                    x.actions(),
                                    x.fetches(),
                                    x.failedFetches(),
                                    x.errors()));
        }
    }

    /** The reference: per visit, events by time; a new session after the gap or at the cap. */
    static Map<String, Expected> sessionize(List<RumEvent> events, SessionConfig cfg) {
        Map<String, List<RumEvent>> byVisit =
                events.stream().collect(Collectors.groupingBy(e -> e.app + "\u0000" + e.sessionId));
        Map<String, Expected> out = new TreeMap<>();
        long gap = cfg.gap.toMillis();
        long cap = cfg.maxDuration.toMillis();
        for (Map.Entry<String, List<RumEvent>> v : byVisit.entrySet()) {
            List<RumEvent> sorted = new ArrayList<>(v.getValue());
            sorted.sort(Comparator.comparingLong(e -> e.eventTime));
            List<RumEvent> current = new ArrayList<>();
            for (RumEvent e : sorted) {
                if (!current.isEmpty()) {
                    long start = current.get(0).eventTime;
                    long last = current.get(current.size() - 1).eventTime;
                    if (e.eventTime - last > gap || e.eventTime >= start + cap) {
                        add(out, v.getKey(), current);
                        current = new ArrayList<>();
                    }
                }
                current.add(e);
            }
            add(out, v.getKey(), current);
        }
        return out;
    }

    static void add(Map<String, Expected> out, String key, List<RumEvent> s) {
        int views = 0, actions = 0, fetches = 0, failed = 0, errors = 0;
        for (RumEvent e : s) {
            if (e.type == EventType.PAGE_VIEW) views++;
            if (e.type == EventType.ACTION) actions++;
            if (e.type == EventType.FETCH) fetches++;
            if (e.isFailedFetch()) failed++;
            if (e.type == EventType.ERROR) errors++;
        }
        long start = s.get(0).eventTime;
        out.put(
                key + "@" + start,
                new Expected(
                        key,
                        start,
                        s.get(s.size() - 1).eventTime,
                        s.size(),
                        views,
                        actions,
                        fetches,
                        failed,
                        errors));
    }
}
