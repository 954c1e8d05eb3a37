package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.ElasticsearchIndices;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production graph fed by the generator, with a {@code variant_regression} incident (shop-web's
 * {@code checkout_flow=one_page} 30 % slower for the whole run), writing comparisons into a real
 * Elasticsearch ({@code scripts/stack.sh up es}; {@code BEACONFLOW_ES_URL}) under the job's index
 * template with a fresh prefix. The slow variant is flagged worse on the latencies; every other
 * experiment of the generated traffic, which has no true effect, shows no verdict; the index holds
 * one document per id, equal to what the job emitted.
 */
class ComparisonsElasticsearchITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final String INCIDENTS =
            "incidents:\n"
                    + "  - { id: one-page-slow, kind: variant_regression, app: shop-web,"
                    + " dimension: variant, value: checkout_flow=one_page, start: 0m,"
                    + " duration: 100m, magnitude: 1.3 }\n";

    @Test
    void aSlowVariantIsFlaggedWorseAndExperimentsWithoutEffectAreNot() throws Exception {
        try (ElasticsearchIndices es = new ElasticsearchIndices("cmp", "rum-comparisons")) {
            runAndCheck(es.sink, es.prefix, es.run);
        }
    }

    private void runAndCheck(ElasticsearchSinkConfig es, String prefix, String run)
            throws Exception {
        GeneratorConfig gen = ShippedGenerator.lasting("90m", INCIDENTS);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.build(
                        flink,
                        GeneratorSource.decoded(gen, 5L, config.ingest),
                        "generator",
                        config);
        pipeline.sinkTo(
                new BeaconflowPipeline.Sinks().comparisons(ElasticsearchOutputs.comparisons(es)));
        pipeline.comparisons().sinkTo(CollectingSink.named("cmp-" + run));
        flink.execute("comparisons-itcase");

        List<Comparison> all = CollectingSink.results("cmp-" + run);
        Map<String, Comparison> byId = new HashMap<>();
        for (Comparison c : all) byId.put(c.id, c);
        ElasticsearchIndices.send("POST", "/" + prefix + "*/_refresh");
        assertThat(ElasticsearchIndices.count(prefix + "rum-comparisons")).isEqualTo(byId.size());

        List<Comparison> last = all.stream().filter(c -> c.last).toList();
        Map<String, List<Comparison>> byArm =
                last.stream()
                        .collect(
                                Collectors.groupingBy(
                                        c -> c.app + " " + c.experiment + "=" + c.variant));
        for (Comparison c : last) {
            System.out.println(c);
        }
        Map<String, Comparison> onePage =
                byArm.get("shop-web checkout_flow=one_page").stream()
                        .collect(Collectors.toMap(c -> c.metric, c -> c));
        assertThat(onePage.get("load").control).isEqualTo("control");
        assertThat(onePage.get("load").verdict).isEqualTo(Verdict.WORSE);
        assertThat(onePage.get("lcp").verdict).isEqualTo(Verdict.WORSE);
        assertThat(onePage.get("load").relative).isBetween(0.2, 0.4);
        assertThat(onePage.get("load").diffLow).isPositive();
        assertThat(onePage.get("error_rate").verdict).isNotEqualTo(Verdict.WORSE);

        // Every other experiment arm: no true effect, no verdict.
        List<Comparison> others =
                last.stream()
                        .filter(c -> Comparison.EXPERIMENT.equals(c.kind))
                        .filter(c -> !(c.app.equals("shop-web") && c.variant.equals("one_page")))
                        .toList();
        assertThat(others.stream().map(c -> c.experiment).distinct()).hasSizeGreaterThan(1);
        assertThat(others)
                .allSatisfy(
                        c ->
                                assertThat(c.verdict)
                                        .as(c.toString())
                                        .isIn(Verdict.NO_DIFFERENCE, Verdict.INSUFFICIENT_DATA));
        assertThat(others).anySatisfy(c -> assertThat(c.verdict).isEqualTo(Verdict.NO_DIFFERENCE));
        // Releases are compared too, each with the one seen before it.
        assertThat(last).anySatisfy(c -> assertThat(c.kind).isEqualTo(Comparison.RELEASE));

        // The document is the job's record, mapped by the template.
        Comparison load = onePage.get("load");
        JsonNode doc = ElasticsearchIndices.get(prefix + "rum-comparisons", load.id);
        assertThat(doc.path("verdict").asText()).isEqualTo("worse");
        assertThat(doc.path("n").asLong()).isEqualTo(load.n);
        assertThat(doc.path("n_control").asLong()).isEqualTo(load.nControl);
        assertThat(doc.path("p_value").asDouble()).isEqualTo(load.pValue);
        assertThat(doc.path("adjusted_p").asDouble()).isEqualTo(load.adjustedP);
        assertThat(doc.path("window_end").asLong()).isEqualTo(load.windowEnd);
        // The verdict in words, as the dashboard's verdict tables show it.
        assertThat(doc.path("statement").asText())
                .isEqualTo(load.statement)
                .startsWith(
                        "checkout_flow=one_page is worse than checkout_flow=control on page load");
        JsonNode mapping =
                ElasticsearchIndices.json(
                        ElasticsearchIndices.send("GET", "/" + prefix + "rum-comparisons/_mapping")
                                .body());
        assertThat(mapping.findPath("verdict").path("type").asText()).isEqualTo("keyword");
        assertThat(mapping.findPath("p_value").path("type").asText()).isEqualTo("double");
        assertThat(mapping.findPath("statement").path("type").asText()).isEqualTo("keyword");
    }
}
