package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
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

    /** The one true effect: shop-web's {@code checkout_flow=one_page} 30 % slower all run. */
    static final String INCIDENTS =
            "incidents:\n"
                    + "  - { id: one-page-slow, kind: variant_regression, app: shop-web,"
                    + " dimension: variant, value: checkout_flow=one_page, start: 0m,"
                    + " duration: 100m, magnitude: 1.3 }\n";

    /** The production graph over 90 minutes of shipped traffic with {@link #INCIDENTS}. */
    static BeaconflowPipeline slowVariantPipeline(StreamExecutionEnvironment flink) {
        return ShippedGenerator.pipeline(
                flink, ShippedGenerator.lasting("90m", INCIDENTS), 5L, BeaconflowConfig.defaults());
    }

    @Test
    void aSlowVariantIsFlaggedWorseBySessionAndExperimentsWithoutEffectAreNot() throws Exception {
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        slowVariantPipeline(flink).comparisons().sinkTo(CollectingSink.named("cmp-pipeline"));
        flink.execute("comparisons-pipeline-itcase");

        List<Comparison> last =
                CollectingSink.<Comparison>results("cmp-pipeline").stream()
                        .filter(c -> c.last)
                        .toList();
        for (Comparison c : last) System.out.println(c.statement);
        Comparison load = onlyTheSlowVariantIsWorse(last).get("load");
        assertThat(load.statement).endsWith("sessions");
    }

    /**
     * Checks the last comparisons of a {@link #slowVariantPipeline} run: the slow variant is worse
     * on the latencies by about its effect, and no other experiment arm gets a verdict; releases
     * are compared too. Returns the slow variant's comparisons by metric.
     */
    static Map<String, Comparison> onlyTheSlowVariantIsWorse(List<Comparison> last) {
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
        assertThat(onePage.get("error_rate").verdict).isNotEqualTo(Verdict.WORSE);

        // Every other experiment arm: no true effect, no verdict.
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
        // Releases are compared too, each with the one seen before it.
        assertThat(last).anySatisfy(c -> assertThat(c.kind).isEqualTo(Comparison.RELEASE));
        return onePage;
    }
}
