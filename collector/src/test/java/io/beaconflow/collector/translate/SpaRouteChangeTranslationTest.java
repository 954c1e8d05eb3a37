package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.RouteNormalizer;
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
public class SpaRouteChangeTranslationTest {

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
        List<RumEvent> views = decoded(c, t).stream().filter(e -> e.routeChange).toList();

        assertThat(views).hasSize(1);
        RumEvent v = views.get(0);
        assertThat(v.type).isEqualTo(EventType.PAGE_VIEW);
        assertThat(v.pageUrl).isEqualTo("http://localhost:8080/#/orders/42?tab=items");
        assertThat(v.routeChangeMs).isEqualTo(312.5);
        assertThat(v.loadMs).isNull();
        assertThat(v.ttfbMs).isNull();
        assertThat(v.occurredAt)
                .as(
                        "the view started when the click did: timestamp - duration - Faro's 100 ms follow-up")
                .isEqualTo(Instant.parse("2026-12-02T00:04:21.000Z").toEpochMilli() - 313 - 100);
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
            List<RumEvent> decoded = decoded(c, t);
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

    /**
     * A real single-page-app visit: Faro 2.12.1 in Chromium on the History API shop of {@code
     * src/test/browser/src/spa.js}, captured by {@code SpaNavigationCaptureITCase} into {@code
     * sdk-payloads/faro-spa.requests.ndjson}.
     */
    @Test
    void theCapturedFaroSpaVisitIsOneDocumentLoadThenARouteChangeViewPerNavigation() {
        assertFaroSpaVisit(SdkFixtures.requests("faro-spa"));
    }

    /** The routes the SPA visit goes through, in order: load, then three clicks (spa.js). */
    public static final List<String> SPA_VIEWS =
            List.of(
                    "load /spa",
                    "route_change /spa/product/:id",
                    "route_change /spa/checkout",
                    "route_change /spa");

    /**
     * What the collector's Faro translation and the job's decoder (with the job's default route
     * templating) make of a captured Faro SPA visit: the document load of {@code /spa/}, then one
     * route-change page view per {@code faro.navigation} the SDK pushed, on the route it went to,
     * with the view's time to settle, in order. {@code view_changed} (the app's {@code setView})
     * makes no view of its own: it names the same change without a URL or a time
     * (docs/DISCUSSION.md, "Single-page apps"). Returns the decoded events, duplicates of an event
     * id once.
     */
    public static List<RumEvent> assertFaroSpaVisit(List<Captured> requests) {
        java.util.Map<String, RumEvent> events = new java.util.LinkedHashMap<>();
        // By timestamp and content: an SDK may send the same payload twice.
        java.util.Map<String, JsonNode> navigations = new java.util.LinkedHashMap<>();
        java.util.Map<String, JsonNode> viewChanges = new java.util.LinkedHashMap<>();
        for (Captured c : requests) {
            if (!c.method().equals("POST")) continue;
            JsonNode body = c.json();
            for (JsonNode e : body.path("events")) {
                if (e.path("name").asText().equals("faro.navigation")) {
                    navigations.put(e.toString(), e);
                }
                if (e.path("name").asText().equals("view_changed"))
                    viewChanges.put(e.toString(), e);
            }
            Translation t;
            try {
                t = FaroTranslator.translate(body, c.edge(), c.header("x-faro-session-id"));
            } catch (BadPayloadException e) {
                throw new AssertionError("a captured Faro request is refused: " + c.body(), e);
            }
            assertThat(t.rejected()).as("rejected items").isEmpty();
            // A request of ignored items only (view_changed, resource timings) writes nothing.
            if (t.events().isEmpty()) continue;
            for (RumEvent e : decoded(c, t)) {
                events.putIfAbsent(e.eventId, e);
            }
        }
        assertThat(navigations.values())
                .as("faro.navigation events in the capture (one per click)")
                .hasSize(SPA_VIEWS.size() - 1)
                .allSatisfy(
                        n ->
                                assertThat(n.path("attributes").path("sameDocument").asText())
                                        .isEqualTo("true"));
        assertThat(viewChanges.values())
                .as("view_changed events (setView on every render)")
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v.path("attributes").has("toView")).isTrue());

        RouteNormalizer routes = new RouteNormalizer(new IngestConfig().routes.rules);
        List<RumEvent> views =
                events.values().stream()
                        .filter(e -> e.type == EventType.PAGE_VIEW)
                        .sorted(java.util.Comparator.comparingLong(e -> e.occurredAt))
                        .toList();
        assertThat(views)
                .extracting(
                        v ->
                                (v.routeChange ? "route_change " : "load ")
                                        + routes.normalize(v.app, v.pageUrl))
                .as("page views, in the order they happened")
                .containsExactlyElementsOf(SPA_VIEWS);
        String session = views.get(0).sessionId;
        assertThat(session).isNotBlank();
        java.util.Set<String> viewIds = new java.util.HashSet<>();
        for (RumEvent v : views.subList(1, views.size())) {
            assertThat(v.sessionId).as("one session").isEqualTo(session);
            assertThat(v.routeChangeMs).as("time to the settled view").isNotNull().isPositive();
            assertThat(v.loadMs).as("a route change loads no document").isNull();
            assertThat(v.viewId).isNotBlank();
            assertThat(viewIds.add(v.viewId)).as("view id " + v.viewId + " once").isTrue();
        }
        assertThat(views.get(0).loadMs).as("the document load's timing").isNotNull();
        return List.copyOf(events.values());
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

    /** The translation as the job decodes it: in one batch, received when the capture was. */
    static List<RumEvent> decoded(Captured c, Translation t) {
        return SdkTranslationTest.decode(
                ContractEvents.batch(c.edge(), t.events()), c.receivedAt());
    }
}
