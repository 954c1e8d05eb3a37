package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.traces.FetchServerJoin;
import io.beaconflow.jobs.traces.FetchTiming;
import io.beaconflow.jobs.traces.ServerSpan;
import io.beaconflow.jobs.traces.ServerSpanDecoder;
import io.beaconflow.jobs.traces.ServerSpanRecord;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Front-end ↔ back-end correlation on the captured real-browser visits: the backend's log of the
 * {@code traceparent}s it received ({@code *.backend.ndjson}) becomes OTLP SERVER spans, which go
 * through the collector's {@link ServerSpanTranslator} and the job's {@link ServerSpanDecoder}; the
 * captured SDK payloads go through the collector's translation and the job's BeaconDecoder; then
 * the job's join ({@link FetchServerJoin}) must pair every fetch the backend saw with its span,
 * with the server's duration, and leave none unmatched.
 */
public class BackendCorrelationTest {

    @ParameterizedTest
    @ValueSource(strings = {"faro", "otel"})
    void everyFetchOfTheVisitsJoinsTheServerSpanOfItsCall(String sdk) throws Exception {
        List<RumEvent> fetches =
                SdkTranslationTest.decodeAll(sdk).stream()
                        .filter(e -> e.type == EventType.FETCH)
                        .collect(Collectors.toList());
        List<JsonNode> backend = SdkFixtures.backend(sdk);
        List<ServerSpan> spans = new ArrayList<>();
        for (JsonNode call : backend) spans.add(throughCollectorAndDecoder(call));

        KeyedTwoInputStreamOperatorTestHarness<String, RumEvent, ServerSpan, FetchTiming> h =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new FetchServerJoin(Duration.ofSeconds(30), Duration.ofMinutes(2), 64),
                        e -> e.traceId,
                        s -> s.traceId,
                        Types.STRING);
        long last = 0;
        for (RumEvent f : fetches) {
            assertThat(FetchServerJoin.joinable(f))
                    .as("fetch %s keeps its ids", f.eventId)
                    .isTrue();
            h.processElement1(f, f.eventTime);
            last = Math.max(last, f.eventTime);
        }
        for (ServerSpan s : spans) h.processElement2(s, s.startMs);
        h.processBothWatermarks(new Watermark(last + Duration.ofMinutes(3).toMillis()));

        Map<String, FetchTiming> joined =
                h.extractOutputValues().stream()
                        .collect(Collectors.toMap(t -> t.traceId + "-" + t.spanId, t -> t));
        assertThat(joined).hasSize(backend.size());
        for (JsonNode call : backend) {
            String[] tp = call.path("traceparent").asText().split("-");
            FetchTiming t = joined.get(tp[1] + "-" + tp[2]);
            assertThat(t).as("join of %s", call.path("traceparent").asText()).isNotNull();
            assertThat(t.service).isEqualTo("shop-api");
            assertThat(t.serverMs).isEqualTo(call.path("duration_ms").asDouble());
            assertThat(t.serverStatus).isEqualTo(call.path("status").asInt());
            assertThat(t.status).isEqualTo(call.path("status").asInt());
            // The browser waited at least as long as the server worked, plus the network.
            assertThat(t.clientMs).isGreaterThanOrEqualTo(t.serverMs);
            assertThat(t.networkMs).isEqualTo(t.clientMs - t.serverMs);
        }
        // Every fetch of the visits called the backend, so nothing is left unmatched.
        var unmatched = h.getSideOutput(FetchServerJoin.UNMATCHED);
        List<String> left = new ArrayList<>();
        if (unmatched != null)
            for (StreamRecord<FetchTiming> r : unmatched) left.add(r.getValue().id);
        assertThat(left).isEmpty();
        assertThat(fetches).hasSize(backend.size());
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    /**
     * One backend log line → an OTLP SERVER span as an instrumented backend would export it → the
     * collector's server-span record → the job's decoder.
     */
    /**
     * One backend log line as the OTLP export of an instrumented backend (service shop-api): one
     * SERVER span, child of the fetch span named in the {@code traceparent} the backend received,
     * ending at the log's time and lasting its duration.
     */
    public static ExportTraceServiceRequest export(JsonNode call) {
        String[] tp = call.path("traceparent").asText().split("-");
        long end = Instant.parse(call.path("ts").asText()).toEpochMilli();
        long durationMs = call.path("duration_ms").asLong();
        long startNanos = (end - durationMs) * 1_000_000L;
        Span span =
                Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(tp[1])))
                        .setSpanId(
                                ByteString.copyFrom(HexFormat.of().parseHex(serverSpanId(tp[2]))))
                        .setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(tp[2])))
                        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                        .setName(call.path("method").asText() + " /api")
                        .setStartTimeUnixNano(startNanos)
                        .setEndTimeUnixNano(startNanos + durationMs * 1_000_000L)
                        .addAttributes(str("http.request.method", call.path("method").asText()))
                        .addAttributes(str("url.path", call.path("path").asText()))
                        .addAttributes(
                                KeyValue.newBuilder()
                                        .setKey("http.response.status_code")
                                        .setValue(
                                                AnyValue.newBuilder()
                                                        .setIntValue(call.path("status").asInt())))
                        .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(
                        ResourceSpans.newBuilder()
                                .setResource(
                                        Resource.newBuilder()
                                                .addAttributes(str("service.name", "shop-api")))
                                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build();
    }

    static ServerSpan throughCollectorAndDecoder(JsonNode call) {
        long end = Instant.parse(call.path("ts").asText()).toEpochMilli();
        ExportTraceServiceRequest export = export(call);
        EdgeContext edge = new EdgeContext(end + 500, "10.0.0.5", "otel-java", null, null);
        Translation t = ServerSpanTranslator.translate(export, "shop-web", edge);
        assertThat(t.rejected()).isEmpty();
        assertThat(t.events()).hasSize(1);
        ObjectNode record = t.events().get(0);
        List<ServerSpanRecord> out = new ArrayList<>();
        new ServerSpanDecoder(new IngestConfig())
                .decode(
                        new RawBeacon(
                                record.toString().getBytes(StandardCharsets.UTF_8),
                                "rum-server-spans",
                                0,
                                0,
                                end + 500),
                        out::add);
        assertThat(out).singleElement().satisfies(r -> assertThat(r.deadLetter).isNull());
        return out.get(0).span;
    }

    /** A server span id of its own, derived from the parent so the test is deterministic. */
    static String serverSpanId(String parent) {
        return new StringBuilder(parent).reverse().toString();
    }

    static KeyValue str(String k, String v) {
        return KeyValue.newBuilder()
                .setKey(k)
                .setValue(AnyValue.newBuilder().setStringValue(v))
                .build();
    }
}
