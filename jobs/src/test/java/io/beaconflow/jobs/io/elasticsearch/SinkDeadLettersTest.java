package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkDeadLettersTest {
    private final SinkDeadLetters deadLetters = new SinkDeadLetters("rum-deadletter", 64);

    private static ElasticsearchDocument rejected(String json) {
        return new ElasticsearchDocument(
                "rum-metrics-2026.11.02",
                "checkout|route|/cart|1793577600000",
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedDocumentBecomesADeadLetterWithTheErrorAndTheOriginal() throws Exception {
        ElasticsearchDocument dl =
                deadLetters.of(
                        rejected("{\"page_views\":\"many\"}"),
                        400,
                        "document_parsing_exception",
                        "failed to parse field [page_views] of type [double]");
        JsonNode doc = new ObjectMapper().readTree(dl.source());

        assertThat(dl.index()).isEqualTo("rum-deadletter");
        assertThat(dl.id())
                .isEqualTo("sink-rum-metrics-2026.11.02-checkout|route|/cart|1793577600000");
        assertThat(doc.get("reason").asText()).isEqualTo("SINK_REJECTED");
        assertThat(doc.get("error_type").asText()).isEqualTo("document_parsing_exception");
        assertThat(doc.get("error_reason").asText()).contains("page_views");
        assertThat(doc.get("error_status").asInt()).isEqualTo(400);
        assertThat(doc.get("original_index").asText()).isEqualTo("rum-metrics-2026.11.02");
        assertThat(doc.get("original_id").asText()).isEqualTo("checkout|route|/cart|1793577600000");
        assertThat(doc.get("payload").asText()).isEqualTo("{\"page_views\":\"many\"}");
        assertThat(doc.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void aLargeDocumentIsCutAndMarkedTruncatedWithItsFullSize() throws Exception {
        String big = "{\"detail\":\"" + "é".repeat(200) + "\"}";
        ElasticsearchDocument dl = deadLetters.of(rejected(big), 400, "x", "y");
        JsonNode doc = new ObjectMapper().readTree(dl.source());
        assertThat(doc.get("payload").asText()).hasSize(64);
        assertThat(doc.get("truncated").asBoolean()).isTrue();
        assertThat(doc.get("payload_bytes").asInt())
                .isEqualTo(big.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String s = "ab\uD83D\uDE00cd";
        assertThat(SinkDeadLetters.truncate(s, 3)).isEqualTo("ab");
        assertThat(SinkDeadLetters.truncate(s, 4)).isEqualTo("ab\uD83D\uDE00");
    }

    @Test
    void theSameRejectionGivesTheSameIdAndOverlongIdsAreHashed() {
        assertThat(SinkDeadLetters.idFor("i", "a")).isEqualTo(SinkDeadLetters.idFor("i", "a"));
        String longId = "x".repeat(600);
        String id = SinkDeadLetters.idFor("rum-sessions-2026.11.02", longId);
        assertThat(id).startsWith("sink-").hasSize(5 + 64);
        assertThat(id).isEqualTo(SinkDeadLetters.idFor("rum-sessions-2026.11.02", longId));
        assertThat(id).isNotEqualTo(SinkDeadLetters.idFor("rum-sessions-2026.11.03", longId));
    }

    @Test
    void everyFieldOfASinkDeadLetterIsMappedInTheDeadLetterTemplate() throws Exception {
        Map<String, String> fields =
                TemplateFields.of(Path.of("../docker/elasticsearch/templates/rum-deadletter.json"));
        JsonNode doc =
                new ObjectMapper().readTree(deadLetters.of(rejected("{}"), 400, "t", "r").source());
        for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
            assertThat(fields).containsKey(it.next());
        }
    }
}
