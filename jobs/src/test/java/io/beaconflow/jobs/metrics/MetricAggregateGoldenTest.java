package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Pins the document a metric row becomes in Elasticsearch ({@code rum-metrics-*}), the NDJSON of
 * the demo and what dashboards, notebooks and index templates read: every field of a fully
 * populated row, by name, order and value. The expected text in {@code
 * src/test/resources/metric-aggregate-golden/} was written by the row with one field per
 * percentile, before the row's layout was restructured; never regenerate it to make this test pass:
 * a changed document is a changed index mapping and changed dashboards.
 */
class MetricAggregateGoldenTest {
    private static final Path GOLDEN =
            Path.of("src", "test", "resources", "metric-aggregate-golden");
    private static final ObjectMapper JSON = Json.newOutputMapper();

    /** Every field set, each to a value of its own, through the setters the accumulator uses. */
    static MetricAggregate fullyPopulated() {
        MetricAggregate a = new MetricAggregate();
        a.id = "shop|route|/cart|1700000040000";
        a.app = "shop";
        a.dimension = "route";
        a.dimensionValue = "/cart";
        a.windowStart = 1_700_000_040_000L;
        a.windowEnd = 1_700_000_100_000L;
        a.updateSeq = 2;
        a.pageViews = 120.5;
        a.events = 960.25;
        a.fetches = 300;
        a.failedFetches = 7;
        a.jsErrors = 3;
        a.errorRate = 3 / 120.5;
        a.fetchErrorRate = 7 / 300.0;
        a.samples = 412;
        a.sessionBits = 0x5a5a_0000_ffffL;
        double[] outcomes = new double[Outcomes.SLOTS];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = 1 + 3.5 * i;
        }
        a.setOutcomes(outcomes);
        for (LatencyMetric m : LatencyMetric.values()) {
            double base = 100 * (m.ordinal() + 1);
            a.setLatency(
                    m,
                    new double[] {base + 0.5, base + 10.25, base + 40.125, base + 90.0625},
                    11 + m.ordinal());
        }
        return a;
    }

    private static String golden(String name) throws Exception {
        return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8).strip();
    }

    @Test
    void aFullyPopulatedRowWritesTheSameDocumentAsBefore() throws Exception {
        assertThat(JSON.writeValueAsString(fullyPopulated())).isEqualTo(golden("row.json"));
    }

    @Test
    void aScoredRowWritesTheRowsFieldsThenItsScores() throws Exception {
        ScoredAggregate s = ScoredAggregate.of(fullyPopulated());
        MetricScore score = new MetricScore();
        score.value = 150.125;
        score.denominator = 11.0;
        score.expected = 120.0;
        score.lower = 90.0;
        score.upper = 140.0;
        score.z = 4.5;
        score.score = 0.75;
        score.anomaly = true;
        score.direction = "up";
        score.baseline = "ewma";
        score.status = "scored";
        s.scores.put("load_p95", score);
        assertThat(JSON.writeValueAsString(s)).isEqualTo(golden("scored.json"));
    }

    @Test
    void aRowWithoutValuesLeavesItsPercentilesOut() throws Exception {
        MetricAggregate a = new MetricAggregate();
        a.id = "shop|all|*|0";
        a.app = "shop";
        a.dimension = "all";
        a.dimensionValue = "*";
        a.setOutcomes(new double[Outcomes.SLOTS]);
        assertThat(JSON.writeValueAsString(a)).isEqualTo(golden("empty.json"));
    }

    @Test
    void everyDetectorMetricNameReadsTheDocumentsFieldOfThatName() throws Exception {
        MetricAggregate a = fullyPopulated();
        JsonNode doc = JSON.readTree(golden("row.json"));
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            if (name.matches(".*_p(50|75|95|99)|.*_share|apdex|error_rate|fetch_error_rate")
                    || name.equals("fetch_failure_rate")) {
                assertThat(a.value(name)).as(name).isEqualTo(f.getValue().doubleValue());
                checked++;
            }
            if (name.endsWith("_count")) {
                LatencyMetric m = LatencyMetric.fromPrefix(name.substring(0, name.length() - 6));
                assertThat(a.count(m)).as(name).isEqualTo(f.getValue().longValue());
                assertThat(a.denominator(m.fieldPrefix() + "_p75"))
                        .as(name)
                        .isEqualTo(f.getValue().doubleValue());
                checked++;
            }
        }
        // 8 metrics x (4 percentiles + count), 5 vitals x 3 shares, 4 rates.
        assertThat(checked).isEqualTo(8 * 5 + 15 + 4);
    }

    @Test
    void theFlinkSerializerKeepsEveryFieldOfAScoredRow() throws Exception {
        ScoredAggregate s = ScoredAggregate.of(fullyPopulated());
        s.scores.put("lcp_p75", new MetricScore());
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<ScoredAggregate> serializer =
                TypeInformation.of(ScoredAggregate.class).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(s, out);
        ScoredAggregate back =
                serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(JSON.writeValueAsString(back)).isEqualTo(JSON.writeValueAsString(s));
        assertThat(JSON.writeValueAsString(serializer.copy(s)))
                .isEqualTo(JSON.writeValueAsString(s));
    }
}
