package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The comparisons of the production graph on a MiniCluster, no Elasticsearch needed (its sibling
 * {@link ComparisonsElasticsearchITCase} also checks the index): the generator's shipped traffic,
 * whose sessions share a network and device factor across their views, with one true effect ({@code
 * checkout_flow=one_page} 30 % slower). Tested per session, the slow variant is flagged worse on
 * its latencies with the effect's size, and no experiment without an effect gets a verdict, which
 * the per-view tests gave most of them (docs/DISCUSSION.md, "Comparisons judge sessions").
 */
class ComparisonsPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    @Test
    void aSlowVariantIsFlaggedWorseBySessionAndExperimentsWithoutEffectAreNot() throws Exception {
        GeneratorConfig gen =
                ShippedGenerator.lasting("90m", ComparisonsElasticsearchITCase.INCIDENTS);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.build(
                        flink,
                        GeneratorSource.decoded(gen, 5L, config.ingest),
                        "generator",
                        config);
        pipeline.comparisons().sinkTo(CollectingSink.named("cmp-pipeline"));
        flink.execute("comparisons-pipeline-itcase");

        List<Comparison> last =
                CollectingSink.<Comparison>results("cmp-pipeline").stream()
                        .filter(c -> c.last)
                        .toList();
        for (Comparison c : last) System.out.println(c.statement);
        Map<String, Comparison> onePage =
                last.stream()
                        .filter(c -> "one_page".equals(c.variant))
                        .collect(Collectors.toMap(c -> c.metric, c -> c));
        Comparison load = onePage.get("load");
        assertThat(load.control).isEqualTo("control");
        assertThat(load.verdict).isEqualTo(Verdict.WORSE);
        assertThat(onePage.get("lcp").verdict).isEqualTo(Verdict.WORSE);
        // Every view of a one_page session is 1.3 times slower, so is its geometric mean.
        assertThat(load.relative).isBetween(0.2, 0.4);
        assertThat(load.diffLow).isPositive();
        assertThat(load.statement).endsWith("sessions");
        assertThat(onePage.get("error_rate").verdict).isNotEqualTo(Verdict.WORSE);

        List<Comparison> others =
                last.stream()
                        .filter(c -> Comparison.EXPERIMENT.equals(c.kind))
                        .filter(c -> !"one_page".equals(c.variant))
                        .toList();
        assertThat(others.stream().map(c -> c.experiment).distinct()).hasSizeGreaterThan(1);
        assertThat(others)
                .allSatisfy(
                        c ->
                                assertThat(c.verdict)
                                        .as(c.statement)
                                        .isIn(Verdict.NO_DIFFERENCE, Verdict.INSUFFICIENT_DATA));
        assertThat(others).anySatisfy(c -> assertThat(c.verdict).isEqualTo(Verdict.NO_DIFFERENCE));
        assertThat(last).anySatisfy(c -> assertThat(c.kind).isEqualTo(Comparison.RELEASE));
    }
}
