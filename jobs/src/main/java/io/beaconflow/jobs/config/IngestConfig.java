package io.beaconflow.jobs.config;

import io.beaconflow.config.ConfigProblems;
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
    public static final int DEFAULT_DEDUP_CACHE = 10_000;
    public static final int MAX_DEDUP_CACHE = 1_000_000;

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

    /**
     * Sessions whose seen ids stay on the heap per subtask in front of the dedup state ({@code
     * ingest.SeenIdsCache}), written to it before a snapshot or when evicted; {@code 0} turns the
     * cache off. Results and snapshots do not depend on it; on RocksDB it saves three state
     * operations per event.
     */
    public int dedupCache = DEFAULT_DEDUP_CACHE;

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

        void check(ConfigProblems p) {
            // The ceilings keep accepted values inside what a DDSketch tracks and far from
            // overflow in weighted sums: 1e9 ms is 11 days, 1e6 for CLS is absurd already.
            p.between("ingest.limits.max-duration-ms", maxDurationMs, 1, 1e9, "e.g. 3600000 (1 h)");
            p.between("ingest.limits.max-cls", maxCls, 0.001, 1e6, "e.g. 100");
            p.between("ingest.limits.min-sample-rate", minSampleRate, 1e-9, 1, "e.g. 0.0001");
            p.between("ingest.limits.max-custom-value", maxCustomValue, 1, 1e300, "e.g. 1.0e15");
            p.between("ingest.limits.max-downlink-mbps", maxDownlinkMbps, 1, 1e9, "e.g. 100000");
        }
    }

    /** The {@code ingest.routes:} section. */
    public static class RoutesConfig implements Serializable {
        private static final long serialVersionUID = 1L;
        public static final int DEFAULT_MAX_PER_APP = 500;
        public static final int DEFAULT_LEARN_AFTER = 50;
        public static final int DEFAULT_LEARN_MAX_PREFIXES = 200;
        public static final int DEFAULT_MAX_HELD_EVENTS = 20_000;

        public int maxPerApp = DEFAULT_MAX_PER_APP;
        public List<RouteRule> rules = new ArrayList<>();

        /**
         * A path position (app and route prefix) that has seen more than this many distinct segment
         * values becomes a {@code :slug} placeholder for good; 0 turns learning off.
         */
        public int learnAfter = DEFAULT_LEARN_AFTER;

        /** Route prefixes per app whose segment values are being counted for learning. */
        public int learnMaxPrefixes = DEFAULT_LEARN_MAX_PREFIXES;

        /**
         * Events per enricher instance that may wait for a watermark to settle their learned route
         * or endpoint; beyond it the oldest are decided at once on the evidence so far.
         */
        public int maxHeldEvents = DEFAULT_MAX_HELD_EVENTS;
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

    /** Adds every problem of the {@code ingest:} section (keys as written in the file). */
    void check(ConfigProblems p) {
        p.greaterThanZero("ingest.max-record-bytes", maxRecordBytes, "e.g. 262144 (256 KiB)");
        p.greaterThanZero("ingest.max-nesting-depth", maxNestingDepth, "e.g. 16");
        p.greaterThanZero("ingest.max-batch-events", maxBatchEvents, "e.g. 500");
        p.greaterThanZero("ingest.dead-letter-payload-bytes", deadLetterPayloadBytes, "e.g. 4096");
        p.durationNotNegative("ingest.max-future", maxFuture, "e.g. 30s or 5m");
        p.durationAboveZero("ingest.max-age", maxAge, "e.g. 1m or 30m");
        p.durationNotNegative("ingest.out-of-orderness", outOfOrderness, "e.g. 30s or 5m");
        p.durationAboveZero("ingest.idleness", idleness, "e.g. 1m or 30m");
        p.durationNotNegative("ingest.allowed-lateness", allowedLateness, "e.g. 30s or 5m");
        p.durationAboveZero("ingest.dedup-ttl", dedupTtl, "e.g. 1m or 30m");
        p.between("ingest.dedup-cache", dedupCache, 0, MAX_DEDUP_CACHE, "e.g. 10000");
        if (p.section("ingest.limits", limits, "remove it or give its keys")) {
            limits.check(p);
        }
        if (p.section("ingest.routes", routes, "remove it or give max-per-app")) {
            checkRoutes(p);
        }
        if (p.section("ingest.cardinality", cardinality, "remove it or give its limits")) {
            cardinality.check(p);
        }
        p.require(
                privacy != null && privacy.clientIp != null,
                "ingest.privacy.client-ip",
                "missing",
                "set one of truncate, drop, keep");
        p.notBlank(
                "ingest.privacy.user-id-salt",
                privacy == null ? null : privacy.userIdSalt,
                "missing or empty: user ids cannot be hashed without a secret salt",
                SALT_FIX);
    }

    private void checkRoutes(ConfigProblems p) {
        p.greaterThanZero("ingest.routes.max-per-app", routes.maxPerApp, "e.g. 500");
        p.require(
                routes.learnAfter == 0 || routes.learnAfter >= 2,
                "ingest.routes.learn-after",
                "must be 0 (off) or at least 2 (got " + routes.learnAfter + ")",
                "set e.g. 50");
        p.greaterThanZero("ingest.routes.learn-max-prefixes", routes.learnMaxPrefixes, "e.g. 200");
        p.greaterThanZero("ingest.routes.max-held-events", routes.maxHeldEvents, "e.g. 20000");
        if (routes.rules == null) {
            p.add("ingest.routes.rules", "must be a list", "write [] for no rules");
            return;
        }
        for (int i = 0; i < routes.rules.size(); i++) {
            RouteRule r = routes.rules.get(i);
            String key = "ingest.routes.rules[" + i + "]";
            if (r == null || r.pattern == null || r.replacement == null) {
                p.add(
                        key,
                        "needs both pattern and replacement",
                        "write e.g. {app: shop, pattern: '^/c/[^/]+$', replacement: '/c/:slug'}");
                continue;
            }
            try {
                java.util.regex.Pattern.compile(r.pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                p.add(
                        key + ".pattern",
                        "not a valid regex: " + e.getDescription(),
                        "escape special characters, e.g. \\\\. for a dot");
            }
        }
    }
}
