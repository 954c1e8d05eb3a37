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
 * template (explicit rules, built-in placeholders, learned templates), user agent → browser / OS /
 * device / bot, error fingerprint, every dimension bounded by the {@link CardinalityGuard}, then
 * client IP, query strings, fragments, secrets in URLs and error texts, and user id scrubbed. The
 * Flink shell is {@code ingest.Enricher}; benchmarks call this directly. Not thread-safe: one per
 * operator instance.
 */
public final class EventEnrichment {
    private static final int UA_CACHE = 4096;

    private final RouteNormalizer normalizer;
    private final RouteTemplateLearner learner;
    private final CardinalityGuard guard;
    private final UserAgentClassifier userAgents;
    private final PiiScrubber scrubber;
    private final int maxValue;
    private final int maxText;
    private final int maxExperiments;
    private long truncated;
    private long experimentsDropped;

    public EventEnrichment(
            IngestConfig config, CardinalityGuard guard, RouteTemplateLearner learner) {
        this.normalizer = new RouteNormalizer(config.routes.rules);
        this.learner = learner;
        this.guard = guard;
        this.userAgents = new UserAgentClassifier(UA_CACHE);
        this.scrubber = new PiiScrubber(config.privacy);
        CardinalityConfig c = config.cardinality;
        this.maxValue = c.maxValueLength;
        this.maxText = c.maxTextLength;
        this.maxExperiments = c.maxExperimentsPerEvent;
    }

    public EventEnrichment(IngestConfig config) {
        this(config, newGuard(config), newLearner(config));
    }

    public static CardinalityGuard newGuard(IngestConfig config) {
        return new CardinalityGuard(config.routes.maxPerApp, config.cardinality);
    }

    public static RouteTemplateLearner newLearner(IngestConfig config) {
        long epochMs = config.routes.learnEpoch.toMillis();
        long latenessMs = config.allowedLateness.toMillis();
        return new RouteTemplateLearner(
                config.routes.learnAfter,
                config.routes.learnMaxPrefixes,
                epochMs,
                RouteTemplateLearner.delayFor(
                        epochMs, latenessMs, config.outOfOrderness.toMillis()),
                latenessMs,
                config.routes.learnPathsPerEpoch);
    }

    public CardinalityGuard guard() {
        return guard;
    }

    public RouteTemplateLearner learner() {
        return learner;
    }

    /** Strings cut to their bounded length since this instance was created. */
    public long truncated() {
        return truncated;
    }

    /** Experiments beyond {@code max-experiments-per-event} dropped since creation. */
    public long experimentsDropped() {
        return experimentsDropped;
    }

    /**
     * Decides the learning epochs the watermark has closed (see {@link RouteTemplateLearner}) and
     * returns the templates learned (usually none). Routes and endpoints a new template covers give
     * their budget back: they can only come again from late events of earlier epochs.
     */
    public List<RouteTemplateLearner.Learned> advance(long watermark) {
        learner.advance(watermark);
        List<RouteTemplateLearner.Learned> learned = learner.drainLearned();
        for (RouteTemplateLearner.Learned l : learned) {
            if (l.app.endsWith(API_NAMESPACE)) {
                String app = l.app.substring(0, l.app.length() - API_NAMESPACE.length());
                guard.forget(
                        Kind.ENDPOINT,
                        app,
                        v -> {
                            int sp = v.indexOf(' ');
                            return sp > 0
                                    && RouteTemplateLearner.coveredBy(
                                            v.substring(sp + 1), l.prefix);
                        });
            } else {
                guard.forget(Kind.ROUTE, l.app, r -> RouteTemplateLearner.coveredBy(r, l.prefix));
            }
        }
        return learned;
    }

    /** True when the learned templates {@code e} needs are decided ({@link #template} may run). */
    public boolean templatesFinal(RumEvent e) {
        return learner.isFinal(e.eventTime);
    }

    /**
     * Enriches, bounds and scrubs {@code e} in place, and templates it with what the learner has
     * decided so far: {@link #prepare} then {@link #template}. The Flink shell calls the two apart,
     * holding an event back in between when its templates are not final yet.
     */
    public void enrich(RumEvent e) {
        prepare(e);
        template(e);
    }

    /**
     * Rewrites the route and the endpoint path of a prepared event with the templates learned for
     * its event time, then bounds both by the {@link CardinalityGuard}.
     */
    public void template(RumEvent e) {
        String route = learner.apply(e.app, e.route, e.eventTime);
        e.route = guard.admit(Kind.ROUTE, e.app, cut(route, maxValue));
        int sp = e.endpoint == null ? -1 : e.endpoint.indexOf(' ');
        if (e.type == EventType.FETCH && sp > 0) {
            String path =
                    learner.apply(e.app + API_NAMESPACE, e.endpoint.substring(sp + 1), e.eventTime);
            e.endpoint =
                    guard.admit(
                            Kind.ENDPOINT,
                            e.app,
                            cut(e.endpoint.substring(0, sp + 1) + path, maxValue));
        }
    }

    /**
     * Everything but the learned templates: bounds, route and endpoint through the rules and the
     * built-in placeholders (observed by the learner under the event's epoch), user agent, the
     * other dimensions' budgets, fingerprint, PII scrubbing.
     */
    public void prepare(RumEvent e) {
        bound(e);
        e.app = guard.admitApp(e.app);
        String route = normalizer.normalize(e.app, e.pageUrl);
        learner.observe(e.app, route, e.eventTime);
        e.route = route;
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
            e.endpoint = endpoint(e);
        }
        e.experiments = experiments(e.app, e.experiments);
        if (e.type == EventType.ERROR && e.errorFingerprint == null) {
            e.errorFingerprint = ErrorFingerprint.of(e.errorType, e.errorMessage, e.errorStack);
        }
        scrub(scrubber, e);
    }

    /**
     * The endpoint of a fetch: method and URL path templated as routes are (built-in placeholders,
     * then the learner, in a namespace of its own per app so API paths and page paths neither share
     * a prefix budget nor teach each other). The host is left out: one app's calls mostly go to its
     * own API, and a host per endpoint would multiply series; two hosts serving the same path share
     * an endpoint (docs/rum-events.md). Explicit route rules are for page paths and do not apply.
     */
    private String endpoint(RumEvent e) {
        String path = RouteNormalizer.placeholders(RouteNormalizer.pathOf(e.fetchUrl));
        learner.observe(e.app + API_NAMESPACE, path, e.eventTime);
        return method(e.fetchMethod) + ' ' + path;
    }

    /** The learner's key suffix for an app's API paths (NUL never occurs in an app id). */
    public static final String API_NAMESPACE = "\u0000api";

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
