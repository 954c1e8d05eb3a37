package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Synthetic documents with a known content per sequence number, and checks against them. */
final class TestDocs {
    private TestDocs() {}

    /** A Flink POJO: public fields, no-arg constructor. */
    public static class Doc {
        public long seq;
        public String name;
        public double value;
        public String tag;
        public Map<String, String> extra;

        public Doc() {}

        static Doc of(long seq) {
            Doc d = new Doc();
            d.seq = seq;
            d.name = "doc-" + seq;
            d.value = seq * 0.5;
            d.tag = Long.toString(seq % 97);
            return d;
        }
    }

    static String id(long seq) {
        return "doc-" + seq;
    }

    static JsonDocumentEmitter<Doc> emitter(String index) {
        return JsonDocumentEmitter.toIndex(index, d -> id(d.seq));
    }

    /** Exactly one document per seq in [0, n), each equal to {@link Doc#of}. */
    static void assertExactly(List<JsonNode> hits, long n) throws Exception {
        ObjectMapper json = Json.newOutputMapper();
        assertThat(hits).hasSize((int) n);
        for (int i = 0; i < n; i++) {
            JsonNode hit = hits.get(i);
            assertThat(hit.get("_id").asText()).isEqualTo(id(i));
            assertThat(hit.get("_source"))
                    .isEqualTo(json.readTree(json.writeValueAsBytes(Doc.of(i))));
        }
    }

    /** The sum over all subtasks of a counter the sink registered. */
    static long counter(InMemoryReporter reporter, JobID job, String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : reporter.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getValue() instanceof Counter) {
                sum += ((Counter) e.getValue()).getCount();
            }
        }
        return sum;
    }
}
