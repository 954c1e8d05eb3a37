package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.CardinalityConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.CardinalityGuard.Kind;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Enrichment and PII scrubbing of one event, without Flink: strings cut to bounded lengths, route
 * template (explicit rules, built-in placeholders, templates learned in event time by a {@link
 * PathTemplateLearner}), user agent → browser / OS / device / bot, error fingerprint, every
 * dimension bounded by the {@link CardinalityGuard}, then client IP, query strings, fragments,
 * secrets in URLs and error texts, and user id scrubbed. The Flink shell is {@code
 * ingest.Enricher}; benchmarks call this directly. Not thread-safe: one per operator instance.
 */
public final class EventEnrichment {
    private static final int UA_CACHE = 4096;

    private final RouteNormalizer normalizer;
    private final PathTemplateLearner routeLearner;
    private final PathTemplateLearner endpointLearner;
    private final CardinalityGuard guard;
    private final UserAgentClassifier userAgents;
    private final PiiScrubber scrubber;
    private final int maxValue;
    private final int maxText;
    private final int maxExperiments;
    private long truncated;
    private long experimentsDropped;

    public EventEnrichment(
            IngestConfig config,
            CardinalityGuard guard,
            PathTemplateLearner routeLearner,
            PathTemplateLearner endpointLearner) {
        this.normalizer = new RouteNormalizer(config.routes.rules);
        this.routeLearner = routeLearner;
        this.endpointLearner = endpointLearner;
        this.guard = guard;
        this.userAgents = new UserAgentClassifier(UA_CACHE);
        this.scrubber = new PiiScrubber(config.privacy);
        CardinalityConfig c = config.cardinality;
        this.maxValue = c.maxValueLength;
        this.maxText = c.maxTextLength;
        this.maxExperiments = c.maxExperimentsPerEvent;
    }

    public EventEnrichment(IngestConfig config) {
        this(config, newGuard(config), newLearner(config), newLearner(config));
    }

    public static CardinalityGuard newGuard(IngestConfig config) {
        return new CardinalityGuard(config.routes.maxPerApp, config.cardinality);
    }

    /**
     * A learner of route or endpoint templates (one of each per operator instance, same learn-after
     * and prefix budget), deciding in event time ({@link PathTemplateLearner}): allowed lateness
     * bounds how late evidence can come, out-of-orderness is how far ahead of the watermark an
     * event is still decided at once.
     */
    public static PathTemplateLearner newLearner(IngestConfig config) {
        return new PathTemplateLearner(
                config.routes.learnAfter,
                config.routes.learnMaxPrefixes,
                config.allowedLateness.toMillis(),
                config.outOfOrderness.toMillis());
    }

    public CardinalityGuard guard() {
        return guard;
    }

    public PathTemplateLearner routeLearner() {
        return routeLearner;
    }

    public PathTemplateLearner endpointLearner() {
        return endpointLearner;
    }

    /** Strings cut to their bounded length since this instance was created. */
    public long truncated() {
        return truncated;
    }

    /** Experiments beyond {@code max-experiments-per-event} dropped since creation. */
    public long experimentsDropped() {
        return experimentsDropped;
    }

    /** What of an event still waits for a watermark after {@link #enrich(RumEvent, long)}. */
    public enum Waiting {
        /** Nothing: the event is complete. */
        NONE,
        /**
         * Its route template ({@code e.route} holds the route before learned templates) and, for a
         * fetch, its endpoint after it: finish with {@link #resolve(RumEvent, boolean, long)},
         * {@code routeOpen} true.
         */
        ROUTE,
        /**
         * Its endpoint template only ({@code e.endpoint} holds the endpoint before learned
         * templates): finish with {@link #resolve(RumEvent, boolean, long)}, {@code routeOpen}
         * false.
         */
        ENDPOINT
    }

    /**
     * Enriches, bounds and scrubs {@code e} in place, taking the input so far as all there is
     * (sequential use: benchmarks, tests); route and endpoint are always decided.
     */
    public void enrich(RumEvent e) {
        enrich(e, Long.MAX_VALUE);
    }

    /**
     * Enriches, bounds and scrubs {@code e} in place. Route and endpoint templates learned from
     * traffic are decided in event time ({@link PathTemplateLearner}): when the watermark does not
     * settle one yet, everything else is done and the answer says what waits.
     */
    public Waiting enrich(RumEvent e, long watermark) {
        bound(e);
        e.app = guard.admitApp(e.app);
        // Before learned templates; resolve() adds them and admits the route to the budget.
        e.route = normalizer.normalize(e.app, e.pageUrl);
        e.release = guard.admit(Kind.RELEASE, e.app, e.release);
        e.country = guard.admit(Kind.COUNTRY, e.app, e.country);
        UserAgentClassifier.Info ua = userAgents.classify(e.userAgent);
        e.browser = guard.admit(Kind.BROWSER, e.app, cut(ua.browser, maxValue));
        e.browserVersion = cut(ua.browserVersion, maxValue);
        e.os = guard.admit(Kind.OS, e.app, cut(ua.os, maxValue));
        e.deviceType = guard.admit(Kind.DEVICE, e.app, cut(ua.deviceType, maxValue));
        e.browserMajor =
                guard.admit(
                        Kind.BROWSER_VERSION,
                        e.app,
                        cut(browserMajor(ua.browser, ua.browserVersion), maxValue));
        e.bot = ua.bot;
        if (e.type == EventType.FETCH) {
            // Before scrubbing: the endpoint is taken from the URL's path, which scrubbing keeps.
            e.endpoint = untemplatedEndpoint(e);
        }
        e.experiments = experiments(e.app, e.experiments);
        if (e.type == EventType.ERROR && e.errorFingerprint == null) {
            e.errorFingerprint = ErrorFingerprint.of(e.errorType, e.errorMessage, e.errorStack);
        }
        scrub(scrubber, e);
        return resolve(e, true, watermark);
    }

    /**
     * Adds the learned templates to what {@link #enrich(RumEvent, long)} left waiting: the route
     * (when {@code routeOpen}), then a fetch's endpoint. Answers what still waits.
     */
    public Waiting resolve(RumEvent e, boolean routeOpen, long watermark) {
        if (routeOpen) {
            String route = routeLearner.apply(e.app, e.route, e.eventTime, watermark);
            if (route == null) {
                return Waiting.ROUTE;
            }
            e.route = guard.admit(Kind.ROUTE, e.app, cut(route, maxValue));
        }
        if (e.type == EventType.FETCH && !resolveEndpoint(e, watermark)) {
            return Waiting.ENDPOINT;
        }
        return Waiting.NONE;
    }

    /** Templates the endpoint of a fetch; false when it still waits. */
    private boolean resolveEndpoint(RumEvent e, long watermark) {
        String raw = e.endpoint;
        int sp = raw.indexOf(' ');
        String path = endpointLearner.apply(e.app, raw.substring(sp + 1), e.eventTime, watermark);
        if (path == null) {
            return false;
        }
        e.endpoint =
                guard.admit(Kind.ENDPOINT, e.app, cut(raw.substring(0, sp + 1) + path, maxValue));
        return true;
    }

    /**
     * Lets both learners settle what the watermark decides; routes and endpoints of templates whose
     * raw paths can no longer come give their place in the budget back.
     */
    public void advance(long watermark) {
        routeLearner.advance(watermark);
        for (String[] p : routeLearner.drainPruned()) {
            guard.forget(Kind.ROUTE, p[0], r -> PathTemplateLearner.coveredBy(r, p[1]));
        }
        endpointLearner.advance(watermark);
        for (String[] p : endpointLearner.drainPruned()) {
            guard.forget(
                    Kind.ENDPOINT,
                    p[0],
                    v -> {
                        int sp = v.indexOf(' ');
                        return sp > 0 && PathTemplateLearner.coveredBy(v.substring(sp + 1), p[1]);
                    });
        }
    }

    /**
     * The endpoint of a fetch before learned templates: method and URL path with the built-in
     * placeholders; {@link #resolveEndpoint} adds the learned ones (a {@link PathTemplateLearner}
     * of its own, so API paths and page paths neither share a prefix budget nor teach each other).
     * The host is left out: one app's calls mostly go to its own API, and a host per endpoint would
     * multiply series; two hosts serving the same path share an endpoint (docs/rum-events.md).
     * Explicit route rules are for page paths and do not apply.
     */
    private static String untemplatedEndpoint(RumEvent e) {
        return method(e.fetchMethod)
                + ' '
                + RouteNormalizer.placeholders(RouteNormalizer.pathOf(e.fetchUrl));
    }

    /**
     * The route learner's app suffix for an app's API paths in state written before endpoints had
     * their own learner (NUL never occurs in an app id): such entries move to the endpoint learner
     * on restore.
     */
    static final String API_NAMESPACE = "\u0000api";

    private static final List<String> METHODS =
            List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    /**
     * The HTTP method upper-cased; a missing one is {@code GET} (what {@code fetch()} sends by
     * default) and anything outside the standard methods is {@code OTHER}, so a client cannot make
     * up series with invented verbs.
     */
    static String method(String m) {
        if (m == null || m.isEmpty()) {
            return "GET";
        }
        String u = m.toUpperCase(java.util.Locale.ROOT);
        return METHODS.contains(u) ? u : "OTHER";
    }

    /** {@code Chrome 131} from browser {@code Chrome} and version {@code 131.0.6778.85}. */
    static String browserMajor(String browser, String version) {
        if (browser == null || version == null || version.isEmpty()) {
            return null;
        }
        int dot = version.indexOf('.');
        String major = dot < 0 ? version : version.substring(0, dot);
        // "unknown" (no version in the user agent) is no version.
        return major.isEmpty() || !Character.isDigit(major.charAt(0))
                ? null
                : browser + ' ' + major;
    }

    /**
     * Cuts every browser-sent string that can reach state, a series key or an index: dimension
     * values to {@code max-value-length}, free text to {@code max-text-length}. Before the user
     * agent parser too: a 100 KB user agent is slow to parse as well as big to keep.
     */
    private void bound(RumEvent e) {
        e.app = cut(e.app, maxValue);
        e.release = cut(e.release, maxValue);
        e.environment = cut(e.environment, maxValue);
        e.country = cut(e.country, maxValue);
        e.networkType = cut(e.networkType, maxValue);
        e.vitalName = cut(e.vitalName, maxValue);
        e.vitalRating = cut(e.vitalRating, maxValue);
        e.fetchMethod = cut(e.fetchMethod, maxValue);
        e.errorType = cut(e.errorType, maxValue);
        e.errorFingerprint = cut(e.errorFingerprint, maxValue);
        e.actionType = cut(e.actionType, maxValue);
        e.customName = cut(e.customName, maxValue);
        e.pageUrl = cut(e.pageUrl, maxText);
        e.referrer = cut(e.referrer, maxText);
        e.fetchUrl = cut(e.fetchUrl, maxText);
        e.userAgent = cut(e.userAgent, maxText);
        e.errorMessage = cut(e.errorMessage, maxText);
        e.errorStack = cut(e.errorStack, maxText);
        e.actionTarget = cut(e.actionTarget, maxText);
        e.actionName = cut(e.actionName, maxText);
    }

    /**
     * At most {@code max-experiments-per-event} experiments (the first by name, so the choice does
     * not depend on JSON order), names and variants cut, each {@code experiment=variant} pair
     * bounded per app; pairs beyond the budget become one {@code other=other} entry.
     */
    private Map<String, String> experiments(String app, Map<String, String> in) {
        if (in == null || in.isEmpty()) {
            return in;
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> x : in.entrySet()) {
            if (x.getKey() != null && x.getValue() != null) {
                sorted.put(cut(x.getKey(), maxValue), cut(x.getValue(), maxValue));
            }
        }
        TreeMap<String, String> out = new TreeMap<>();
        int kept = 0;
        for (Map.Entry<String, String> x : sorted.entrySet()) {
            if (kept == maxExperiments) {
                experimentsDropped += sorted.size() - kept;
                break;
            }
            kept++;
            String pair = x.getKey() + '=' + x.getValue();
            if (CardinalityGuard.OTHER.equals(guard.admit(Kind.VARIANT, app, pair))) {
                out.put(CardinalityGuard.OTHER, CardinalityGuard.OTHER);
            } else {
                out.put(x.getKey(), x.getValue());
            }
        }
        return out;
    }

    /** {@code s} cut to {@code max} chars, never between the two halves of a surrogate pair. */
    private String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        truncated++;
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    /** The PII part alone, also used for late events. */
    public static void scrub(PiiScrubber scrubber, RumEvent e) {
        e.clientIp = scrubber.clientIp(e.clientIp);
        e.pageUrl = scrubber.pageUrl(e.pageUrl);
        e.referrer = scrubber.referrer(e.referrer);
        e.fetchUrl = scrubber.fetchUrl(e.fetchUrl);
        // Messages and stack frames quote URLs, tokens and user input ("invalid email a@b.c").
        // The fingerprint above was taken from the raw text, so grouping does not change.
        e.errorMessage = scrubber.text(e.errorMessage);
        e.errorStack = scrubber.text(e.errorStack);
        e.userId = scrubber.userId(e.userId);
    }
}
