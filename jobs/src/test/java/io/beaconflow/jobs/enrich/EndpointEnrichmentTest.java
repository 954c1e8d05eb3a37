package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import org.junit.jupiter.api.Test;

/** The endpoint and browser-version enrichment of {@link EventEnrichment}. */
class EndpointEnrichmentTest {
    private static final String CHROME_131_ANDROID =
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                    + " Chrome/131.0.6778.85 Mobile Safari/537.36";

    static IngestConfig config() {
        IngestConfig c = new IngestConfig();
        c.privacy.userIdSalt = "test-salt";
        c.routes.learnAfter = 3;
        c.cardinality.maxEndpointsPerApp = 6;
        return c;
    }

    static RumEvent fetch(String method, String url) {
        RumEvent e = new RumEvent();
        e.type = EventType.FETCH;
        e.app = "shop";
        e.pageUrl = "https://shop.example/cart";
        e.fetchMethod = method;
        e.fetchUrl = url;
        e.fetchStatus = 200;
        e.fetchDurationMs = 40.0;
        e.userAgent = CHROME_131_ANDROID;
        return e;
    }

    static String endpointOf(EventEnrichment en, String method, String url) {
        RumEvent e = fetch(method, url);
        en.enrich(e);
        return e.endpoint;
    }

    @Test
    void anEndpointIsTheMethodAndTheTemplatedPathWithoutHostQueryOrFragment() {
        EventEnrichment en = new EventEnrichment(config());
        assertThat(endpointOf(en, "get", "https://api.shop.example/api/v2/orders/8812?x=1#top"))
                .isEqualTo("GET /api/v2/orders/:id");
        assertThat(
                        endpointOf(
                                en,
                                "POST",
                                "/api/v2/cart/3f2a1c4e-6b7d-4e8f-9a0b-1c2d3e4f5a6b/items/"))
                .isEqualTo("POST /api/v2/cart/:uuid/items");
        assertThat(endpointOf(en, null, "https://cdn.example/a/0123456789abcdef0123"))
                .as("fetch() defaults to GET")
                .isEqualTo("GET /a/:hash");
        assertThat(endpointOf(en, "BREW", "/coffee")).isEqualTo("OTHER /coffee");
    }

    static String endpointAt(EventEnrichment en, String url, long time) {
        RumEvent e = fetch("GET", url);
        e.eventTime = time;
        en.enrich(e);
        return e.endpoint;
    }

    @Test
    void slugsAreLearnedForApiPathsSeparatelyFromPageRoutesAndGiveTheirBudgetBack() {
        EventEnrichment en = new EventEnrichment(config());
        long t0 = 1_700_000_040_000L; // a whole minute
        // Up to learnAfter (3) distinct segments keep their raw path ...
        for (String tag : new String[] {"shoes", "bags", "hats", "socks"}) {
            assertThat(endpointAt(en, "/api/tags/" + tag, t0)).isEqualTo("GET /api/tags/" + tag);
        }
        // ... the fourth at t0 makes the prefix learn, in event time: from the first whole minute
        // after t0 + allowed lateness (5 min) + out-of-orderness (30 s), so that a replay in
        // another order decides the same for every fetch (PathTemplateLearner).
        assertThat(endpointAt(en, "/api/tags/ties", t0 + 5 * 60_000L + 59_999L))
                .isEqualTo("GET /api/tags/ties");
        assertThat(endpointAt(en, "/api/tags/shoes", t0 + 6 * 60_000L))
                .isEqualTo("GET /api/tags/:slug");
        // Once the watermark says no fetch before that can come, the raw endpoints give their
        // place in the budget back.
        en.advance(t0 + 11 * 60_000L);
        assertThat(en.guard().admittedCount(CardinalityGuard.Kind.ENDPOINT, "shop"))
                .as("the five raw endpoints gave their place back")
                .isEqualTo(1);
        assertThat(en.endpointLearner().templates("shop"))
                .containsExactly(java.util.Map.entry("/api/tags/:slug", t0 + 6 * 60_000L));
        // The page routes learned nothing from the API paths.
        assertThat(en.routeLearner().templates("shop")).isEmpty();
    }

    @Test
    void endpointsBeyondTheBudgetFoldIntoOther() {
        IngestConfig c = config();
        c.routes.learnAfter = 0; // no learning: every path is its own endpoint
        EventEnrichment en = new EventEnrichment(c);
        for (int i = 0; i < 6; i++) {
            assertThat(endpointOf(en, "GET", "/api/e" + i)).isEqualTo("GET /api/e" + i);
        }
        assertThat(endpointOf(en, "GET", "/api/e6")).isEqualTo(CardinalityGuard.OTHER);
        assertThat(endpointOf(en, "GET", "/api/e0")).isEqualTo("GET /api/e0");
        assertThat(en.guard().folded(CardinalityGuard.Kind.ENDPOINT)).isEqualTo(1);
    }

    @Test
    void osAndBrowserMajorVersionComeFromTheUserAgentAndOnlyFetchesHaveAnEndpoint() {
        EventEnrichment en = new EventEnrichment(config());
        RumEvent pv = fetch("GET", "/api/x");
        pv.type = EventType.PAGE_VIEW;
        en.enrich(pv);
        assertThat(pv.endpoint).isNull();
        assertThat(pv.browserMajor).isEqualTo("Chrome 131");
        assertThat(pv.os).isEqualTo("Android");
        RumEvent noUa = fetch("GET", "/api/x");
        noUa.userAgent = null;
        en.enrich(noUa);
        assertThat(noUa.browserMajor).isNull();
        assertThat(EventEnrichment.browserMajor("Firefox", "128.0")).isEqualTo("Firefox 128");
        assertThat(EventEnrichment.browserMajor("Safari", "17")).isEqualTo("Safari 17");
        assertThat(EventEnrichment.browserMajor("Safari", "")).isNull();
    }
}
