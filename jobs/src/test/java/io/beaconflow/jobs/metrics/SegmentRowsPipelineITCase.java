package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16's metric fields through the production graph ({@link BeaconflowPipeline}: decoding in
 * the source, dedup, enrichment with its cardinality budgets, the view-route assigner, the
 * two-phase aggregation, allowed lateness, detection), not the metric stage alone as {@link
 * MetricStageITCase}: the shipped generator with the demo's incidents (20 minutes, seed 42,
 * duplicates, late and sampled traffic included) and the {@code endpoint} dimension added. The
 * final version of every metric row, of every series (app total, route, release, browser, country,
 * device, variant, os, browser_version, endpoint), must hold the counts, Web Vitals rating counts
 * and shares, Apdex zones, fetch status classes and failure rate that {@link
 * MetricStageITCase#expected} computes straight from the enriched events the same run emitted.
 */
class SegmentRowsPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    @Test
    void everySegmentRowOfTheProductionGraphMatchesAComputationOverItsEnrichedEvents()
            throws Exception {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.metrics = MetricStageITCase.withEndpoints(config.metrics);
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        BeaconflowPipeline.build(
                        env,
                        GeneratorSource.decoded(
                                ShippedGenerator.withDemoIncidents("20m"), 42, config.ingest),
                        "generator",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named("segments-events"))
                                .metrics(CollectingSink.named("segments-metrics")));
        env.execute("segment-rows-itcase");

        List<RumEvent> events = CollectingSink.results("segments-events");
        // Late updates overwrite a row by id: the final version is the one with the highest seq.
        Map<String, ScoredAggregate> rows = new TreeMap<>();
        for (ScoredAggregate r : CollectingSink.<ScoredAggregate>results("segments-metrics")) {
            rows.merge(r.id, r, (a, b) -> a.updateSeq >= b.updateSeq ? a : b);
        }
        Map<String, MetricStageITCase.Expected> expected =
                MetricStageITCase.expected(events, config.metrics.sketchRelativeAccuracy);

        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> checked = new ArrayList<>();
        for (ScoredAggregate row : rows.values()) {
            MetricStageITCase.Expected x = expected.get(row.id);
            assertThat(row.pageViews).as(row.id).isEqualTo(x.pageViews);
            assertThat(row.events).as(row.id).isEqualTo(x.events);
            assertThat(row.fetches).as(row.id).isEqualTo(x.fetches);
            assertThat(row.jsErrors).as(row.id).isEqualTo(x.jsErrors);
            assertThat(row.samples).as(row.id).isEqualTo(x.samples);
            MetricStageITCase.assertOutcomes(row, x);
            for (LatencyMetric m : LatencyMetric.values()) {
                assertThat(row.count(m))
                        .as(row.id + " " + m)
                        .isEqualTo(x.values.getOrDefault(m, List.of()).size());
            }
            checked.add(row.dimension);
        }
        // Not vacuous: the segments the issue asks for are there, with rated values.
        assertThat(checked)
                .contains("os", "browser_version", "endpoint", "route", "variant", "all");
        assertThat(rows.values())
                .filteredOn(r -> r.dimension.equals("os") && r.value("lcp_good_share") != null)
                .hasSizeGreaterThan(20);
        assertThat(rows.values())
                .filteredOn(r -> r.dimension.equals("endpoint") && r.fetches4xx + r.fetches5xx > 0)
                .isNotEmpty();
        assertThat(rows.values())
                .filteredOn(r -> r.dimension.equals("route") && r.apdex != null)
                .hasSizeGreaterThan(50);
    }
}
