package io.beaconflow.jobs.traces;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.time.Duration;

/**
 * The {@code traces:} section: front-end ↔ back-end correlation. When enabled the job also reads
 * the server-spans topic ({@code kafka.server-spans-topic}), joins every browser fetch with the
 * SERVER span whose parent is the fetch's span, and writes per-fetch and per-endpoint server vs
 * client time.
 */
public class TracesConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_SERVER_BEFORE_FETCH = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SERVER_AFTER_FETCH = Duration.ofMinutes(2);
    public static final int DEFAULT_MAX_PENDING_PER_TRACE = 64;

    /** Off by default: a deployment without instrumented backends has no server spans. */
    public boolean enabled = false;

    public Join join = new Join();
    public Attribution attribution = new Attribution();

    /** {@code traces.join}: the event-time interval join's bounds and state limit. */
    public static class Join implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * How much earlier than the fetch's (skew-corrected) event time the server span may start:
         * the residual clock difference between browser and backend.
         */
        public Duration serverBeforeFetch = DEFAULT_SERVER_BEFORE_FETCH;

        /**
         * How much later: network and queueing before the server started, plus clock difference. A
         * fetch waits this long (event time) for its span, then counts as unmatched.
         */
        public Duration serverAfterFetch = DEFAULT_SERVER_AFTER_FETCH;

        /** Fetches plus spans waiting per trace id; beyond it new ones are dropped and counted. */
        public int maxPendingPerTrace = DEFAULT_MAX_PENDING_PER_TRACE;
    }

    /** {@code traces.attribution}: the slow-API alert's "server or network" verdict. */
    public static class Attribution implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Endpoint windows before the alert that form the baseline (median of their p50s). */
        public int baselineWindows = 10;

        /** Windows (baseline or current) with fewer joined fetches than this are not used. */
        public int minJoined = 3;
    }

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code traces:} section. */
    public void check(ConfigProblems p) {
        if (p.section("traces.join", join, "remove it for the defaults")) {
            bound(p, "traces.join.server-before-fetch", join.serverBeforeFetch, "30s");
            bound(p, "traces.join.server-after-fetch", join.serverAfterFetch, "2m");
            p.require(
                    join.maxPendingPerTrace >= 2 && join.maxPendingPerTrace <= 10_000,
                    "traces.join.max-pending-per-trace",
                    "must be an integer in [2, 10000] (got " + join.maxPendingPerTrace + ")",
                    "set e.g. 64: a page rarely makes more calls in one trace");
        }
        if (p.section("traces.attribution", attribution, "remove it for the defaults")) {
            p.require(
                    attribution.baselineWindows >= 1 && attribution.baselineWindows <= 1440,
                    "traces.attribution.baseline-windows",
                    "must be an integer in [1, 1440] (got " + attribution.baselineWindows + ")",
                    "set e.g. 10");
            p.require(
                    attribution.minJoined >= 1,
                    "traces.attribution.min-joined",
                    "must be an integer >= 1 (got " + attribution.minJoined + ")",
                    "set e.g. 3");
        }
    }

    /** A join bound: >= 0 and at most 1h, since every fetch is held in state that long. */
    private static void bound(ConfigProblems p, String key, Duration d, String example) {
        p.require(
                d != null && !d.isNegative() && d.compareTo(Duration.ofHours(1)) <= 0,
                key,
                "must be a duration in [0, 1h] (got " + d + ")",
                "set e.g. "
                        + example
                        + "; state holds every fetch this long, so keep it near the real"
                        + " clock difference and network time");
    }
}
