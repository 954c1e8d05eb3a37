package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;

/**
 * Enrichment and PII scrubbing of one event, without Flink: route template (bounded by the
 * cardinality guard), user agent → browser / OS / device / bot, error fingerprint, then client IP,
 * query strings, fragments, secrets in URLs and error texts, and user id scrubbed. The Flink shell
 * is {@code ingest.Enricher}; benchmarks call this directly. Not thread-safe: one per operator
 * instance.
 */
public final class EventEnrichment {
    private static final int UA_CACHE = 4096;

    private final RouteNormalizer normalizer;
    private final RouteCardinalityGuard guard;
    private final UserAgentClassifier userAgents;
    private final PiiScrubber scrubber;

    public EventEnrichment(IngestConfig config, RouteCardinalityGuard guard) {
        this.normalizer = new RouteNormalizer(config.routes.rules);
        this.guard = guard;
        this.userAgents = new UserAgentClassifier(UA_CACHE);
        this.scrubber = new PiiScrubber(config.privacy);
    }

    public EventEnrichment(IngestConfig config) {
        this(config, new RouteCardinalityGuard(config.routes.maxPerApp));
    }

    public RouteCardinalityGuard guard() {
        return guard;
    }

    /** Enriches and scrubs {@code e} in place. */
    public void enrich(RumEvent e) {
        e.route = guard.admit(e.app, normalizer.normalize(e.app, e.pageUrl));
        UserAgentClassifier.Info ua = userAgents.classify(e.userAgent);
        e.browser = ua.browser;
        e.browserVersion = ua.browserVersion;
        e.os = ua.os;
        e.deviceType = ua.deviceType;
        e.bot = ua.bot;
        if (e.type == EventType.ERROR && e.errorFingerprint == null) {
            e.errorFingerprint = ErrorFingerprint.of(e.errorType, e.errorMessage, e.errorStack);
        }
        scrub(scrubber, e);
    }

    /** The PII part alone, also used for late events. */
    public static void scrub(PiiScrubber scrubber, RumEvent e) {
        e.clientIp = scrubber.clientIp(e.clientIp);
        e.pageUrl = scrubber.url(e.pageUrl);
        e.referrer = scrubber.url(e.referrer);
        e.fetchUrl = scrubber.url(e.fetchUrl);
        // Messages and stack frames quote URLs, tokens and user input ("invalid email a@b.c").
        // The fingerprint above was taken from the raw text, so grouping does not change.
        e.errorMessage = scrubber.text(e.errorMessage);
        e.errorStack = scrubber.text(e.errorStack);
        e.userId = scrubber.userId(e.userId);
    }
}
