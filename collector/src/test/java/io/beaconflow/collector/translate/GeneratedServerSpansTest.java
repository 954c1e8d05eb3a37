package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.ServerSpanTraffic;
import io.beaconflow.jobs.model.RawBeacon;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The job's generator writes its backends' SERVER spans itself (the demo and {@code generate} have
 * no OpenTelemetry SDK in between): each record must be exactly what this collector writes for the
 * OTLP export of that span. Every generated record is turned back into an OTLP/JSON export
 * (service.name, ids, kind SERVER, start and end in ns, method, route, status, status ERROR on a
 * 5xx), translated here, and compared field by field.
 */
class GeneratedServerSpansTest {
    @Test
    void everyGeneratedSpanRecordIsWhatTheCollectorWritesForItsOtlpExport() throws Exception {
        GeneratorConfig gen =
                GeneratorConfig.load(Path.of("..", "flink-conf", "generator.yaml"))
                        .withDuration("10m");
        ServerSpanTraffic spans = new ServerSpanTraffic(gen, 42, 0, gen.splits);
        int n = 0;
        int errors = 0;
        while (spans.hasNext()) {
            RawBeacon raw = spans.next();
            JsonNode generated = ContractEvents.JSON.readTree(raw.payload);
            Translation t =
                    ServerSpanTranslator.translate(
                            OtlpJson.parse(ContractEvents.JSON.readTree(otlp(generated))),
                            generated.get("app").asText(),
                            new EdgeContext(raw.receivedAt, "10.0.0.5", "otel-java", null, null));
            assertThat(t.rejected()).isEmpty();
            assertThat(t.events()).hasSize(1);
            // Re-read, so that numbers compare by value (the collector puts the status as a long).
            JsonNode written = ContractEvents.JSON.readTree(t.events().get(0).toString());
            assertThat(written).as("record %d", n).isEqualTo(generated);
            if (generated.get("error").asBoolean()) errors++;
            n++;
        }
        assertThat(n).isGreaterThan(500);
        assertThat(errors).isGreaterThan(0);
    }

    /** One SERVER span's OTLP/JSON export; the last slot is the ERROR status or nothing. */
    private static final String OTLP =
            """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",\
            "value":{"stringValue":"%s"}}]},"scopeSpans":[{"spans":[{"traceId":"%s",\
            "spanId":"%s","parentSpanId":"%s","name":"%s %s","kind":2,\
            "startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[\
            {"key":"http.request.method","value":{"stringValue":"%s"}},\
            {"key":"http.route","value":{"stringValue":"%s"}},\
            {"key":"http.response.status_code","value":{"intValue":%d}}]%s}]}]}]}""";

    /** The OTLP/JSON export a backend's SDK would send for the span of {@code r}. */
    private static String otlp(JsonNode r) {
        long startNs = r.get("start_ms").asLong() * 1_000_000L;
        long endNs =
                startNs
                        + new BigDecimal(r.get("duration_ms").asText())
                                .movePointRight(6)
                                .longValueExact();
        String method = r.get("method").asText();
        String route = r.get("route").asText();
        return OTLP.formatted(
                r.get("service").asText(),
                r.get("trace_id").asText(),
                r.get("span_id").asText(),
                r.get("parent_span_id").asText(),
                method,
                route,
                startNs,
                endNs,
                method,
                route,
                r.get("status").asInt(),
                r.get("error").asBoolean() ? ",\"status\":{\"code\":2}" : "");
    }
}
