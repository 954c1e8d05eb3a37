package io.beaconflow.collector.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.browser.TestShop.ApiCall;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.testing.Stack;
import io.beaconflow.collector.testing.TestCollector;
import io.beaconflow.jobs.BeaconflowJob;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.testing.ElasticsearchIndices;
import io.beaconflow.jobs.testing.MiniClusters;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The "done when": pages instrumented with the unmodified Grafana Faro web SDK and the
 * OpenTelemetry web SDK, in a real headless Chromium (Debian's chromium + chromedriver, driven by
 * Selenium), send to the real collector, which writes to the real Kafka of the stack; the
 * production job graph (BeaconflowPipeline on a MiniCluster) reads that topic and writes to the
 * real Elasticsearch; the session documents there carry the SDK's session id, the page routes, the
 * JS error with its type and message, the failed fetch, the web vitals and every trace id the
 * backend received in a {@code traceparent} header.
 *
 * <p>The shop's backend is instrumented with the OpenTelemetry Java SDK ({@link TestShop}): each
 * API call is a SERVER span, child of the browser's fetch span, exported over OTLP/HTTP to the same
 * collector with the app's backend key, into its own server-spans topic. With {@code
 * traces.enabled} the job joins them, and every browser fetch must come out of it as a {@code
 * rum-fetch-timings} document holding the span's id and duration, with server time at most the
 * client time, and the endpoint rows must count every fetch as joined.
 *
 * <p>Chromium missing is a failure, not a skip: CI installs it ({@code .ci/install-deps.sh}).
 * Elsewhere set {@code BEACONFLOW_CHROMIUM} / {@code BEACONFLOW_CHROMEDRIVER}.
 */
class BrowserEndToEndITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SDKS = List.of("faro", "otel");

    @Test
    void faroAndOpenTelemetryPagesInChromiumReachElasticsearchThroughCollectorKafkaAndTheJob()
            throws Exception {
        Chromium chromium = Chromium.installed();
        Path bundles =
                PageBundles.build(Path.of("src/test/browser"), Path.of("target/browser-test"));

        ElasticsearchIndices es =
                new ElasticsearchIndices(
                        "browser",
                        "rum-sessions-*",
                        "rum-metrics-*",
                        "rum-alerts",
                        "rum-fetch-timings-*",
                        "rum-endpoint-timings-*");
        String run = es.run;
        String topic = "it-browser-" + run;
        String spanTopic = "it-browser-spans-" + run;
        String prefix = es.prefix;
        Stack.createTopics(2, topic, spanTopic);
        Map<String, String> sessionIds = new HashMap<>();
        Map<String, List<ApiCall>> backend = new HashMap<>();
        Map<ApiCall, SpanData> serverSpans = new HashMap<>();
        try {
            // ---- 1. the browser visits, through the real collector into Kafka ----
            TestCollector collector = null;
            try (TestShop shop = new TestShop(bundles)) {
                try {
                    CollectorConfig cfg =
                            TestCollector.config(
                                    "browser-it",
                                    topic,
                                    "  server-spans-topic: " + spanTopic,
                                    "apps:",
                                    "  browser-faro:",
                                    "    allowed-origins: [\"" + shop.origin() + "\"]",
                                    "    backend-key: " + backendKey("faro"),
                                    "  browser-otel:",
                                    "    allowed-origins: [\"" + shop.origin() + "\"]",
                                    "    backend-key: " + backendKey("otel"));
                    collector = new TestCollector(cfg, 64L << 20, null);
                    String collectorUrl = collector.url;
                    shop.collectorUrl(collectorUrl);
                    for (String sdk : SDKS) {
                        shop.instrumentBackend(sdk, collectorUrl, backendKey(sdk));
                    }
                    collector.awaitReady();

                    ChromeDriver browser = chromium.start();
                    try (KafkaEvents kafka = new KafkaEvents(topic)) {
                        for (String sdk : SDKS) {
                            sessionIds.put(sdk, visit(browser, shop, kafka, sdk));
                            backend.put(sdk, shop.calls(sdk));
                        }
                        kafka.await(
                                "everything of both visits",
                                ev -> missing(ev, sessionIds, backend).isEmpty(),
                                Duration.ofSeconds(60));
                        System.out.printf(
                                "browser e2e: %d events in Kafka: %s%n",
                                kafka.snapshot().size(), kafka.summary());
                    } finally {
                        browser.quit();
                    }
                    // The backend's SERVER spans: every export answered 200 (after Kafka's ack),
                    // so the span topic holds one record per traced call.
                    assertThat(shop.flushSpans(60))
                            .as("the backend's OTLP exports to the collector succeed")
                            .isTrue();
                    long traced =
                            SDKS.stream()
                                    .flatMap(sdk -> backend.get(sdk).stream())
                                    .filter(c -> shop.serverSpan(c) != null)
                                    .count();
                    assertThat(traced)
                            .as("a server span per backend call")
                            .isEqualTo(
                                    SDKS.stream().mapToLong(sdk -> backend.get(sdk).size()).sum());
                    assertThat(Stack.records(spanTopic, 2))
                            .as("server-span records in " + spanTopic)
                            .isEqualTo(traced);
                    for (String sdk : SDKS) {
                        for (ApiCall c : backend.get(sdk)) serverSpans.put(c, shop.serverSpan(c));
                    }
                    System.out.printf(
                            "browser e2e: collector metrics: %d records written%n",
                            (long)
                                    collector
                                            .server
                                            .metrics()
                                            .value(collector.server.metrics().records));
                } finally {
                    if (collector != null) collector.close();
                }
            }

            // Every record the collector wrote, read back whole now that it is closed: the job
            // reads exactly these, and the metric rows are checked against the test's own counts.
            List<RumEvent> written = allEvents(topic);

            // ---- 2. the production job graph over both topics, into Elasticsearch ----
            runJob(topic, spanTopic, es);

            // ---- 3. what Elasticsearch holds ----
            refresh(prefix + "rum-sessions-*");
            List<JsonNode> sessions =
                    ElasticsearchIndices.documents(prefix + "rum-sessions-*", 100);
            for (JsonNode s : sessions) System.out.println("browser e2e: session " + s);
            for (String sdk : SDKS) {
                JsonNode s = session(sessions, "browser-" + sdk, sessionIds.get(sdk));
                assertThat(s.path("user_id").asText()).isNotEmpty();
                assertThat(s.path("page_views").asInt()).as(sdk + " page views").isEqualTo(3);
                assertThat(s.path("landing_route").asText()).isEqualTo("/" + sdk);
                assertThat(s.path("exit_route").asText()).isEqualTo("/" + sdk + "/checkout");
                assertThat(timeline(s, "page_view", null))
                        .as(sdk + " page view routes")
                        .containsExactly(
                                "/" + sdk, "/" + sdk + "/product/:id", "/" + sdk + "/checkout");
                assertThat(s.path("fetches").asInt())
                        .as(sdk + " fetches: one per backend call")
                        .isEqualTo(backend.get(sdk).size());
                assertThat(s.path("failed_fetches").asInt()).as(sdk + " the 500").isEqualTo(1);
                assertThat(timeline(s, "fetch", null)).singleElement().asString().contains("500");
                Set<String> traceIds = new HashSet<>();
                s.path("trace_ids").forEach(t -> traceIds.add(t.asText()));
                for (ApiCall call : backend.get(sdk)) {
                    assertThat(call.traceparent())
                            .as(sdk + " backend got a traceparent on " + call)
                            .isNotNull();
                    assertThat(traceIds)
                            .as("the trace id the backend logged for " + call)
                            .contains(call.traceId());
                }
                assertThat(s.path("actions").asInt()).as(sdk + " clicks").isGreaterThanOrEqualTo(2);
            }
            // Fetch routes: Faro sends the page with every beacon. OTel's fetch spans carry none
            // (and the export's Referer is only the origin); the collector takes the page of the
            // click span that started the fetch or of the documentLoad/click before it in the same
            // export request. Which spans share a request depends on the SDK's 1 s batching, so
            // not every OTel fetch is placed, but some must be (without it all were on "/").
            JsonNode faroSession = session(sessions, "browser-faro", sessionIds.get("faro"));
            assertThat(timeline(faroSession, "fetch", "/faro/checkout"))
                    .as("faro: the 500 on the checkout page")
                    .singleElement()
                    .asString()
                    .contains("500");
            List<String> otelFetchRoutes = new ArrayList<>();
            for (JsonNode t :
                    session(sessions, "browser-otel", sessionIds.get("otel")).path("timeline")) {
                if (t.path("type").asText().equals("fetch")) {
                    otelFetchRoutes.add(t.path("route").asText());
                }
            }
            assertThat(otelFetchRoutes)
                    .as("otel fetch routes")
                    .isSubsetOf("/", "/otel", "/otel/product/:id", "/otel/checkout")
                    .anySatisfy(r -> assertThat(r).startsWith("/otel"));
            // Faro alone sends exceptions and web vitals (OTel web sends neither).
            JsonNode faro = session(sessions, "browser-faro", sessionIds.get("faro"));
            assertThat(faro.path("errors").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(timeline(faro, "error", "/faro"))
                    .anySatisfy(
                            d -> assertThat(d).startsWith("TypeError").contains("reading 'price'"));
            for (String vital : List.of("lcp_p75", "fcp_p75", "ttfb_p75", "cls_p75")) {
                assertThat(faro.path(vital).isNumber()).as("faro " + vital).isTrue();
            }

            // ---- 4. the metric series: the same visits as counts and percentiles ----
            for (String sdk : SDKS) {
                assertThat(
                                (JsonNode)
                                        session(sessions, "browser-" + sdk, sessionIds.get(sdk))
                                                .path("bot"))
                        .as(sdk + " session flagged as a bot")
                        .isEqualTo(com.fasterxml.jackson.databind.node.BooleanNode.FALSE);
            }
            assertMetricRows(prefix, written);

            // ---- 5. every browser fetch joined with the server span its request caused ----
            assertFetchTimings(prefix, written, backend, serverSpans);
        } finally {
            Stack.deleteTopics(topic, spanTopic);
            es.close();
        }
    }

    /**
     * The scripted visit: home (a fetch, then a real TypeError), a link to /product/42 (an XHR, a
     * late banner shifting the layout, a click that fetches), a link to /checkout (two clicks on
     * "Place order": 500, then 200), then away to about:blank (the SDKs report the last page's
     * vitals on pagehide). Like a real visitor, it stays on a page until the SDK has delivered what
     * happened there (the SDKs batch for about a second and drop what is queued when the page
     * goes): each step waits for the page's own log line, then for the collector's records in
     * Kafka, never for a fixed time. Returns the SDK's session id.
     */
    private static String visit(ChromeDriver browser, TestShop shop, KafkaEvents kafka, String sdk)
            throws Exception {
        String app = "browser-" + sdk;
        String base = shop.origin() + "/" + sdk;
        browser.get(base + "/");
        awaitLog(browser, "GET /api/products/1 200");
        awaitLog(browser, "reading price");
        awaitFetchStored(kafka, shop, sdk);
        if (sdk.equals("faro")) {
            kafka.await(
                    "the TypeError of " + app,
                    ev -> count(ev, app, EventType.ERROR) >= 1,
                    Duration.ofSeconds(30));
        }
        browser.findElement(By.id("to-product")).click();
        awaitLog(browser, "XHR /api/products/42 200");
        awaitFetchStored(kafka, shop, sdk);
        awaitLog(browser, "banner");
        browser.findElement(By.id("add-to-cart")).click();
        awaitLog(browser, "GET /api/products/42?cart=1 200");
        awaitFetchStored(kafka, shop, sdk);
        kafka.await(
                "the add-to-cart click of " + app,
                ev -> count(ev, app, EventType.ACTION) >= 1,
                Duration.ofSeconds(30));
        browser.findElement(By.id("to-checkout")).click();
        awaitElement(browser, "place-order");
        browser.findElement(By.id("place-order")).click();
        awaitLog(browser, "POST /api/checkout 500");
        awaitFetchStored(kafka, shop, sdk);
        browser.findElement(By.id("place-order")).click();
        awaitLog(browser, "POST /api/checkout 200");
        awaitFetchStored(kafka, shop, sdk);
        String sessionId = (String) browser.executeScript("return window.beaconflowSessionId();");
        assertThat(sessionId).as("the SDK's session id on " + base).isNotBlank();
        browser.get("about:blank");
        return sessionId;
    }

    /** Waits until the fetch of the backend's latest call for {@code sdk} is in Kafka. */
    private static void awaitFetchStored(KafkaEvents kafka, TestShop shop, String sdk)
            throws InterruptedException {
        List<ApiCall> calls = shop.calls(sdk);
        ApiCall last = calls.get(calls.size() - 1);
        assertThat(last.traceparent()).as("traceparent on " + last).isNotNull();
        kafka.await(
                "the fetch event of " + last,
                ev ->
                        ev.stream()
                                .anyMatch(
                                        e ->
                                                e.type == EventType.FETCH
                                                        && last.traceId().equals(e.traceId)),
                Duration.ofSeconds(30));
    }

    private static long count(List<RumEvent> events, String app, EventType type) {
        return events.stream().filter(e -> e.app.equals(app) && e.type == type).count();
    }

    static void awaitLog(ChromeDriver browser, String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Object log =
                    browser.executeScript(
                            "var l = document.getElementById('log');"
                                    + " return l ? l.innerText : null;");
            if (log != null && ((String) log + "\n").contains(line + "\n")) {
                return;
            }
            assertThat(System.nanoTime())
                    .as(
                            "page %s logs '%s' within 20 s; it logged: %s",
                            browser.getCurrentUrl(), line, log)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitElement(ChromeDriver browser, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (browser.findElements(By.id(id)).isEmpty()) {
            assertThat(System.nanoTime())
                    .as("%s shows #%s within 20 s", browser.getCurrentUrl(), id)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static List<String> missing(
            List<RumEvent> events,
            Map<String, String> sessionIds,
            Map<String, List<ApiCall>> backend) {
        List<String> missing = new ArrayList<>();
        for (String sdk : SDKS) {
            String app = "browser-" + sdk;
            Predicate<RumEvent> mine =
                    e -> e.app.equals(app) && e.sessionId.equals(sessionIds.get(sdk));
            long views =
                    events.stream().filter(mine).filter(e -> e.type == EventType.PAGE_VIEW).count();
            if (views < 3) missing.add(sdk + ": 3 page views (" + views + ")");
            Set<String> traces = new HashSet<>();
            events.stream()
                    .filter(mine)
                    .filter(e -> e.type == EventType.FETCH && e.traceId != null)
                    .forEach(e -> traces.add(e.traceId));
            for (ApiCall call : backend.get(sdk)) {
                if (!traces.contains(call.traceId())) missing.add(sdk + ": fetch of " + call);
            }
            if (sdk.equals("faro")) {
                if (events.stream().filter(mine).noneMatch(e -> e.type == EventType.ERROR)) {
                    missing.add("faro: the TypeError");
                }
                for (String vital : List.of("LCP", "FCP", "TTFB", "CLS")) {
                    if (events.stream()
                            .filter(mine)
                            .noneMatch(
                                    e ->
                                            e.type == EventType.WEB_VITAL
                                                    && vital.equalsIgnoreCase(e.vitalName))) {
                        missing.add("faro: vital " + vital);
                    }
                }
            }
        }
        return missing;
    }

    /** All events in {@code topic}, once its every record (up to the latest offsets) is read. */
    private List<RumEvent> allEvents(String topic) throws Exception {
        try (KafkaEvents kafka = new KafkaEvents(topic)) {
            return kafka.awaitRecords(Stack.records(topic, 2), Duration.ofSeconds(60));
        }
    }

    /** One metric row: a series (app × dimension value) in one window. */
    record Cell(String app, String dimension, String value, long windowStart) {}

    /** What the test counts for one cell from the Kafka events. */
    static final class Expected {
        double pageViews, jsErrors, fetches, failedFetches;
        final Map<String, List<Double>> values = new TreeMap<>();
    }

    static final List<String> LATENCIES =
            List.of("load", "lcp", "inp", "ttfb", "fcp", "cls", "fetch");
    static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.99};

    /**
     * The app's {@code all} series and its route series in the run's metrics index equal, window by
     * window, what the test counts itself from the events in Kafka: page views, JS errors, fetches
     * and failed fetches (weighted by the sample rate, duplicates of an event id once), the number
     * of values of every latency measure, and its p50/p75/p95/p99 within the sketch's relative
     * accuracy of the exact quantile (the value of rank floor(q·(n-1)), DDSketch's rank).
     */
    private void assertMetricRows(String prefix, List<RumEvent> written) throws Exception {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        long window = config.metrics.window.toMillis();
        double accuracy = config.metrics.sketchRelativeAccuracy;
        Map<String, RumEvent> unique = new LinkedHashMap<>();
        for (RumEvent e : written) {
            if (e.app.startsWith("browser-")) unique.putIfAbsent(e.eventId, e);
        }
        Map<Cell, Expected> expected = new TreeMap<>(CELL_ORDER);
        for (RumEvent e : unique.values()) {
            long start = e.eventTime - Math.floorMod(e.eventTime, window);
            for (Cell c :
                    List.of(
                            new Cell(e.app, "all", "*", start),
                            new Cell(e.app, "route", route(e.pageUrl), start))) {
                Expected x = expected.computeIfAbsent(c, k -> new Expected());
                double w = e.weight();
                if (e.type == EventType.PAGE_VIEW) x.pageViews += w;
                if (e.type == EventType.ERROR) x.jsErrors += w;
                if (e.type == EventType.FETCH) {
                    x.fetches += w;
                    if (e.fetchStatus != null && (e.fetchStatus == 0 || e.fetchStatus >= 500)) {
                        x.failedFetches += w;
                    }
                }
                String latency = null;
                Double value = null;
                if (e.type == EventType.PAGE_VIEW && e.loadMs != null) {
                    latency = "load";
                    value = e.loadMs.doubleValue();
                } else if (e.type == EventType.FETCH && e.fetchDurationMs != null) {
                    latency = "fetch";
                    value = e.fetchDurationMs.doubleValue();
                } else if (e.type == EventType.WEB_VITAL
                        && e.vitalName != null
                        && e.vitalValue != null
                        && LATENCIES.contains(e.vitalName.toLowerCase(java.util.Locale.ROOT))) {
                    latency = e.vitalName.toLowerCase(java.util.Locale.ROOT);
                    value = e.vitalValue;
                }
                if (latency != null) {
                    x.values.computeIfAbsent(latency, k -> new ArrayList<>()).add(value);
                }
            }
        }
        // Not vacuous: the visits are in these series at all.
        for (String sdk : SDKS) {
            Expected total = new Expected();
            expected.forEach(
                    (c, x) -> {
                        if (c.app().equals("browser-" + sdk) && c.dimension().equals("all")) {
                            total.pageViews += x.pageViews;
                            total.failedFetches += x.failedFetches;
                        }
                    });
            assertThat(total.pageViews).as(sdk + " page views counted").isEqualTo(3);
            assertThat(total.failedFetches).as(sdk + " failed fetches counted").isEqualTo(1);
        }

        // The job has finished; poll (refresh + search) until every expected window's rows are
        // there, bounded by a deadline: the rows are written by the sink's last flush.
        Map<Cell, JsonNode> rows = new TreeMap<>(CELL_ORDER);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            refresh(prefix + "rum-metrics-*");
            rows.clear();
            for (JsonNode r : ElasticsearchIndices.documents(prefix + "rum-metrics-*", 10_000)) {
                Cell c =
                        new Cell(
                                r.path("app").asText(),
                                r.path("dimension").asText(),
                                r.path("dimension_value").asText(),
                                r.path("window_start").asLong());
                if (c.app().startsWith("browser-")
                        && (c.dimension().equals("all") || c.dimension().equals("route"))) {
                    rows.put(c, r);
                }
            }
            if (rows.keySet().containsAll(expected.keySet()) || System.nanoTime() > deadline) {
                break;
            }
        }
        for (JsonNode r : rows.values()) System.out.println("browser e2e: metric row " + r);
        assertThat(rows.keySet())
                .as("metric rows (all and route series, per window) of both apps")
                .containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<Cell, Expected> x : expected.entrySet()) {
            JsonNode r = rows.get(x.getKey());
            Expected want = x.getValue();
            String at = x.getKey() + ": ";
            assertThat(r.path("page_views").asDouble())
                    .as(at + "page_views")
                    .isEqualTo(want.pageViews);
            assertThat(r.path("js_errors").asDouble())
                    .as(at + "js_errors")
                    .isEqualTo(want.jsErrors);
            assertThat(r.path("fetches").asDouble()).as(at + "fetches").isEqualTo(want.fetches);
            assertThat(r.path("failed_fetches").asDouble())
                    .as(at + "failed_fetches")
                    .isEqualTo(want.failedFetches);
            for (String m : LATENCIES) {
                List<Double> values = new ArrayList<>(want.values.getOrDefault(m, List.of()));
                values.sort(null);
                assertThat(r.path(m + "_count").asLong())
                        .as(at + m + "_count")
                        .isEqualTo(values.size());
                for (double q : QUANTILES) {
                    String field = m + "_p" + Math.round(q * 100);
                    if (values.isEmpty()) {
                        assertThat(r.path(field).isNull() || r.path(field).isMissingNode())
                                .as(at + field + " without values: " + r.path(field))
                                .isTrue();
                        continue;
                    }
                    double exact = values.get((int) Math.floor(q * (values.size() - 1)));
                    assertThat(r.path(field).asDouble())
                            .as(at + field + " of " + values)
                            .isCloseTo(
                                    exact,
                                    org.assertj.core.data.Offset.offset(
                                            accuracy * Math.abs(exact) + 1e-9));
                }
            }
        }
    }

    static final java.util.Comparator<Cell> CELL_ORDER =
            java.util.Comparator.comparing(Cell::app)
                    .thenComparing(Cell::dimension)
                    .thenComparing(Cell::value)
                    .thenComparingLong(Cell::windowStart);

    /**
     * The route the test expects for a page URL: the path without a trailing slash, numeric
     * segments as {@code :id} (the session assertions above pin the same templates).
     */
    static String route(String url) {
        String path = url == null ? null : URI.create(url).getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) return "/";
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        StringBuilder out = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            out.append('/').append(segment.matches("\\d+") ? ":id" : segment);
        }
        return out.toString();
    }

    /** The app's backend key (collector config {@code apps.<app>.backend-key}): 16+ characters. */
    static String backendKey(String sdk) {
        return "it-browser-backend-key-" + sdk;
    }

    /**
     * Every fetch event of the visits (one per backend call) is a {@code rum-fetch-timings}
     * document joined with the SERVER span the backend exported for that call: same trace, the
     * server span's parent is the fetch's span, the server time is the span's duration and at most
     * the time the browser waited, the rest is network. The endpoint rows account for every joined
     * fetch.
     */
    private void assertFetchTimings(
            String prefix,
            List<RumEvent> written,
            Map<String, List<ApiCall>> backend,
            Map<ApiCall, SpanData> serverSpans)
            throws Exception {
        Map<String, RumEvent> fetches = new LinkedHashMap<>();
        for (RumEvent e : written) {
            if (e.app.startsWith("browser-") && e.type == EventType.FETCH) {
                fetches.putIfAbsent(e.app + ":" + e.eventId, e);
            }
        }
        int calls = backend.values().stream().mapToInt(List::size).sum();
        assertThat(fetches).as("one fetch event per backend call").hasSize(calls);

        refresh(prefix + "rum-fetch-timings-*," + prefix + "rum-endpoint-timings-*");
        Map<String, JsonNode> docs = new HashMap<>();
        for (JsonNode d : ElasticsearchIndices.documents(prefix + "rum-fetch-timings-*", 1000)) {
            docs.put(d.path("app").asText() + ":" + d.path("event_id").asText(), d);
        }
        for (JsonNode d : docs.values()) System.out.println("browser e2e: fetch timing " + d);
        assertThat(docs.keySet()).as("fetch timing documents").isEqualTo(fetches.keySet());
        Map<String, SpanData> spanByFetch = new HashMap<>();
        for (Map.Entry<ApiCall, SpanData> c : serverSpans.entrySet()) {
            String[] tp = c.getKey().traceparent().split("-");
            spanByFetch.put(tp[1] + "-" + tp[2], c.getValue());
        }
        double clientTotal = 0;
        double serverTotal = 0;
        for (Map.Entry<String, RumEvent> f : fetches.entrySet()) {
            RumEvent e = f.getValue();
            JsonNode d = docs.get(f.getKey());
            String at = f.getKey() + " (" + e.fetchMethod + " " + e.fetchUrl + "): ";
            SpanData span = spanByFetch.get(e.traceId + "-" + e.spanId);
            assertThat(span).as(at + "the backend's span for the fetch's traceparent").isNotNull();
            assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(span.getParentSpanId()).isEqualTo(e.spanId);
            assertThat(d.path("joined").asBoolean()).as(at + "joined").isTrue();
            assertThat(d.path("trace_id").asText()).isEqualTo(span.getTraceId());
            assertThat(d.path("span_id").asText()).isEqualTo(span.getParentSpanId());
            assertThat(d.path("server_span_id").asText()).isEqualTo(span.getSpanId());
            assertThat(d.path("service").asText()).isEqualTo(TestShop.SERVICE);
            assertThat(d.path("server_status").asInt()).isEqualTo(d.path("status").asInt());
            double serverMs = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6;
            assertThat(d.path("server_ms").asDouble())
                    .as(at + "server_ms = the span's duration")
                    .isCloseTo(serverMs, org.assertj.core.data.Offset.offset(0.001));
            assertThat(serverMs)
                    .as(at + "the backend's work")
                    .isGreaterThanOrEqualTo(TestShop.WORK_MS);
            assertThat(d.path("server_ms").asDouble())
                    .as(at + "server time <= client time")
                    .isLessThanOrEqualTo(d.path("client_ms").asDouble());
            assertThat(d.path("network_ms").asDouble())
                    .isCloseTo(
                            d.path("client_ms").asDouble() - d.path("server_ms").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-6));
            assertThat(d.path("endpoint").asText()).startsWith(e.fetchMethod + " /api/");
            clientTotal += d.path("client_ms").asDouble();
            serverTotal += d.path("server_ms").asDouble();
        }
        long joined = 0;
        long unmatched = 0;
        List<JsonNode> endpoints =
                ElasticsearchIndices.documents(prefix + "rum-endpoint-timings-*", 1000);
        for (JsonNode d : endpoints) {
            System.out.println("browser e2e: endpoint timing " + d);
            joined += d.path("joined").asLong();
            unmatched += d.path("unmatched").asLong();
            assertThat(d.path("service").asText()).isEqualTo(TestShop.SERVICE);
        }
        System.out.printf(
                "browser e2e: %d fetches joined with their server spans; client %.1f ms, server"
                        + " %.1f ms in total; %d endpoint windows%n",
                fetches.size(), clientTotal, serverTotal, endpoints.size());
        assertThat(joined).as("joined fetches in the endpoint rows").isEqualTo(calls);
        assertThat(unmatched).as("unmatched fetches in the endpoint rows").isZero();
    }

    private void runJob(String topic, String spanTopic, ElasticsearchIndices es) throws Exception {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.kafka.bootstrapServers = Stack.KAFKA;
        config.kafka.rawTopic = topic;
        config.kafka.serverSpansTopic = spanTopic;
        config.traces.enabled = true;
        config.kafka.groupId = "it-browser-" + es.run;
        config.kafka.startFrom = "earliest";
        // The job's own templates (fetch timings: keyword ids, double times) are installed under
        // the run's prefix, as at its start (ElasticsearchIndices).
        String prefix = es.prefix;
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        flink.enableCheckpointing(10_000);
        // Bounded at the offsets that are latest when the job starts: at the end of input the
        // watermark reaches the end of time, so every session closes and is written.
        BeaconflowPipeline pipeline = BeaconflowJob.fromKafka(flink, config, true);
        pipeline.sinkTo(
                new BeaconflowPipeline.Sinks()
                        .sessions(ElasticsearchOutputs.sessions(es.sink, prefix))
                        .metrics(ElasticsearchOutputs.metrics(es.sink, prefix))
                        .alerts(ElasticsearchOutputs.alerts(es.sink, prefix))
                        .fetchTimings(ElasticsearchOutputs.fetchTimings(es.sink, prefix))
                        .endpointTimings(ElasticsearchOutputs.endpointTimings(es.sink, prefix)));
        flink.execute("browser-end-to-end-itcase");
    }

    private static JsonNode session(List<JsonNode> sessions, String app, String sessionId) {
        List<JsonNode> found =
                sessions.stream()
                        .filter(
                                s ->
                                        s.path("app").asText().equals(app)
                                                && s.path("session_id").asText().equals(sessionId))
                        .toList();
        assertThat(found).as("one session document for %s %s", app, sessionId).hasSize(1);
        return found.get(0);
    }

    /** The timeline's routes (page views) or details (others) of one type, in order. */
    private static List<String> timeline(JsonNode session, String type, String route) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : session.path("timeline")) {
            if (!t.path("type").asText().equals(type)) continue;
            if (route != null && !t.path("route").asText().equals(route)) continue;
            out.add(
                    type.equals("page_view")
                            ? t.path("route").asText()
                            : t.path("detail").asText());
        }
        return out;
    }

    private static void refresh(String index) throws Exception {
        ElasticsearchIndices.send("POST", "/" + index + "/_refresh");
    }
}
