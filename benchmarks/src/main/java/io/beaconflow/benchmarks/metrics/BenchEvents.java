package io.beaconflow.benchmarks.metrics;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Enriched events for the metrics benchmarks, a pure function of an index (so a parallel source can
 * make them): one dominant app (the hot app-total key), one route with half the traffic (the hot
 * route), the usual dimensions, 10 % sampled traffic, the generator's event-type mix.
 */
final class BenchEvents {
    static final long T0 = 1_793_613_600_000L; // 2026-11-02T10:00:00Z, a window boundary

    private static final String[] APPS = {"shop", "shop", "shop", "blog"};
    private static final String[] ROUTES = {
        "/products/:id",
        "/",
        "/cart",
        "/search",
        "/c/:slug",
        "/account",
        "/checkout",
        "/help/:topic"
    };
    private static final String[] RELEASES = {"1.4.0", "1.5.0", "1.5.1"};
    private static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Edge", "Samsung"};
    private static final String[] COUNTRIES = {"DE", "US", "FR", "BR", "IN", "GB", "JP", "ES"};
    private static final String[] DEVICES = {"desktop", "mobile", "tablet"};
    private static final String[] VITALS = {"LCP", "INP", "TTFB", "FCP", "CLS"};

    private BenchEvents() {}

    /** Event {@code i}; event time advances {@code stepMs} per event. */
    static RumEvent event(long i, long stepMs) {
        SplittableRandom rnd = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        int kind = rnd.nextInt(10);
        EventType type =
                kind < 2
                        ? EventType.PAGE_VIEW
                        : kind < 6
                                ? EventType.WEB_VITAL
                                : kind < 8
                                        ? EventType.FETCH
                                        : kind < 9 ? EventType.ERROR : EventType.ACTION;
        RumEvent e = new RumEvent();
        e.type = type;
        e.eventId = "b-" + i;
        e.eventTime = T0 + i * stepMs;
        e.app = APPS[rnd.nextInt(APPS.length)];
        e.route = rnd.nextBoolean() ? ROUTES[0] : ROUTES[rnd.nextInt(ROUTES.length)];
        e.release = RELEASES[rnd.nextInt(RELEASES.length)];
        e.browser = BROWSERS[rnd.nextInt(BROWSERS.length)];
        e.country = COUNTRIES[rnd.nextInt(COUNTRIES.length)];
        e.deviceType = DEVICES[rnd.nextInt(DEVICES.length)];
        e.sampleRate = rnd.nextInt(4) == 0 ? 0.1 : 1.0;
        if (rnd.nextInt(3) == 0) {
            Map<String, String> exp = new TreeMap<>();
            exp.put("checkout", rnd.nextBoolean() ? "a" : "b");
            e.experiments = exp;
        }
        switch (type) {
            case PAGE_VIEW:
                e.loadMs = Math.exp(6.5 + gaussian(rnd) * 0.6);
                break;
            case WEB_VITAL:
                e.vitalName = VITALS[rnd.nextInt(VITALS.length)];
                e.vitalValue =
                        e.vitalName.equals("CLS")
                                ? rnd.nextDouble() * 0.5
                                : Math.exp(6 + gaussian(rnd) * 0.8);
                break;
            case FETCH:
                e.fetchStatus = rnd.nextInt(20) == 0 ? 503 : 200;
                e.fetchDurationMs = Math.exp(4.5 + gaussian(rnd));
                break;
            default:
                break;
        }
        return e;
    }

    private static double gaussian(SplittableRandom rnd) {
        // Sum of uniforms: close enough to normal for a latency shape, and cheap.
        return rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5;
    }
}
