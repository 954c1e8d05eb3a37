package io.beaconflow.jobs.errors;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One error group: every JS error of one app with one fingerprint. The keyed state of {@link
 * ErrorGroupTracker} and the document of the {@code rum-error-groups} index (snake_case JSON),
 * under {@link #id}, so each new version overwrites the previous one (idempotent upsert of the
 * latest state). A Flink POJO.
 *
 * <p>Message and stack are a sample: those of the earliest occurrence (ties: the lowest event id),
 * already scrubbed by enrichment ({@code ingest.privacy}), so a replay picks the same sample.
 */
public class ErrorGroup {
    /** Deterministic: {@code eg-} and a hash of app and fingerprint. */
    public String id;

    public String app;
    public String fingerprint;
    public String errorType;
    public String message;
    public String stack;

    /** Event id of the sampled occurrence (the tie-break that keeps the sample stable). */
    public String sampleEventId;

    /** Event time of the first and the latest occurrence. */
    public long firstSeen;

    public long lastSeen;

    /** Release and route of the first occurrence. */
    public String firstRelease;

    public String firstRoute;

    /** Occurrences received, and weighted by 1 / sample rate (the estimate of the true number). */
    public long count;

    public double weightedCount;

    /** Distinct sessions and (hashed) users hit; exact up to {@code errors.max-tracked-ids}. */
    public long sessions;

    public long users;

    /** True when {@link #sessions} or {@link #users} reached the cap: they are lower bounds. */
    public boolean countsCapped;

    /**
     * Releases, browsers and routes it occurred on (the first {@code max-listed-values}, sorted).
     */
    public List<String> releases = new ArrayList<>();

    public List<String> browsers = new ArrayList<>();
    public List<String> routes = new ArrayList<>();

    /** Event time of this version (the end of the window that triggered it, minus 1 ms). */
    public long updatedAt;

    /** 0 for the first version, +1 per later one. */
    public int updateSeq;

    /**
     * When the group reached {@code errors.new-error.min-sessions} sessions within {@code
     * errors.new-error.within} of its first occurrence (event time); null if it has not.
     */
    public Long spreadAt;

    /** Longest {@link #title()}, in code points: a table cell, not the whole message. */
    public static final int TITLE_MAX = 160;

    public ErrorGroup() {}

    /**
     * The group in words for dashboard tables: {@code "TypeError: Cannot read properties of
     * undefined (reading 'price')"}, the type and the sample message, cut at {@link #TITLE_MAX}
     * code points. Written to the document as {@code title} (a keyword): {@code message} is text,
     * which a table cannot show next to a group's counts, and a fingerprint alone says nothing to a
     * reader. A method, not a field, so the state (this POJO in {@link ErrorGroupTracker}) keeps
     * its format.
     */
    @JsonProperty("title")
    public String title() {
        String t =
                errorType == null
                        ? message
                        : message == null || message.isEmpty()
                                ? errorType
                                : errorType + ": " + message;
        if (t == null) return null;
        t = t.strip().replaceAll("\\s+", " ");
        if (t.codePointCount(0, t.length()) <= TITLE_MAX) return t;
        return t.substring(0, t.offsetByCodePoints(0, TITLE_MAX - 1)) + "\u2026";
    }

    public static String idOf(String app, String fingerprint) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    (app + '\u0000' + fingerprint)
                                            .getBytes(StandardCharsets.UTF_8));
            return "eg-" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    public ErrorGroup copy() {
        ErrorGroup g = new ErrorGroup();
        g.id = id;
        g.app = app;
        g.fingerprint = fingerprint;
        g.errorType = errorType;
        g.message = message;
        g.stack = stack;
        g.sampleEventId = sampleEventId;
        g.firstSeen = firstSeen;
        g.lastSeen = lastSeen;
        g.firstRelease = firstRelease;
        g.firstRoute = firstRoute;
        g.count = count;
        g.weightedCount = weightedCount;
        g.sessions = sessions;
        g.users = users;
        g.countsCapped = countsCapped;
        g.releases = new ArrayList<>(releases);
        g.browsers = new ArrayList<>(browsers);
        g.routes = new ArrayList<>(routes);
        g.updatedAt = updatedAt;
        g.updateSeq = updateSeq;
        g.spreadAt = spreadAt;
        return g;
    }

    @Override
    public String toString() {
        return "ErrorGroup{"
                + app
                + " "
                + fingerprint
                + " count="
                + count
                + " sessions="
                + sessions
                + " first="
                + firstSeen
                + " release="
                + firstRelease
                + "}";
    }
}
