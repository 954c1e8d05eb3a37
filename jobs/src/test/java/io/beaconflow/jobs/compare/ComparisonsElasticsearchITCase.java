package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.ElasticsearchIndices;
import io.beaconflow.jobs.testing.MiniClusters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    @Test
    void aSlowVariantIsFlaggedWorseAndExperimentsWithoutEffectAreNot() throws Exception {
        try (ElasticsearchIndices es = new ElasticsearchIndices("cmp", "rum-comparisons")) {
            runAndCheck(es.sink, es.prefix, es.run);
        }
    }

    private void runAndCheck(ElasticsearchSinkConfig es, String prefix, String run)
            throws Exception {
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        BeaconflowPipeline pipeline = ComparisonsPipelineITCase.slowVariantPipeline(flink);
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
        for (Comparison c : last) {
            System.out.println(c);
        }
        Map<String, Comparison> onePage = ComparisonsPipelineITCase.onlyTheSlowVariantIsWorse(last);

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
        JsonNode mapping = ElasticsearchIndices.mapping(prefix + "rum-comparisons");
        assertThat(mapping.findPath("verdict").path("type").asText()).isEqualTo("keyword");
        assertThat(mapping.findPath("p_value").path("type").asText()).isEqualTo("double");
        assertThat(mapping.findPath("statement").path("type").asText()).isEqualTo("keyword");
    }
}
