package io.beaconflow.jobs.metrics;

import io.beaconflow.config.ConfigProblems;
import io.beaconflow.detectors.spec.DetectorSpecs;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code metrics:} section of the job config: window size, allowed lateness, which dimensions
 * get their own series, bot handling and sketch accuracy.
 */
public class MetricsConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    /** The lead passes {@code ingest.allowed-lateness} here, so both stages agree on "late". */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(5);

    /**
     * Every dimension the job produces series for, the list the detector spec file's overrides are
     * checked against ({@link DetectorSpecs#DIMENSIONS}). {@code endpoint} is fetches only; its
     * learned templates are decided in event time, so a replay names every fetch the same
     * (enrich/PathTemplateLearner).
     */
    public static final List<String> DEFAULT_DIMENSIONS = DetectorSpecs.DIMENSIONS;

    /**
     * Statuses that make a fetch count in {@code fetch_failures}: no answer and every 4xx and 5xx,
     * as Datadog and Elastic RUM count resource errors. The older {@code failed_fetches} (status 0
     * or 5xx) stays as it was.
     */
    public static final List<String> DEFAULT_FETCH_FAILURE_STATUSES =
            List.of("network", "4xx", "5xx");

    /** Apdex T for page loads: satisfied ≤ T, tolerating ≤ 4T. */
    public static final Duration DEFAULT_APDEX_THRESHOLD = Duration.ofSeconds(2);

    public static final boolean DEFAULT_EXCLUDE_BOTS = true;
    public static final double DEFAULT_SKETCH_RELATIVE_ACCURACY = 0.01;
    public static final boolean DEFAULT_PRE_AGGREGATE = true;

    /** Tumbling event-time window size. */
    public Duration window = DEFAULT_WINDOW;

    /** How long after a window's end late events still update it (with a higher update-seq). */
    public Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;

    /** Dimensions that get one series per value, besides the app total. */
    public List<String> dimensions = new ArrayList<>(DEFAULT_DIMENSIONS);

    /** Bots are always counted ({@code botEventsExcluded}); this keeps them out of aggregates. */
    public boolean excludeBots = DEFAULT_EXCLUDE_BOTS;

    /** DDSketch relative accuracy α: a reported percentile is within α of the true value. */
    public double sketchRelativeAccuracy = DEFAULT_SKETCH_RELATIVE_ACCURACY;

    /**
     * Two-phase aggregation: fold samples per subtask before the keyBy ({@link
     * LocalPreAggregator}). On by default (measured: see docs/DISCUSSION.md); switching it keeps
     * savepoints compatible.
     */
    public boolean preAggregate = DEFAULT_PRE_AGGREGATE;

    /**
     * Which fetch statuses count as failures in {@code fetch_failures} / {@code
     * fetch_failure_rate}: {@code network} (status 0), a class {@code 1xx}..{@code 5xx}, or a code
     * 100-599.
     */
    public List<String> fetchFailureStatuses = new ArrayList<>(DEFAULT_FETCH_FAILURE_STATUSES);

    /** Apdex T of page loads ({@code page_view.load_ms}). */
    public Duration apdexThreshold = DEFAULT_APDEX_THRESHOLD;

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code metrics:} section. */
    public void check(ConfigProblems p) {
        if (p.durationAboveZero("metrics.window", window, "e.g. 1m")) {
            p.require(
                    window.toNanos() % 1_000_000 == 0,
                    "metrics.window",
                    "must be whole milliseconds (got " + window + ")",
                    "set e.g. 1m or 30s");
        }
        p.durationNotNegative(
                "metrics.allowed-lateness",
                allowedLateness,
                "e.g. 5m (the same as ingest.allowed-lateness)");
        if (dimensions == null) {
            p.add(
                    "metrics.dimensions",
                    "must be a list",
                    "write e.g. [route, release] or [] for app totals only");
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < dimensions.size(); i++) {
                String d = dimensions.get(i);
                if (Dimension.fromName(d) == null) {
                    p.add(
                            "metrics.dimensions[" + i + "]",
                            "unknown dimension '" + d + "'",
                            "use some of " + DEFAULT_DIMENSIONS);
                } else if (!seen.add(d)) {
                    p.add(
                            "metrics.dimensions[" + i + "]",
                            "'" + d + "' is listed twice",
                            "remove the repeated entry");
                }
            }
        }
        if (fetchFailureStatuses == null) {
            p.add(
                    "metrics.fetch-failure-statuses",
                    "must be a list",
                    "write e.g. [network, 4xx, 5xx], or [] to count no fetch as failed");
        } else {
            for (int i = 0; i < fetchFailureStatuses.size(); i++) {
                p.require(
                        statusRange(fetchFailureStatuses.get(i)) != null,
                        "metrics.fetch-failure-statuses[" + i + "]",
                        "'" + fetchFailureStatuses.get(i) + "' is not a status",
                        "use network (status 0), a class 1xx to 5xx, or a code 100 to 599");
            }
        }
        p.require(
                apdexThreshold != null
                        && apdexThreshold.toMillis() > 0
                        && apdexThreshold.toNanos() % 1_000_000 == 0,
                "metrics.apdex-threshold",
                "must be a whole number of milliseconds > 0 (got " + apdexThreshold + ")",
                "set e.g. 2s (satisfied <= 2 s, tolerating <= 8 s)");
        p.require(
                sketchRelativeAccuracy > 0 && sketchRelativeAccuracy < 1,
                "metrics.sketch-relative-accuracy",
                "must be in (0, 1) (got " + sketchRelativeAccuracy + ")",
                "set e.g. 0.01 for percentiles within 1 %");
    }

    /**
     * {@code [from, to]} statuses of one entry of {@code fetch-failure-statuses}, or null when the
     * entry is not one.
     */
    static int[] statusRange(String entry) {
        if (entry == null) {
            return null;
        }
        String s = entry.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("network")) {
            return new int[] {0, 0};
        }
        if (s.length() == 3 && s.endsWith("xx") && s.charAt(0) >= '1' && s.charAt(0) <= '5') {
            int from = (s.charAt(0) - '0') * 100;
            return new int[] {from, from + 99};
        }
        if (s.length() == 3 && s.chars().allMatch(Character::isDigit)) {
            int code = Integer.parseInt(s);
            return code >= 100 && code <= 599 ? new int[] {code, code} : null;
        }
        return null;
    }

    /** {@code failing[status]} for statuses 0-599: true when the status counts as a failure. */
    public boolean[] failingStatuses() {
        boolean[] failing = new boolean[600];
        for (String entry : fetchFailureStatuses) {
            int[] r = statusRange(entry);
            for (int s = r[0]; s <= r[1]; s++) {
                failing[s] = true;
            }
        }
        return failing;
    }

    /** The configured dimensions, in configuration order. */
    public List<Dimension> dimensionList() {
        List<Dimension> out = new ArrayList<>();
        for (String d : dimensions) {
            out.add(Dimension.fromName(d));
        }
        return out;
    }
}
