package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MiniCluster stand-in for TaskManagerFailoverITCase's route and endpoint rows (that test needs
 * the stack, and its config writes rules for the generator's slug routes): the production graph
 * over the shipped generator with the demo incidents (40 minutes, long enough for news-web's {@code
 * /api/topics/{slug}} endpoint and the {@code /category/{slug}}, {@code /topics/{slug}} and {@code
 * /articles/{id}/{slug}} routes to learn their templates: the shipped config has no rule for them),
 * with the shipped dimensions, once uninterrupted and once with checkpoints every 100 ms and a
 * failure in the middle, after which the job restores the last checkpoint and replays with another
 * interleaving of its input channels. Every route and endpoint row of the uninterrupted run must
 * come out of the failover run with the same values, and no other such row.
 */
class TemplateReplayPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final Map<String, List<ScoredAggregate>> RESULTS =
            new java.util.concurrent.ConcurrentHashMap<>();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger CHECKPOINTS_BEFORE_FAILURE = new AtomicInteger();

    @Test
    void theRouteAndEndpointRowsOfARunWithAFailoverEqualThoseOfAnUninterruptedRun()
            throws Exception {
        Map<String, ScoredAggregate> reference = run("reference", -1);
        Map<String, ScoredAggregate> failover = run("failover", 1200);
        assertThat(FAILED).as("the failure happened").isTrue();
        System.out.printf(
                "template replay: %d route and endpoint rows uninterrupted (%d route), %d after a"
                        + " failover (%d checkpoint flushes before the failure)%n",
                reference.size(),
                reference.values().stream().filter(r -> r.dimension.equals("route")).count(),
                failover.size(),
                CHECKPOINTS_BEFORE_FAILURE.get());
        assertThat(reference.values())
                .as("the template was learned, and raw topic endpoints came before it")
                .anyMatch(r -> r.dimensionValue.equals("GET /api/topics/:slug"))
                .anyMatch(
                        r ->
                                r.dimensionValue.startsWith("GET /api/topics/")
                                        && !r.dimensionValue.contains(":"))
                .as("route templates were learned, not written as rules, and raw routes came first")
                .anyMatch(r -> r.dimensionValue.equals("/category/:slug"))
                .anyMatch(r -> r.dimensionValue.equals("/topics/:slug"))
                .anyMatch(r -> r.dimensionValue.equals("/articles/:id/:slug"))
                .anyMatch(
                        r ->
                                r.dimension.equals("route")
                                        && r.dimensionValue.startsWith("/category/")
                                        && !r.dimensionValue.contains(":"));
        assertThat(failover.keySet()).containsExactlyInAnyOrderElementsOf(reference.keySet());
        for (ScoredAggregate r : reference.values()) {
            assertThat(failover.get(r.id))
                    .as(r.id)
                    .usingRecursiveComparison()
                    .comparingOnlyFields(
                            "fetches",
                            "pageViews",
                            "jsErrors",
                            "events",
                            "fetches4xx",
                            "fetches5xx",
                            "samples",
                            "updateSeq")
                    .isEqualTo(r);
        }
    }

    /**
     * The final version of every route and endpoint row of one run; fails once after failAt rows if
     * >= 0.
     */
    static Map<String, ScoredAggregate> run(String name, int failAt) throws Exception {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        assertThat(config.metrics.dimensions).contains("endpoint", "route");
        assertThat(config.ingest.routes.rules)
                .as("no rule for the generator's slug routes: they are learned")
                .noneMatch(r -> r.pattern.contains("category") || r.pattern.contains("topics"));
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        if (failAt >= 0) env.enableCheckpointing(100);
        RESULTS.put(name, Collections.synchronizedList(new ArrayList<>()));
        BeaconflowPipeline.build(
                        env,
                        GeneratorSource.decoded(
                                ShippedGenerator.withDemoIncidents("40m"), 42, config.ingest),
                        "generator",
                        config)
                .sinkTo(new BeaconflowPipeline.Sinks().metrics(new TemplateRows(name, failAt)));
        env.execute("template-replay-" + name);
        Map<String, ScoredAggregate> rows = new TreeMap<>();
        synchronized (RESULTS.get(name)) {
            // At-least-once into this list: the replay writes rows again; the last write of the
            // highest version wins, as an Elasticsearch index by id would keep it.
            for (ScoredAggregate r : RESULTS.get(name)) {
                rows.merge(r.id, r, (a, b) -> b.updateSeq >= a.updateSeq ? b : a);
            }
        }
        return rows;
    }

    /** Collects route and endpoint rows; the first attempt of a failing run throws at failAt. */
    static final class TemplateRows implements Sink<ScoredAggregate> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final int failAt;

        TemplateRows(String name, int failAt) {
            this.name = name;
            this.failAt = failAt;
        }

        @Override
        public SinkWriter<ScoredAggregate> createWriter(WriterInitContext context) {
            List<ScoredAggregate> target = RESULTS.get(name);
            return new SinkWriter<>() {
                int seen;

                @Override
                public void write(ScoredAggregate r, Context ctx) {
                    if (failAt >= 0 && ++seen == failAt && FAILED.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure after " + seen + " rows");
                    }
                    if (r.dimension.equals("endpoint") || r.dimension.equals("route")) {
                        target.add(r);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (!endOfInput && !FAILED.get()) CHECKPOINTS_BEFORE_FAILURE.incrementAndGet();
                }

                @Override
                public void close() {}
            };
        }
    }
}
