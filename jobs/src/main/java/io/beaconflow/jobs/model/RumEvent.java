package io.beaconflow.jobs.model;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decoded, validated RUM event, flattened: the common fields, then the fields of each type
 * (only those of {@link #type} are set). Public fields and a no-arg constructor (Jackson and the
 * tests build it field by field).
 *
 * <p>Serialized by {@link RumEventSerializer} (declared with {@link TypeInfo}): a new field needs a
 * line there, which {@code RumEventSerializerTest} enforces.
 *
 * <p>Times are epoch millis. {@link #eventTime} is the skew-corrected event time that windows and
 * watermarks use; the client-clock values are kept as received for debugging.
 */
@TypeInfo(RumEventTypeInfo.Factory.class)
public class RumEvent {
    // ---- identity and origin ----
    public int schemaVersion;
    public String eventId;
    public EventType type;
    public String app;
    public String release;
    public String environment;
    public String sessionId;
    public String viewId;

    /** Pseudonymous user id; replaced by a salted hash during enrichment. */
    public String userId;

    // ---- time ----
    /** Client clock: when the event happened. */
    public long occurredAt;

    /** Client clock: when the beacon was sent, or -1 when the beacon did not say. */
    public long sentAt = -1;

    /** Collector clock: when the beacon arrived. */
    public long receivedAt;

    /** Skew-corrected event time (see {@code ClockSkew}). */
    public long eventTime;

    // ---- page and environment ----
    public String pageUrl;

    /** Normalized route template, e.g. {@code /product/:id}; set by enrichment. */
    public String route;

    public String referrer;
    public String userAgent;
    public String clientIp;
    public String country;
    public String networkType;
    public Map<String, String> experiments;

    /** Fraction of sessions the SDK keeps, in (0, 1]; counts are weighted by its inverse. */
    public double sampleRate = 1.0;

    // ---- enrichment (user agent) ----
    public String browser;
    public String browserVersion;
    public String os;
    public String deviceType;
    public boolean bot;

    /**
     * Browser and major version ({@code Chrome 131}), bounded per app like the other dimensions;
     * null when the user agent names no version.
     */
    public String browserMajor;

    // ---- page_view ----
    public Double ttfbMs;
    public Double domContentLoadedMs;
    public Double loadMs;

    // ---- web_vital ----
    public String vitalName;
    public Double vitalValue;
    public String vitalRating;

    // ---- fetch ----
    public String fetchUrl;
    public String fetchMethod;
    public Integer fetchStatus;
    public Double fetchDurationMs;
    public String traceId;
    public String spanId;

    /**
     * Enrichment: method and normalized URL path of the call ({@code GET /api/orders/:id}), the
     * same templating as routes (query, fragment and host dropped; identifiers and learned slugs
     * replaced), bounded per app. Fetches only.
     */
    public String endpoint;

    // ---- error ----
    public String errorType;
    public String errorMessage;
    public String errorStack;
    public String errorFingerprint;

    // ---- action ----
    public String actionType;
    public String actionTarget;
    public String actionName;

    // ---- custom ----
    public String customName;
    public Double customValue;
    public Map<String, String> customAttributes;

    // ---- page_view of a single-page app (appended: the serializer's bits 44 and 45) ----

    /**
     * A same-document route change of a single-page app ({@code page_view.navigation:
     * route_change}): a view of its own route without a document load, so it has no TTFB or load
     * time. False for a full page load.
     */
    public boolean routeChange;

    /**
     * Route changes: ms from the navigation's start (the click or key press) until the new view
     * settled (no request in flight, DOM quiet), when the SDK measured it.
     */
    public Double routeChangeMs;

    public RumEvent() {}

    /** A fetch failed when the network call failed (status 0) or the server answered 5xx. */
    public boolean isFailedFetch() {
        return type == EventType.FETCH
                && fetchStatus != null
                && (fetchStatus == 0 || fetchStatus >= 500);
    }

    /** The weight of this event in counts: the inverse of the SDK's sample rate. */
    public double weight() {
        return sampleRate > 0 ? 1.0 / sampleRate : 1.0;
    }

    @Override
    public String toString() {
        return "RumEvent{"
                + type
                + " "
                + eventId
                + " app="
                + app
                + " session="
                + sessionId
                + " t="
                + eventTime
                + " route="
                + route
                + "}";
    }
}
