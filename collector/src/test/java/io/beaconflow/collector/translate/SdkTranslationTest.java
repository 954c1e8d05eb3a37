package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every request Faro and OpenTelemetry web sent from a real Chromium, translated and then decoded
 * by the job's own BeaconDecoder: what the summaries count must come out as contract events, and
 * each back-end traceparent must land on exactly one fetch event.
 */
class SdkTranslationTest {

    /** Page views, fetches (by status) and errors: as many as the capture's summary counted. */
    private static void assertPageLoadsFetchesAndErrorsAsCaptured(
            List<RumEvent> events, JsonNode summary) {
        assertThat(count(events, EventType.PAGE_VIEW))
                .isEqualTo(summary.path("page_loads").asInt());
        assertThat(count(events, EventType.FETCH)).isEqualTo(summary.path("fetch_spans").asInt());
        assertThat(byKey(events, EventType.FETCH, e -> String.valueOf(e.fetchStatus)))
                .isEqualTo(asCounts(summary.path("fetch_status")));
        assertThat(count(events, EventType.ERROR)).isEqualTo(summary.path("errors").asInt());
    }

    @Test
    void everyFaroPageLoadVitalFetchErrorActionAndSessionBecomesAContractEvent() throws Exception {
        List<RumEvent> events = decodeAll("faro");
        JsonNode summary = SdkFixtures.summary("faro");

        assertPageLoadsFetchesAndErrorsAsCaptured(events, summary);
        assertThat(byKey(events, EventType.WEB_VITAL, e -> e.vitalName))
                .isEqualTo(asCounts(summary.path("web_vitals")));
        assertThat(byKey(events, EventType.ERROR, e -> e.errorType))
                .isEqualTo(asCounts(summary.path("errors_by_type")));
        assertThat(count(events, EventType.ACTION)).isEqualTo(summary.path("user_actions").asInt());
        assertThat(byKey(events, EventType.ACTION, e -> e.actionName))
                .isEqualTo(asCounts(summary.path("user_actions_by_name")));
        assertCommonFields(events, summary);
        // Faro's stack frames survive as a V8-style stack.
        assertThat(events)
                .filteredOn(e -> e.type == EventType.ERROR && "Error".equals(e.errorType))
                .allSatisfy(e -> assertThat(e.errorStack).contains("\n    at "));
        assertThat(events)
                .filteredOn(e -> e.type == EventType.PAGE_VIEW)
                .allSatisfy(
                        e -> {
                            assertThat(e.ttfbMs).isNotNull();
                            assertThat(e.loadMs).isNotNull().isGreaterThan(0.0);
                        });
        assertTraceparentsOnExactlyOneFetch(events, "faro");
    }

    @Test
    void everyOtelPageLoadFetchActionAndSessionBecomesAContractEvent() throws Exception {
        List<RumEvent> events = decodeAll("otel");
        JsonNode summary = SdkFixtures.summary("otel");

        assertPageLoadsFetchesAndErrorsAsCaptured(events, summary);
        assertThat(count(events, EventType.WEB_VITAL)).isZero();
        assertThat(byKey(events, EventType.ACTION, e -> "click " + e.actionTarget))
                .isEqualTo(asCounts(summary.path("user_actions_by_name")));
        assertCommonFields(events, summary);
        assertThat(events)
                .filteredOn(e -> e.type == EventType.PAGE_VIEW)
                .allSatisfy(
                        e -> {
                            assertThat(e.ttfbMs).isNotNull();
                            assertThat(e.domContentLoadedMs).isNotNull();
                            assertThat(e.loadMs).isNotNull().isGreaterThanOrEqualTo(e.ttfbMs);
                        });
        assertTraceparentsOnExactlyOneFetch(events, "otel");
    }

    @Test
    void otlpProtobufGivesTheSameEventsAsOtlpJson() throws Exception {
        for (Captured c : SdkFixtures.posts("otel")) {
            Translation fromJson = OtlpTranslator.fromJson(c.json(), c.edge());
            // The binary encoding the exporter's protobuf mode sends for the same spans.
            byte[] proto = OtlpJson.parse(c.json()).toByteArray();
            Translation fromProto = OtlpTranslator.fromProtobuf(proto, c.edge());
            assertThat(fromProto.events()).isEqualTo(fromJson.events());
            assertThat(fromProto.events()).isNotEmpty();
        }
    }

    /**
     * OTel web's fetch spans carry no page URL and the export's Referer is only the origin, so the
     * page comes from the click span that started the fetch (its parent, {@code url.full}) or the
     * documentLoad/click span before it in the same request. Without that every fetch was on {@code
     * http://localhost:8080/} (route {@code /}).
     */
    @Test
    void otelFetchesGetThePageTheyHappenedOnNotTheReferersOrigin() throws Exception {
        // The captured visit: which page calls which API.
        Map<String, String> pageOfApi =
                Map.of(
                        "/api/products/1", "http://localhost:8080/",
                        "/api/products/42", "http://localhost:8080/product/42",
                        "/api/products/7", "http://localhost:8080/product/7",
                        "/api/checkout", "http://localhost:8080/checkout");
        List<RumEvent> fetches =
                decodeAll("otel").stream().filter(e -> e.type == EventType.FETCH).toList();
        List<RumEvent> elsewhere = new ArrayList<>();
        for (RumEvent f : fetches) {
            String page = pageOfApi.get(java.net.URI.create(f.fetchUrl).getPath());
            assertThat(page).as("a known API: " + f.fetchUrl).isNotNull();
            if (!page.equals(f.pageUrl)) elsewhere.add(f);
        }
        // Only the slow checkout 200 of each visit: its click span was exported in an earlier
        // request, so this request holds nothing about the page and the Referer is all there is.
        assertThat(elsewhere)
                .as("fetches not on their page")
                .hasSize(2)
                .allSatisfy(
                        f -> {
                            assertThat(f.fetchUrl).endsWith("/api/checkout");
                            assertThat(f.pageUrl).isEqualTo("http://localhost:8080/");
                        });
        assertThat(fetches).hasSizeGreaterThan(20);
    }

    /** An OTLP/JSON body translated with no edge context (no geo-IP, user agent or headers). */
    private static Translation fromOtlpJson(String json) throws Exception {
        return OtlpTranslator.fromJson(
                SdkFixtures.JSON.readTree(json), new EdgeContext(1, null, null, null, null));
    }

    @Test
    void hexIdsInOtlpJsonAreReadAsHexNotBase64() throws Exception {
        String json =
                "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                        + "\"value\":{\"stringValue\":\"shop\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"x\"},"
                        + "\"spans\":[{\"traceId\":\"0123456789abcdef0123456789abcdef\",\"spanId\":\"0123456789abcdef\","
                        + "\"name\":\"GET\",\"kind\":3,\"startTimeUnixNano\":\"1796169860564000000\","
                        + "\"endTimeUnixNano\":\"1796169860611000000\",\"attributes\":["
                        + "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"GET\"}},"
                        + "{\"key\":\"url.full\",\"value\":{\"stringValue\":\"http://a/b\"}},"
                        + "{\"key\":\"session.id\",\"value\":{\"stringValue\":\"s1\"}}]}]}]}]}";
        Translation t = fromOtlpJson(json);
        ObjectNode fetch = (ObjectNode) t.events().get(0).get("fetch");
        assertThat(fetch.get("trace_id").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(fetch.get("span_id").asText()).isEqualTo("0123456789abcdef");
        assertThat(fetch.get("status").asInt()).as("no status code: network error").isZero();
        assertThat(fetch.get("duration_ms").asDouble()).isEqualTo(47.0);
    }

    @Test
    void aSpanWithoutSessionIsRejectedAndCountedNotGuessed() throws Exception {
        String json =
                "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                        + "\"value\":{\"stringValue\":\"shop\"}}]},\"scopeSpans\":[{\"spans\":[{"
                        + "\"traceId\":\"0123456789abcdef0123456789abcdef\",\"spanId\":\"0123456789abcdef\","
                        + "\"name\":\"documentLoad\",\"startTimeUnixNano\":\"1796169860564000000\"}]}]}]}";
        Translation t = fromOtlpJson(json);
        assertThat(t.events()).isEmpty();
        assertThat(t.rejected()).singleElement().asString().contains("session.id");
    }

    @Test
    void translatingTheSamePayloadTwiceGivesTheSameEventIdsAndIdsAreUniqueAcrossAVisit()
            throws Exception {
        for (String sdk : List.of("faro", "otel")) {
            Set<String> ids = new HashSet<>();
            int total = 0;
            for (Captured c : SdkFixtures.posts(sdk)) {
                List<String> first = ids(translate(sdk, c));
                EdgeContext later =
                        new EdgeContext(
                                c.receivedAt() + 60_000, "198.51.100.1", "other", "DE", null);
                List<String> again = ids(translate(sdk, c, later));
                assertThat(again).isEqualTo(first);
                ids.addAll(first);
                total += first.size();
            }
            assertThat(ids).as(sdk + ": no two events share an id").hasSize(total);
        }
    }

    @Test
    void nativeBeaconsLoseClientSuppliedEdgeFieldsAndKeepSentAt() throws Exception {
        JsonNode root =
                SdkFixtures.JSON.readTree(
                        "{\"schema_version\":1,\"sent_at\":1000,\"received_at\":5,\"client_ip\":\"1.2.3.4\","
                                + "\"events\":[{\"event_id\":\"e1\",\"type\":\"page_view\",\"app\":\"shop\","
                                + "\"session_id\":\"s\",\"occurred_at\":900,\"received_at\":7,\"country\":\"FR\","
                                + "\"user_agent\":\"spoof\",\"client_ip\":\"9.9.9.9\"}]}");
        Translation t = NativeTranslator.translate(root);
        ObjectNode e = t.events().get(0);
        assertThat(e.has("received_at")).isFalse();
        assertThat(e.has("country")).isFalse();
        assertThat(e.has("user_agent")).isFalse();
        assertThat(e.has("client_ip")).isFalse();
        assertThat(e.get("sent_at").asLong()).isEqualTo(1000);
        ObjectNode batch =
                ContractEvents.batch(
                        new EdgeContext(2000, "203.0.113.9", "UA", "NL", null), t.events());
        List<RumEvent> decoded = decode(batch, 2000);
        assertThat(decoded)
                .singleElement()
                .satisfies(
                        ev -> {
                            assertThat(ev.receivedAt).isEqualTo(2000);
                            assertThat(ev.clientIp).isEqualTo("203.0.113.9");
                            assertThat(ev.country).isEqualTo("NL");
                            assertThat(ev.userAgent).isEqualTo("UA");
                        });
    }

    // ---------------------------------------------------------------------------------------

    private static void assertCommonFields(List<RumEvent> events, JsonNode summary) {
        assertThat(events.stream().map(e -> e.sessionId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(strings(summary.path("sessions")));
        assertThat(events.stream().map(e -> e.userId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(strings(summary.path("users")));
        assertThat(
                        events.stream()
                                .filter(e -> e.type == EventType.PAGE_VIEW)
                                .map(e -> e.pageUrl)
                                .collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(strings(summary.path("page_urls")));
        assertThat(events)
                .allSatisfy(
                        e -> {
                            assertThat(e.app).isEqualTo("shop-web");
                            assertThat(e.release).isEqualTo("1.4.2");
                            assertThat(e.environment).isEqualTo("production");
                            assertThat(e.userAgent).contains("HeadlessChrome");
                            assertThat(e.clientIp).isEqualTo("203.0.113.7");
                        });
    }

    private static void assertTraceparentsOnExactlyOneFetch(List<RumEvent> events, String sdk) {
        List<JsonNode> backend = SdkFixtures.backend(sdk);
        assertThat(backend).hasSize(26);
        for (JsonNode call : backend) {
            String[] tp = call.path("traceparent").asText().split("-");
            List<RumEvent> matches =
                    events.stream()
                            .filter(e -> e.type == EventType.FETCH && tp[1].equals(e.traceId))
                            .collect(Collectors.toList());
            assertThat(matches).as("fetch events with trace id " + tp[1]).hasSize(1);
            RumEvent f = matches.get(0);
            assertThat(f.spanId).isEqualTo(tp[2]);
            assertThat(f.fetchStatus).isEqualTo(call.path("status").asInt());
            assertThat(f.fetchMethod).isEqualTo(call.path("method").asText());
            assertThat(f.fetchUrl).endsWith(call.path("path").asText());
        }
    }

    static Translation translate(String sdk, Captured c) throws BadPayloadException {
        return translate(sdk, c, c.edge());
    }

    static Translation translate(String sdk, Captured c, EdgeContext edge)
            throws BadPayloadException {
        return sdk.equals("faro")
                ? FaroTranslator.translate(c.json(), edge, c.header("x-faro-session-id"))
                : OtlpTranslator.fromJson(c.json(), edge);
    }

    /** Translates every captured POST and decodes the records with the job's decoder. */
    static List<RumEvent> decodeAll(String sdk) throws BadPayloadException {
        List<RumEvent> out = new ArrayList<>();
        for (Captured c : SdkFixtures.posts(sdk)) {
            Translation t = translate(sdk, c);
            assertThat(t.rejected()).as("rejected items").isEmpty();
            out.addAll(decode(ContractEvents.batch(c.edge(), t.events()), c.receivedAt()));
        }
        return out;
    }

    static List<RumEvent> decode(ObjectNode batch, long recordTimestamp) {
        List<IngestRecord> records = new ArrayList<>();
        new BeaconDecoder(new IngestConfig())
                .decode(
                        new RawBeacon(
                                batch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                "test",
                                0,
                                0,
                                recordTimestamp),
                        records::add);
        List<RumEvent> events = new ArrayList<>();
        for (IngestRecord r : records) {
            assertThat(r.deadLetter).as("dead letter for " + batch).isNull();
            events.add(r.event);
        }
        return events;
    }

    private static List<String> ids(Translation t) {
        return t.events().stream()
                .map(e -> e.get("event_id").asText())
                .collect(Collectors.toList());
    }

    private static long count(List<RumEvent> events, EventType type) {
        return events.stream().filter(e -> e.type == type).count();
    }

    private static Map<String, Integer> byKey(
            List<RumEvent> events,
            EventType type,
            java.util.function.Function<RumEvent, String> key) {
        Map<String, Integer> m = new TreeMap<>();
        for (RumEvent e : events) {
            if (e.type == type) m.merge(key.apply(e), 1, Integer::sum);
        }
        return m;
    }

    private static Map<String, Integer> asCounts(JsonNode obj) {
        Map<String, Integer> m = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            m.put(f.getKey(), f.getValue().asInt());
        }
        return m;
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
