package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic enriched events for the metrics ITCase: two apps, skewed routes (one hot), several
 * releases, browsers, countries, devices and experiments, sample rates 1, 1/2, 1/4 and 1/10, about
 * 3 % bots, every event type, CLS zeros, failed fetches. Event times advance with up to {@link
 * #MAX_DISORDER_MS} of disorder, so a watermark with that bound sees no late event.
 */
final class MetricEventGenerator {
    static final long MAX_DISORDER_MS = 20_000;

    private static final String[] APPS = {"shop", "blog"};
    private static final String[] ROUTES = {"/", "/products/:id", "/cart", "/search", "/c/:slug"};
    private static final String[] RELEASES = {"1.4.0", "1.5.0"};
    private static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Edge"};
    private static final String[] COUNTRIES = {"DE", "US", "FR", "BR", null};
    private static final String[] DEVICES = {"desktop", "mobile", "tablet"};
    private static final double[] RATES = {1.0, 0.5, 0.25, 0.1};
    private static final String[] VITALS = {"LCP", "INP", "TTFB", "FCP", "CLS"};
    private static final String[] OS = {"Android", "iOS", "Windows", null};
    private static final String[] BROWSER_VERSIONS = {"Chrome 131", "Chrome 130", null};
    private static final String[] ENDPOINTS = {"GET /api/cart", "POST /api/cart/:id/items"};

    private MetricEventGenerator() {}

    static List<RumEvent> generate(long seed, int count, long start, long stepMs) {
        Random rnd = new Random(seed);
        List<RumEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long t = start + i * stepMs - (long) (rnd.nextDouble() * MAX_DISORDER_MS);
            int kind = rnd.nextInt(10);
            EventType type =
                    kind < 3
                            ? EventType.PAGE_VIEW
                            : kind < 6
                                    ? EventType.WEB_VITAL
                                    : kind < 8
                                            ? EventType.FETCH
                                            : kind < 9 ? EventType.ERROR : EventType.ACTION;
            RumEvent e = RumEvents.event(type, t);
            e.eventId = "g-" + seed + "-" + i;
            e.app = APPS[rnd.nextInt(4) == 0 ? 1 : 0];
            // The first route is hot: about half of the traffic.
            e.route = rnd.nextBoolean() ? ROUTES[1] : ROUTES[rnd.nextInt(ROUTES.length)];
            e.release = RELEASES[rnd.nextInt(RELEASES.length)];
            e.browser = BROWSERS[rnd.nextInt(BROWSERS.length)];
            e.country = COUNTRIES[rnd.nextInt(COUNTRIES.length)];
            e.deviceType = DEVICES[rnd.nextInt(DEVICES.length)];
            e.os = OS[rnd.nextInt(OS.length)];
            e.browserMajor = BROWSER_VERSIONS[rnd.nextInt(BROWSER_VERSIONS.length)];
            e.sampleRate = RATES[rnd.nextInt(RATES.length)];
            e.bot = rnd.nextInt(33) == 0;
            if (rnd.nextInt(3) == 0) {
                Map<String, String> exp = new TreeMap<>();
                exp.put("checkout", rnd.nextBoolean() ? "a" : "b");
                if (rnd.nextBoolean()) {
                    exp.put("banner", "v" + rnd.nextInt(3));
                }
                e.experiments = exp;
            }
            switch (type) {
                case PAGE_VIEW:
                    e.ttfbMs = 50 + rnd.nextDouble() * 200;
                    e.domContentLoadedMs = 400 + rnd.nextDouble() * 500;
                    e.loadMs =
                            rnd.nextInt(20) == 0 ? null : Math.exp(6.5 + rnd.nextGaussian() * 0.6);
                    break;
                case WEB_VITAL:
                    e.vitalName = VITALS[rnd.nextInt(VITALS.length)];
                    e.vitalValue =
                            e.vitalName.equals("CLS")
                                    ? (rnd.nextInt(4) == 0 ? 0.0 : rnd.nextDouble() * 0.5)
                                    : Math.exp(6 + rnd.nextGaussian() * 0.8);
                    break;
                case FETCH:
                    int r = rnd.nextInt(20);
                    e.fetchStatus = r == 0 ? 0 : r == 1 ? 503 : r == 2 ? 404 : r == 3 ? 304 : 200;
                    e.endpoint = ENDPOINTS[rnd.nextInt(ENDPOINTS.length)];
                    e.fetchDurationMs = Math.exp(4.5 + rnd.nextGaussian());
                    break;
                case ERROR:
                    e.errorType = "TypeError";
                    break;
                default:
                    e.actionType = "click";
                    break;
            }
            out.add(e);
        }
        return out;
    }
}
