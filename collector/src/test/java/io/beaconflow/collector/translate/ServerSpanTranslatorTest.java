package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.server.CollectorEdgeTestAccess;
import org.junit.jupiter.api.Test;

/** A backend's OTLP export into server-span records: SERVER spans with a parent only. */
class ServerSpanTranslatorTest {
    @Test
    void aServerSpanBecomesARecordForTheKeysAppAndOtherSpansAreIgnored() throws Exception {
        EdgeContext edge = new EdgeContext(1_790_000_101_000L, "10.0.0.5", "otel-java", null, null);
        Translation t =
                ServerSpanTranslator.translate(
                        OtlpJson.parse(
                                ContractEvents.JSON.readTree(
                                        CollectorEdgeTestAccess.serverSpanExport())),
                        "shop-web",
                        edge);
        assertThat(t.rejected()).isEmpty();
        assertThat(t.ignored()).isEqualTo(1); // the internal database span
        assertThat(t.events()).hasSize(1);
        ObjectNode r = t.events().get(0);
        assertThat(r.path("type").asText()).isEqualTo("server_span");
        assertThat(r.path("app").asText()).isEqualTo("shop-web");
        assertThat(r.path("service").asText()).isEqualTo("shop-api");
        assertThat(r.path("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(r.path("span_id").asText()).isEqualTo("b7ad6b7169203331");
        assertThat(r.path("parent_span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(r.path("method").asText()).isEqualTo("POST");
        assertThat(r.path("route").asText()).isEqualTo("/api/checkout");
        assertThat(r.path("status").asInt()).isEqualTo(500);
        assertThat(r.path("start_ms").asLong()).isEqualTo(1_790_000_099_000L);
        assertThat(r.path("duration_ms").asDouble()).isEqualTo(1500.0);
        assertThat(r.path("received_at").asLong()).isEqualTo(1_790_000_101_000L);
    }
}
