package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchDocument;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.elasticsearch.TemplateFields;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RAW =
            "{\"type\":\"page_view\",\"user_id\":\"jane@example.com\",\"client_ip\":\"203.0.113.77\","
                    + "\"page_url\":\"https://x.example/cb?token=s3cr3t\",\"load_ms\":\"slow\"}";

    static DeadLetter rejected() {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.WRONG_TYPE;
        d.detail = "load_ms must be a number; user jane@example.com";
        d.source = "rum-raw";
        d.partition = 1;
        d.offset = 42;
        d.position = "rum-raw/1@42";
        d.receivedAt = 1_790_000_000_000L;
        d.payload = RAW;
        d.payloadBytes = RAW.length();
        d.app = "shop";
        return d;
    }

    static JsonNode source(ElasticsearchDocument doc) throws Exception {
        return JSON.readTree(doc.source());
    }

    @Test
    void byDefaultTheDocumentKeepsReasonPositionSizesAndAHashButNotThePayload() throws Exception {
        ElasticsearchDocument doc =
                new DeadLetterDocuments("rum-deadletter", false).emit(rejected());
        JsonNode s = source(doc);
        assertThat(doc.index()).isEqualTo("rum-deadletter");
        assertThat(doc.id()).isEqualTo(rejected().documentId());
        assertThat(s.has("payload")).isFalse();
        assertThat(new String(doc.source(), "UTF-8"))
                .doesNotContain("jane@example.com")
                .doesNotContain("203.0.113.77")
                .doesNotContain("s3cr3t");
        assertThat(s.path("reason").asText()).isEqualTo("WRONG_TYPE");
        assertThat(s.path("detail").asText()).isEqualTo("load_ms must be a number; user <email>");
        assertThat(s.path("position").asText()).isEqualTo("rum-raw/1@42");
        assertThat(s.path("app").asText()).isEqualTo("shop");
        assertThat(s.path("payload_bytes").asInt()).isEqualTo(RAW.length());
        assertThat(s.path("payload_sha256").asText())
                .hasSize(64)
                .isEqualTo(DeadLetterDocuments.sha256(RAW));
    }

    @Test
    void theRawPayloadIsKeptOnlyWhenTheConfigSaysSo() throws Exception {
        JsonNode s = source(new DeadLetterDocuments("rum-deadletter", true).emit(rejected()));
        assertThat(s.path("payload").asText()).isEqualTo(RAW);
        assertThat(s.path("payload_sha256").asText()).isEqualTo(DeadLetterDocuments.sha256(RAW));
    }

    @Test
    void theConfigKeyIsOffByDefaultAndReadFromTheElasticsearchSection() {
        assertThat(
                        BeaconflowConfig.defaults()
                                .elasticsearchSinkConfig("t")
                                .deadLetter()
                                .rawPayloads())
                .isFalse();
        assertThat(
                        ElasticsearchSinkConfig.parse("dead-letter:\n  raw-payloads: true\n", "t")
                                .deadLetter()
                                .rawPayloads())
                .isTrue();
    }

    @Test
    void theSameDeadLetterGivesTheSameBytesAndTheInputIsNotChanged() throws Exception {
        DeadLetter d = rejected();
        DeadLetterDocuments emitter = new DeadLetterDocuments("rum-deadletter", false);
        assertThat(emitter.emit(d).source()).isEqualTo(emitter.emit(rejected()).source());
        assertThat(d.payload).isEqualTo(RAW);
    }

    @Test
    void everyFieldOfTheDocumentIsMappedInTheDeadLetterTemplate() throws Exception {
        Map<String, String> fields =
                TemplateFields.of(Path.of("../docker/elasticsearch/templates/rum-deadletter.json"));
        DeadLetter d = rejected();
        d.eventId = "e1";
        d.eventTime = 1L;
        JsonNode s = source(new DeadLetterDocuments("rum-deadletter", true).emit(d));
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            assertThat(fields).containsKey(it.next());
        }
        assertThat(fields).containsEntry("payload_sha256", "keyword");
    }
}
