package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.Beacons;
import io.beaconflow.jobs.testing.EnrichedEvents;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Domain-language fixtures for enriched events of app {@code shop}: {@code pageView("s1", T0,
 * "/home")}, {@code click("s1", T0.plusMillis(200), "#buy")}, {@code jsError("s1", ...)}.
 */
final class SessionEvents {
    private SessionEvents() {}

    static final Instant T0 = Beacons.T0;

    /** A hashed user id as enrichment leaves it (32 hex digits). */
    static final String USER = "9f2c4e1a7b3d5f60812a4c6e8b0d2f41";

    static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String TRACE_B = "0af7651916cd43dd8448eb211c80319c";
    static final String TRACE_C = "5b8efff798038103d269b633813fc60c";
    static final String TRACE_D = "a3ce929d0e0e47364bf92f3577b34da6";

    private static final AtomicLong IDS = new AtomicLong();

    static RumEvent event(EventType type, String session, Instant at, String route) {
        RumEvent e =
                EnrichedEvents.enriched(
                        type,
                        "e-" + IDS.incrementAndGet(),
                        "shop",
                        session,
                        at.toEpochMilli(),
                        route);
        e.release = "1.4.0";
        e.environment = "prod";
        e.viewId = "v1";
        e.userId = USER;
        e.receivedAt = at.toEpochMilli() + 500;
        e.networkType = "4g";
        e.browserVersion = "120";
        e.os = "Windows";
        return e;
    }

    static RumEvent pageView(String session, Instant at, String route) {
        RumEvent e = event(EventType.PAGE_VIEW, session, at, route);
        e.ttfbMs = 120.0;
        e.loadMs = 1500.0;
        return e;
    }

    static RumEvent pageView(String session, Instant at) {
        return pageView(session, at, "/home");
    }

    static RumEvent click(String session, Instant at, String target) {
        return click(session, at, target, "/product/:id");
    }

    static RumEvent click(String session, Instant at, String target, String route) {
        RumEvent e = event(EventType.ACTION, session, at, route);
        e.actionType = "click";
        e.actionTarget = target;
        return e;
    }

    static RumEvent jsError(String session, Instant at) {
        return jsError(session, at, "/product/:id");
    }

    static RumEvent jsError(String session, Instant at, String route) {
        RumEvent e = event(EventType.ERROR, session, at, route);
        e.errorType = "TypeError";
        e.errorMessage = "x is undefined";
        return e;
    }

    static RumEvent fetch(String session, Instant at, int status, String traceId) {
        return fetch(session, at, status, traceId, "/product/:id");
    }

    static RumEvent fetch(String session, Instant at, int status, String traceId, String route) {
        RumEvent e = event(EventType.FETCH, session, at, route);
        e.fetchUrl = "https://api.shop.example/cart";
        e.fetchMethod = "GET";
        e.fetchStatus = status;
        e.fetchDurationMs = 180.0;
        e.traceId = traceId;
        return e;
    }

    static RumEvent vital(String session, Instant at, String name, double value) {
        return vital(session, at, name, value, "/home");
    }

    static RumEvent vital(String session, Instant at, String name, double value, String route) {
        RumEvent e = event(EventType.WEB_VITAL, session, at, route);
        e.vitalName = name;
        e.vitalValue = value;
        return e;
    }

    static RumEvent asBot(RumEvent e) {
        e.bot = true;
        return e;
    }

    /**
     * A typical 20-event session of 22 s starting at {@code at}: three page views (/home, /cart,
     * /checkout), eight web vitals, four fetches (one 503), four clicks (three quick ones on
     * #checkout: a rage click) and a JS error 0.2 s after the last click (error clicks). Each event
     * carries the route of the page it happened on.
     */
    static List<RumEvent> typicalSession(String session, Instant at) {
        String home = "/home";
        String cart = "/cart";
        String checkout = "/checkout";
        return List.of(
                pageView(session, at, home),
                vital(session, at.plusMillis(300), "TTFB", 180, home),
                vital(session, at.plusMillis(900), "FCP", 850, home),
                vital(session, at.plusMillis(1800), "LCP", 2100, home),
                fetch(session, at.plusMillis(3000), 200, TRACE_A, home),
                click(session, at.plusMillis(6000), "#add-to-cart", home),
                fetch(session, at.plusMillis(6200), 200, TRACE_B, home),
                pageView(session, at.plusMillis(9000), cart),
                vital(session, at.plusMillis(9400), "FCP", 640, cart),
                vital(session, at.plusMillis(10_500), "LCP", 1800, cart),
                fetch(session, at.plusMillis(12_000), 503, TRACE_C, cart),
                click(session, at.plusMillis(15_000), "#checkout", cart),
                click(session, at.plusMillis(15_300), "#checkout", cart),
                click(session, at.plusMillis(15_600), "#checkout", cart),
                jsError(session, at.plusMillis(15_800), cart),
                vital(session, at.plusMillis(16_000), "INP", 320, cart),
                pageView(session, at.plusMillis(20_000), checkout),
                vital(session, at.plusMillis(20_500), "CLS", 0.08, checkout),
                vital(session, at.plusMillis(21_000), "INP", 240, checkout),
                fetch(session, at.plusMillis(22_000), 200, TRACE_D, checkout));
    }
}
