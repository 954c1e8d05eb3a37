package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Single-page apps' route changes, from what Faro 2.12.1 and OpenTelemetry web send, through the
 * collector's translation and the job's decoder.
 *
 * <p>The captured visits (shared/fixtures/sdk-payloads) are a multi-page shop: every navigation
 * loads a document, so they must yield no route change at all. The SPA cases take a real captured
 * request and add what the SDK sends on a History API navigation: Faro's NavigationInstrumentation
 * event ({@code faro.navigation} with {@code fromUrl}, {@code toUrl}, {@code sameDocument} and
 * {@code duration}, attributes stringified by {@code pushEvent}), and OTel's user-interaction
 * instrumentation renaming the click span {@code Navigation: <path>}.
 */
class SpaRouteChangeTranslationTest {

    @Test
    void theCapturedMultiPageVisitsHaveNoRouteChangeOnlyDocumentLoads() throws Exception {
        for (String sdk : List.of("faro", "otel")) {
            List<RumEvent> views =
                    SdkTranslationTest.decodeAll(sdk).stream()
                            .filter(e -> e.type == EventType.PAGE_VIEW)
                            .toList();
            assertThat(views).as(sdk).hasSize(8);
            assertThat(views)
                    .allSatisfy(
                            v -> {
                                assertThat(v.routeChange).isFalse();
                                assertThat(v.routeChangeMs).isNull();
                            });
        }
    }

    @Test
    void faroSameDocumentNavigationIsAViewOfTheNewRouteTimedFromTheClick() throws Exception {
        Captured c = SdkFixtures.posts("faro").get(1);
        ObjectNode body = (ObjectNode) c.json();
        String session = body.path("meta").path("session").path("id").asText();
        ArrayNode events = (ArrayNode) body.withArray("events");
        events.add(
                navigation(
                        "http://localhost:8080/#/cart",
                        "http://localhost:8080/#/orders/42?tab=items",
                        "true",
                        "312.5",
                        "2026-12-02T00:04:21.000Z"));
        // A navigation to another document: its page load comes from faro.performance.navigation.
        events.add(
                navigation(
                        "http://localhost:8080/#/cart",
                        "http://localhost:8080/checkout",
                        "false",
                        "40",
                        "2026-12-02T00:04:22.000Z"));

        Translation t = FaroTranslator.translate(body, c.edge(), session);
        assertThat(t.rejected()).isEmpty();
        List<RumEvent> decoded =
                SdkTranslationTest.decode(
                        ContractEvents.batch(c.edge(), t.events()), c.receivedAt());
        List<RumEvent> views = decoded.stream().filter(e -> e.routeChange).toList();

        assertThat(views).hasSize(1);
        RumEvent v = views.get(0);
        assertThat(v.type).isEqualTo(EventType.PAGE_VIEW);
        assertThat(v.pageUrl).isEqualTo("http://localhost:8080/#/orders/42?tab=items");
        assertThat(v.routeChangeMs).isEqualTo(312.5);
        assertThat(v.loadMs).isNull();
        assertThat(v.ttfbMs).isNull();
        assertThat(v.occurredAt)
                .as("the view started when the click did: timestamp - duration")
                .isEqualTo(Instant.parse("2026-12-02T00:04:21.000Z").toEpochMilli() - 313);
        assertThat(v.viewId).isEqualTo(v.eventId).startsWith("spa:");
        assertThat(v.sessionId).isEqualTo(session);

        // Resent payload: same ids (the job's dedup drops the copy).
        Translation again = FaroTranslator.translate(body, c.edge(), session);
        assertThat(again.events().toString()).isEqualTo(t.events().toString());
    }

    @Test
    void faroNavigationWithoutTargetUrlIsRejectedNotGuessed() throws Exception {
        Captured c = SdkFixtures.posts("faro").get(1);
        ObjectNode body = (ObjectNode) c.json();
        body.withArray("events")
                .add(
                        navigation(
                                "http://localhost:8080/",
                                null,
                                "true",
                                "10",
                                "2026-12-02T00:04:21.000Z"));
        Translation t = FaroTranslator.translate(body, c.edge(), null);
        assertThat(t.rejected()).singleElement().asString().contains("toUrl");
    }

    @Test
    void otelClickThatPushedARouteIsAnActionAndAViewAndItsFetchesAreOnTheNewRoute()
            throws Exception {
        // A captured request with a click span and the fetch it started (its child).
        for (Captured c : SdkFixtures.posts("otel")) {
            ObjectNode body = (ObjectNode) c.json();
            ObjectNode click = null;
            ObjectNode child = null;
            for (JsonNode rs : body.path("resourceSpans")) {
                for (JsonNode ss : rs.path("scopeSpans")) {
                    for (JsonNode s : ss.path("spans")) {
                        if ("click".equals(s.path("name").asText())) {
                            for (JsonNode rs2 : body.path("resourceSpans")) {
                                for (JsonNode ss2 : rs2.path("scopeSpans")) {
                                    for (JsonNode f : ss2.path("spans")) {
                                        if (s.path("spanId")
                                                .asText()
                                                .equals(f.path("parentSpanId").asText())) {
                                            click = (ObjectNode) s;
                                            child = (ObjectNode) f;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if (click == null) continue;
            // Read before translating: parsing rewrites the tree's hex ids in place (OtlpJson).
            String spanId = click.path("spanId").asText();
            String childId = child.path("spanId").asText();

            // A copy: body is translated again below.
            Translation before = OtlpTranslator.fromJson(body.deepCopy(), c.edge());
            click.put("name", "Navigation: /orders/42?tab=items");
            Translation t = OtlpTranslator.fromJson(body, c.edge());
            assertThat(t.rejected()).isEmpty();
            assertThat(t.events()).hasSize(before.events().size() + 1);
            List<RumEvent> decoded =
                    SdkTranslationTest.decode(
                            ContractEvents.batch(c.edge(), t.events()), c.receivedAt());

            List<RumEvent> views = decoded.stream().filter(e -> e.routeChange).toList();
            assertThat(views).hasSize(1);
            RumEvent v = views.get(0);
            assertThat(v.pageUrl).isEqualTo("http://localhost:8080/orders/42?tab=items");
            assertThat(v.viewId).isEqualTo(spanId);
            long startNs = Long.parseLong(click.path("startTimeUnixNano").asText());
            long endNs = Long.parseLong(click.path("endTimeUnixNano").asText());
            assertThat(v.routeChangeMs).isEqualTo((endNs - startNs) / 1e6);
            assertThat(v.occurredAt).isEqualTo(startNs / 1_000_000L);
            // The click is still a click.
            assertThat(decoded)
                    .filteredOn(e -> e.type == EventType.ACTION && e.eventId.endsWith(":" + spanId))
                    .singleElement()
                    .satisfies(a -> assertThat(a.pageUrl).isNotEqualTo(v.pageUrl));
            // The fetch the navigation started loads the new view.
            assertThat(decoded)
                    .filteredOn(e -> e.type == EventType.FETCH && childId.equals(e.spanId))
                    .singleElement()
                    .satisfies(f -> assertThat(f.pageUrl).isEqualTo(v.pageUrl));
            return;
        }
        throw new AssertionError("no captured OTel request holds a click and its fetch");
    }

    /** What Faro 2.12.1's NavigationInstrumentation pushes (attributes stringified). */
    private static ObjectNode navigation(
            String from, String to, String sameDocument, String duration, String timestamp) {
        ObjectNode e = SdkFixtures.JSON.createObjectNode();
        e.put("name", "faro.navigation");
        e.put("domain", "browser");
        ObjectNode a = e.putObject("attributes");
        a.put("fromUrl", from);
        if (to != null) a.put("toUrl", to);
        a.put("sameDocument", sameDocument);
        a.put("duration", duration);
        e.put("timestamp", timestamp);
        return e;
    }
}
