package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;

/**
 * The latency-like measures that get a sketch per series and window.
 *
 * <p>TTFB comes from the {@code TTFB} web vital only, not from {@code page_view.ttfb_ms}: SDKs that
 * send both (ours does) would otherwise count every page load twice.
 */
public enum LatencyMetric {
    /** {@code page_view.load_ms}. */
    LOAD("load"),
    LCP("lcp"),
    INP("inp"),
    TTFB("ttfb"),
    FCP("fcp"),
    /** Unitless layout-shift score; zero is common and kept exactly. */
    CLS("cls"),
    /** {@code fetch.duration_ms}. */
    FETCH("fetch"),
    /**
     * {@code page_view.route_change_ms}: a single-page app's route change until its view settled.
     * Appended last: the accumulator serializer's sketch mask is indexed by ordinal.
     */
    ROUTE_CHANGE("route_change");

    private static final LatencyMetric[] VALUES = values();

    private final String fieldPrefix;

    LatencyMetric(String fieldPrefix) {
        this.fieldPrefix = fieldPrefix;
    }

    /** The prefix of the metric names and JSON fields, e.g. {@code lcp} in {@code lcp_p75}. */
    public String fieldPrefix() {
        return fieldPrefix;
    }

    static LatencyMetric ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** The metric for a field prefix, or {@code null}. */
    public static LatencyMetric fromPrefix(String prefix) {
        for (LatencyMetric m : VALUES) {
            if (m.fieldPrefix.equals(prefix)) {
                return m;
            }
        }
        return null;
    }

    /** The metric an event measures, or {@code null} when it carries no latency value. */
    static LatencyMetric of(RumEvent e) {
        if (e.type == EventType.PAGE_VIEW) {
            if (e.routeChange) {
                return e.routeChangeMs != null ? ROUTE_CHANGE : null;
            }
            return e.loadMs != null ? LOAD : null;
        }
        if (e.type == EventType.FETCH) {
            return e.fetchDurationMs != null ? FETCH : null;
        }
        if (e.type == EventType.WEB_VITAL && e.vitalName != null && e.vitalValue != null) {
            switch (e.vitalName) {
                case "LCP":
                    return LCP;
                case "INP":
                    return INP;
                case "TTFB":
                    return TTFB;
                case "FCP":
                    return FCP;
                case "CLS":
                    return CLS;
                default:
                    return null;
            }
        }
        return null;
    }

    /** The value {@link #of} refers to. */
    static double valueOf(RumEvent e, LatencyMetric m) {
        switch (m) {
            case LOAD:
                return e.loadMs;
            case FETCH:
                return e.fetchDurationMs;
            case ROUTE_CHANGE:
                return e.routeChangeMs;
            default:
                return e.vitalValue;
        }
    }
}
