package io.beaconflow.jobs.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code ingest:} section of the job config: decoding limits, event time, enrichment, PII. */
public class IngestConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 16;
    public static final int DEFAULT_MAX_BATCH_EVENTS = 500;
    public static final int DEFAULT_DEAD_LETTER_PAYLOAD_BYTES = 4096;
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLENESS = Duration.ofMinutes(1);
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DEDUP_TTL = Duration.ofMinutes(30);

    /** How to give the job a user-id salt (in every error about it). */
    public static final String SALT_FIX =
            "export BEACONFLOW_USER_ID_SALT=<a random secret, e.g. the output of openssl rand -hex"
                    + " 32> where the job's main runs (the flink run client), keep it stable (a new"
                    + " salt changes every hashed user id), and reference it as user-id-salt:"
                    + " ${BEACONFLOW_USER_ID_SALT:}. The local stack generates one: eval \"$(./beaconflow"
                    + " stack env)\"; ./beaconflow submit uses it by itself";

    public int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    public int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
    public int maxBatchEvents = DEFAULT_MAX_BATCH_EVENTS;
    public int deadLetterPayloadBytes = DEFAULT_DEAD_LETTER_PAYLOAD_BYTES;
    public Duration maxFuture = DEFAULT_MAX_FUTURE;
    public Duration maxAge = DEFAULT_MAX_AGE;
    public Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    public Duration idleness = DEFAULT_IDLENESS;
    public Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
    public Duration dedupTtl = DEFAULT_DEDUP_TTL;
    public LimitsConfig limits = new LimitsConfig();
    public RoutesConfig routes = new RoutesConfig();
    public CardinalityConfig cardinality = new CardinalityConfig();
    public PrivacyConfig privacy = new PrivacyConfig();

    /**
     * The {@code ingest.limits:} section: the largest (and smallest) value the decoder accepts for
     * every number of the contract. A value outside is {@code INVALID_VALUE} naming the field.
     * Finite is not enough: {@code 1.79e308} is finite, and it throws inside DDSketch and wrecks
     * sums; {@code sample_rate: 1e-300} turns one view into 10³⁰⁰. The defaults are far above
     * anything a browser measures and far below what the aggregates can absorb.
     */
    public static class LimitsConfig implements Serializable {
        private static final long serialVersionUID = 1L;

        public static final double DEFAULT_MAX_DURATION_MS = 3_600_000;
        public static final double DEFAULT_MAX_CLS = 100;
        public static final double DEFAULT_MIN_SAMPLE_RATE = 0.0001;
        public static final double DEFAULT_MAX_CUSTOM_VALUE = 1e15;
        public static final double DEFAULT_MAX_DOWNLINK_MBPS = 100_000;

        /**
         * Navigation timings, LCP / INP / FCP / TTFB, {@code fetch.duration_ms}, {@code
         * network.rtt_ms}: at most this many milliseconds.
         */
        public double maxDurationMs = DEFAULT_MAX_DURATION_MS;

        /** The CLS web vital (unitless; "poor" starts at 0.25). */
        public double maxCls = DEFAULT_MAX_CLS;

        /** Smallest {@code sample_rate}; events are weighted 1 / rate, so this bounds a weight. */
        public double minSampleRate = DEFAULT_MIN_SAMPLE_RATE;

        /** Largest absolute {@code custom.value}. */
        public double maxCustomValue = DEFAULT_MAX_CUSTOM_VALUE;

        /** Largest {@code network.downlink_mbps}. */
        public double maxDownlinkMbps = DEFAULT_MAX_DOWNLINK_MBPS;

        void validate(String source) {
            // The ceilings keep accepted values inside what a DDSketch tracks and far from
            // overflow in weighted sums: 1e9 ms is 11 days, 1e6 for CLS is absurd already.
            range(source, "ingest.limits.max-duration-ms", maxDurationMs, 1, 1e9, "3600000 (1 h)");
            range(source, "ingest.limits.max-cls", maxCls, 0.001, 1e6, "100");
            range(source, "ingest.limits.min-sample-rate", minSampleRate, 1e-9, 1, "0.0001");
            range(source, "ingest.limits.max-custom-value", maxCustomValue, 1, 1e300, "1.0e15");
            range(source, "ingest.limits.max-downlink-mbps", maxDownlinkMbps, 1, 1e9, "100000");
        }

        private static void range(
                String source, String key, double v, double min, double max, String example) {
            if (!(v >= min && v <= max)) {
                throw ConfigException.invalid(
                        source,
                        key,
                        "must be between " + min + " and " + max + " (got " + v + ")",
                        "set e.g. " + example);
            }
        }
    }

    /** The {@code ingest.routes:} section. */
    public static class RoutesConfig implements Serializable {
        private static final long serialVersionUID = 1L;
        public static final int DEFAULT_MAX_PER_APP = 500;
        public static final int DEFAULT_LEARN_AFTER = 50;
        public static final int DEFAULT_LEARN_MAX_PREFIXES = 200;

        public int maxPerApp = DEFAULT_MAX_PER_APP;
        public List<RouteRule> rules = new ArrayList<>();

        /**
         * A path position (app and route prefix) that has seen more than this many distinct segment
         * values becomes a {@code :slug} placeholder for good; 0 turns learning off.
         */
        public int learnAfter = DEFAULT_LEARN_AFTER;

        /** Route prefixes per app whose segment values are being counted for learning. */
        public int learnMaxPrefixes = DEFAULT_LEARN_MAX_PREFIXES;
    }

    /** One app-specific route rewrite, applied before the built-in placeholders. */
    public static class RouteRule implements Serializable {
        private static final long serialVersionUID = 1L;

        /** App name, or {@code *} for every app. */
        public String app = "*";

        /** Java regex matched against the whole path. */
        public String pattern;

        /** Replacement, may use {@code $1} groups. */
        public String replacement;
    }

    /** How the client IP leaves the job. */
    public enum ClientIpPolicy {
        /** IPv4 keeps /24, IPv6 keeps /48. */
        TRUNCATE,
        DROP,
        KEEP
    }

    /** The {@code ingest.privacy:} section. */
    public static class PrivacyConfig implements Serializable {
        private static final long serialVersionUID = 1L;

        public ClientIpPolicy clientIp = ClientIpPolicy.TRUNCATE;

        /** Query parameters whose values are kept; every other value is removed. */
        public List<String> queryAllowlist =
                new ArrayList<>(List.of("utm_source", "utm_medium", "utm_campaign", "lang"));

        /**
         * Salt for hashing user ids; supports {@code ${ENV_VAR}} and {@code ${ENV_VAR:default}}.
         */
        public String userIdSalt;
    }

    void validate(String source) {
        positive(source, "ingest.max-record-bytes", maxRecordBytes, "e.g. 262144 (256 KiB)");
        positive(source, "ingest.max-nesting-depth", maxNestingDepth, "e.g. 16");
        positive(source, "ingest.max-batch-events", maxBatchEvents, "e.g. 500");
        positive(source, "ingest.dead-letter-payload-bytes", deadLetterPayloadBytes, "e.g. 4096");
        notNegative(source, "ingest.max-future", maxFuture);
        positiveDuration(source, "ingest.max-age", maxAge);
        notNegative(source, "ingest.out-of-orderness", outOfOrderness);
        positiveDuration(source, "ingest.idleness", idleness);
        notNegative(source, "ingest.allowed-lateness", allowedLateness);
        positiveDuration(source, "ingest.dedup-ttl", dedupTtl);
        if (limits == null) {
            throw ConfigException.invalid(
                    source, "ingest.limits", "must be a section", "remove it or give its keys");
        }
        limits.validate(source);
        if (routes == null) {
            throw ConfigException.invalid(
                    source, "ingest.routes", "must be a section", "remove it or give max-per-app");
        }
        positive(source, "ingest.routes.max-per-app", routes.maxPerApp, "e.g. 500");
        if (routes.learnAfter < 0 || routes.learnAfter == 1) {
            throw ConfigException.invalid(
                    source,
                    "ingest.routes.learn-after",
                    "must be 0 (off) or at least 2 (got " + routes.learnAfter + ")",
                    "set e.g. 50");
        }
        positive(source, "ingest.routes.learn-max-prefixes", routes.learnMaxPrefixes, "e.g. 200");
        if (cardinality == null) {
            throw ConfigException.invalid(
                    source,
                    "ingest.cardinality",
                    "must be a section",
                    "remove it or give its limits");
        }
        cardinality.validate(source);
        for (int i = 0; i < routes.rules.size(); i++) {
            RouteRule r = routes.rules.get(i);
            String key = "ingest.routes.rules[" + i + "]";
            if (r.pattern == null || r.replacement == null) {
                throw ConfigException.invalid(
                        source,
                        key,
                        "needs both pattern and replacement",
                        "write e.g. {app: shop, pattern: '^/c/[^/]+$', replacement: '/c/:slug'}");
            }
            try {
                java.util.regex.Pattern.compile(r.pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw ConfigException.invalid(
                        source,
                        key + ".pattern",
                        "not a valid regex: " + e.getDescription(),
                        "escape special characters, e.g. \\\\. for a dot");
            }
        }
        if (privacy == null || privacy.clientIp == null) {
            throw ConfigException.invalid(
                    source,
                    "ingest.privacy.client-ip",
                    "missing",
                    "set one of truncate, drop, keep");
        }
        if (privacy.userIdSalt == null || privacy.userIdSalt.isBlank()) {
            throw ConfigException.invalid(
                    source,
                    "ingest.privacy.user-id-salt",
                    "missing or empty: user ids cannot be hashed without a secret salt",
                    SALT_FIX);
        }
    }

    private static void positive(String source, String key, long v, String example) {
        if (v <= 0) {
            throw ConfigException.invalid(
                    source, key, "must be greater than 0 (got " + v + ")", "set " + example);
        }
    }

    private static void notNegative(String source, String key, Duration d) {
        if (d == null || d.isNegative()) {
            throw ConfigException.invalid(
                    source, key, "must be a duration ≥ 0 (got " + d + ")", "set e.g. 30s or 5m");
        }
    }

    private static void positiveDuration(String source, String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw ConfigException.invalid(
                    source, key, "must be a duration > 0 (got " + d + ")", "set e.g. 1m or 30m");
        }
    }
}
