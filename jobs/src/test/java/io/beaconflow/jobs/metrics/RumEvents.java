package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.EnrichedEvents;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Domain-language fixtures for enriched events: {@code pageView(T0, 1200)}, {@code vital(T0, "LCP",
 * 2500)}, {@code fetch(T0, 503, 80)}, {@code jsError(T0)}; all in app {@code shop} on route {@code
 * /products/:id}, Chrome, DE, desktop, release 1.0.0, sample rate 1, unless changed.
 */
final class RumEvents {
    private RumEvents() {}

    /** A window boundary, so {@code T0 + 59_999} is the last millisecond of the first window. */
    static final long T0 = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();

    private static final AtomicLong IDS = new AtomicLong();

    static RumEvent event(EventType type, long t) {
        RumEvent e =
                EnrichedEvents.enriched(
                        type, "e-" + IDS.incrementAndGet(), "shop", "s1", t, "/products/:id");
        e.release = "1.0.0";
        return e;
    }

    static RumEvent pageView(long t, double loadMs) {
        RumEvent e = event(EventType.PAGE_VIEW, t);
        e.loadMs = loadMs;
        e.ttfbMs = loadMs / 10;
        e.domContentLoadedMs = loadMs / 2;
        return e;
    }

    static RumEvent vital(long t, String name, double value) {
        RumEvent e = event(EventType.WEB_VITAL, t);
        e.vitalName = name;
        e.vitalValue = value;
        return e;
    }

    static RumEvent fetch(long t, int status, double durationMs) {
        RumEvent e = event(EventType.FETCH, t);
        e.fetchUrl = "https://api.shop.example/cart";
        e.fetchMethod = "GET";
        e.fetchStatus = status;
        e.fetchDurationMs = durationMs;
        return e;
    }

    static RumEvent jsError(long t) {
        RumEvent e = event(EventType.ERROR, t);
        e.errorType = "TypeError";
        e.errorMessage = "x is undefined";
        return e;
    }

    static RumEvent sampled(RumEvent e, double sampleRate) {
        e.sampleRate = sampleRate;
        return e;
    }

    static RumEvent bot(RumEvent e) {
        e.bot = true;
        return e;
    }

    static RumEvent onRoute(RumEvent e, String route) {
        e.route = route;
        return e;
    }
}
