package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.ingest.BeaconFields.number;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalDuration;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalObject;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalStringMap;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalText;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredBounded;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredDuration;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredObject;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.util.Set;

/**
 * The type-specific part of an event (docs/rum-events.md): one reader per {@link
 * io.beaconflow.jobs.model.EventType}, each reading its own object of the event into the {@link
 * RumEvent} and rejecting ({@link Reject}, with the field's path) what is missing, of the wrong
 * type or out of the bounds in {@code ingest.limits}.
 */
final class EventBodies {
    private static final Set<String> VITALS = Set.of("LCP", "INP", "CLS", "FCP", "TTFB");
    private static final Set<String> RATINGS = Set.of("good", "needs-improvement", "poor");

    private EventBodies() {}

    /** Reads the object that {@code e.type} names from event node {@code n} into {@code e}. */
    static void read(RumEvent e, JsonNode n, IngestConfig.LimitsConfig limits) {
        switch (e.type) {
            case PAGE_VIEW:
                pageView(e, n, limits);
                break;
            case WEB_VITAL:
                webVital(e, n, limits);
                break;
            case FETCH:
                fetch(e, n, limits);
                break;
            case ERROR:
                error(e, n);
                break;
            case ACTION:
                action(e, n);
                break;
            case CUSTOM:
                custom(e, n, limits);
                break;
            default:
                throw new IllegalStateException("unhandled type " + e.type);
        }
    }

    /**
     * Reads the {@code page_view} object (optional): navigation timings, a route change and its
     * duration.
     */
    private static void pageView(RumEvent e, JsonNode n, IngestConfig.LimitsConfig limits) {
        JsonNode pv = optionalObject(n, "page_view");
        if (pv != null) {
            e.ttfbMs = optionalDuration(limits, pv, "page_view.ttfb_ms", "ttfb_ms");
            e.domContentLoadedMs =
                    optionalDuration(
                            limits, pv, "page_view.dom_content_loaded_ms", "dom_content_loaded_ms");
            e.loadMs = optionalDuration(limits, pv, "page_view.load_ms", "load_ms");
            String navigation = optionalText(pv, "navigation");
            if (navigation != null
                    && !BeaconDecoder.NAVIGATION_FULL.equals(navigation)
                    && !BeaconDecoder.NAVIGATION_ROUTE_CHANGE.equals(navigation)) {
                throw new Reject(
                        RejectReason.INVALID_VALUE,
                        "page_view.navigation must be '"
                                + BeaconDecoder.NAVIGATION_FULL
                                + "' or '"
                                + BeaconDecoder.NAVIGATION_ROUTE_CHANGE
                                + "', got "
                                + navigation);
            }
            e.routeChange = BeaconDecoder.NAVIGATION_ROUTE_CHANGE.equals(navigation);
            Double routeChangeMs =
                    optionalDuration(limits, pv, "page_view.route_change_ms", "route_change_ms");
            // Bounded even when unused; a full page load has its own timings instead.
            e.routeChangeMs = e.routeChange ? routeChangeMs : null;
        }
    }

    /**
     * Reads the {@code web_vital} object: a known vital, its value bounded (CLS by its own limit)
     * and rating.
     */
    private static void webVital(RumEvent e, JsonNode n, IngestConfig.LimitsConfig limits) {
        JsonNode wv = requiredObject(n, "web_vital");
        e.vitalName = requiredText(wv, "name");
        if (!VITALS.contains(e.vitalName)) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    "web_vital.name must be one of " + VITALS + ", got " + e.vitalName);
        }
        e.vitalValue =
                "CLS".equals(e.vitalName)
                        ? requiredBounded(
                                wv,
                                "web_vital.value",
                                "value",
                                limits.maxCls,
                                "ingest.limits.max-cls")
                        : requiredDuration(limits, wv, "web_vital.value", "value");
        e.vitalRating = optionalText(wv, "rating");
        if (e.vitalRating != null && !RATINGS.contains(e.vitalRating)) {
            throw new Reject(
                    RejectReason.INVALID_VALUE, "web_vital.rating must be one of " + RATINGS);
        }
    }

    /**
     * Reads the {@code fetch} object: URL, method, bounded duration, an HTTP status in [0, 999],
     * trace context.
     */
    private static void fetch(RumEvent e, JsonNode n, IngestConfig.LimitsConfig limits) {
        JsonNode f = requiredObject(n, "fetch");
        e.fetchUrl = requiredText(f, "url");
        e.fetchMethod = optionalText(f, "method");
        e.fetchDurationMs = requiredDuration(limits, f, "fetch.duration_ms", "duration_ms");
        JsonNode status = f.get("status");
        if (status != null && !status.isNull()) {
            if (!status.isIntegralNumber() || !status.canConvertToInt()) {
                throw new Reject(RejectReason.WRONG_TYPE, "fetch.status must be an integer");
            }
            int s = status.asInt();
            if (s < 0 || s > 999) {
                throw new Reject(RejectReason.INVALID_VALUE, "fetch.status out of range: " + s);
            }
            e.fetchStatus = s;
        }
        e.traceId = optionalText(f, "trace_id");
        e.spanId = optionalText(f, "span_id");
    }

    /** Reads the {@code error} object: message, type, stack and the SDK's fingerprint. */
    private static void error(RumEvent e, JsonNode n) {
        JsonNode er = requiredObject(n, "error");
        e.errorMessage = requiredText(er, "message");
        e.errorType = optionalText(er, "type");
        e.errorStack = optionalText(er, "stack");
        e.errorFingerprint = optionalText(er, "fingerprint");
    }

    /** Reads the {@code action} object: target, type (click when absent) and name. */
    private static void action(RumEvent e, JsonNode n) {
        JsonNode a = requiredObject(n, "action");
        e.actionTarget = requiredText(a, "target");
        String actionType = optionalText(a, "type");
        e.actionType = actionType == null ? "click" : actionType;
        e.actionName = optionalText(a, "name");
    }

    /** Reads the {@code custom} object: name, a finite bounded value and string attributes. */
    private static void custom(RumEvent e, JsonNode n, IngestConfig.LimitsConfig limits) {
        JsonNode c = requiredObject(n, "custom");
        e.customName = requiredText(c, "name");
        JsonNode v = c.get("value");
        if (v != null && !v.isNull()) {
            double d = number(v, "custom.value");
            if (!(Math.abs(d) <= limits.maxCustomValue)) {
                throw new Reject(
                        RejectReason.INVALID_VALUE,
                        "custom.value must be finite and within ±"
                                + limits.maxCustomValue
                                + " (ingest.limits.max-custom-value), got "
                                + d);
            }
            e.customValue = d;
        }
        e.customAttributes = optionalStringMap(c, "attributes");
    }
}
