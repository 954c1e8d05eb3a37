package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.metrics.MetricAggregate;
import java.time.Instant;

/** Test fixtures in the domain's language: metric rows of one series per minute. */
final class Rows {
    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;

    static final String SPECS =
            String.join(
                    "\n",
                    "version: 1",
                    "metrics:",
                    "  error_rate:",
                    "    kind: error_rate",
                    "    direction: up",
                    "    z_threshold: 4",
                    "    min_volume: 50",
                    "    baseline: { alpha: 0.1, min_points: 10 }",
                    "  page_views:",
                    "    kind: throughput",
                    "    z_threshold: 5",
                    "    baseline: { alpha: 0.1, min_points: 10 }",
                    "");

    private Rows() {}

    static SpecUpdate specs(String yaml, long version) {
        return new SpecUpdate("test-specs.yaml", yaml, version);
    }

    /** The app-total row of minute {@code i} with {@code views} page views and an error rate. */
    static MetricAggregate total(String app, int i, double views, double errorRate) {
        return row(app, "all", "*", i, views, errorRate);
    }

    static MetricAggregate row(
            String app, String dimension, String value, int i, double views, double errorRate) {
        MetricAggregate r = new MetricAggregate();
        r.app = app;
        r.dimension = dimension;
        r.dimensionValue = value;
        r.windowStart = T0 + i * MINUTE;
        r.windowEnd = r.windowStart + MINUTE;
        r.pageViews = views;
        r.events = views * 10;
        r.jsErrors = views * errorRate;
        r.errorRate = errorRate;
        r.samples = (long) r.events;
        r.id = app + "|" + dimension + "|" + value + "|" + r.windowStart;
        return r;
    }

    /** A steady error rate around 2 % with a little deterministic wobble. */
    static double normalRate(int i) {
        return 0.02 + 0.002 * ((i % 3) - 1);
    }

    /** Steady page views around 1000. */
    static double normalViews(int i) {
        return 1000 + 20 * ((i % 4) - 1.5);
    }
}
