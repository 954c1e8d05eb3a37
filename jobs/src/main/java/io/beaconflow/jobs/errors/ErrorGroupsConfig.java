package io.beaconflow.jobs.errors;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.time.Duration;

/**
 * The {@code errors:} section of the job config: error groups (one document per app and error
 * fingerprint) and the "new error after a release" alert.
 */
public class ErrorGroupsConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(7);
    public static final int DEFAULT_MAX_TRACKED_IDS = 1000;
    public static final int DEFAULT_MAX_LISTED_VALUES = 20;

    /** A group without an occurrence for this long (event time) is forgotten (state and timers). */
    public Duration idleTtl = DEFAULT_IDLE_TTL;

    /**
     * Distinct sessions and users are counted exactly up to this many per group; beyond it the
     * counts stop growing and the document says {@code counts_capped: true} (a lower bound).
     */
    public int maxTrackedIds = DEFAULT_MAX_TRACKED_IDS;

    /** Releases, browsers and routes listed per group (the first ones seen). */
    public int maxListedValues = DEFAULT_MAX_LISTED_VALUES;

    public NewError newError = new NewError();

    /**
     * {@code errors.new-error}: a fingerprint first seen after a rollout, hitting many sessions.
     */
    public static class NewError implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Alert when the new fingerprint hit at least this many distinct sessions... */
        public int minSessions = 10;

        /** ...within this span from its first occurrence. */
        public Duration within = Duration.ofMinutes(30);

        /**
         * A fingerprint first seen up to this long after a release first appeared is "new in it".
         */
        public Duration afterRelease = Duration.ofMinutes(60);

        /** The alert resolves when the fingerprint had no occurrence for this long. */
        public Duration quiet = Duration.ofMinutes(30);
    }

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code errors:} section. */
    public void check(ConfigProblems p) {
        boolean ttlOk = p.durationAboveZero("errors.idle-ttl", idleTtl, "e.g. 7d");
        p.require(
                maxTrackedIds >= 1,
                "errors.max-tracked-ids",
                "must be an integer >= 1 (got " + maxTrackedIds + ")",
                "set e.g. 1000 (state grows by about 60 bytes per id and group)");
        p.require(
                maxListedValues >= 1,
                "errors.max-listed-values",
                "must be an integer >= 1 (got " + maxListedValues + ")",
                "set e.g. 20");
        if (!p.section("errors.new-error", newError, "remove it for the defaults")) {
            return;
        }
        p.require(
                newError.minSessions >= 1 && newError.minSessions <= maxTrackedIds,
                "errors.new-error.min-sessions",
                "must be an integer in [1, errors.max-tracked-ids = "
                        + maxTrackedIds
                        + "] (got "
                        + newError.minSessions
                        + ")",
                "set e.g. 10");
        boolean withinOk =
                p.durationAboveZero("errors.new-error.within", newError.within, "e.g. 30m");
        p.durationAboveZero("errors.new-error.after-release", newError.afterRelease, "e.g. 60m");
        boolean quietOk = p.durationAboveZero("errors.new-error.quiet", newError.quiet, "e.g. 30m");
        if (ttlOk && withinOk && quietOk) {
            p.require(
                    newError.quiet.compareTo(idleTtl) < 0 && newError.within.compareTo(idleTtl) < 0,
                    "errors.new-error.quiet",
                    "errors.new-error.quiet and .within must be shorter than errors.idle-ttl ("
                            + idleTtl
                            + "): the group's state must outlive its alert",
                    "shorten them or raise errors.idle-ttl");
        }
    }
}
