package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.config.ConfigException;
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

    public static final List<String> DEFAULT_DIMENSIONS =
            List.of("route", "release", "browser", "country", "device", "variant");
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

    public void validate(String source) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw ConfigException.invalid(
                    source,
                    "metrics.window",
                    "must be a duration > 0 (got " + window + ")",
                    "set e.g. 1m");
        }
        if (window.toNanos() % 1_000_000 != 0) {
            throw ConfigException.invalid(
                    source,
                    "metrics.window",
                    "must be whole milliseconds (got " + window + ")",
                    "set e.g. 1m or 30s");
        }
        if (allowedLateness == null || allowedLateness.isNegative()) {
            throw ConfigException.invalid(
                    source,
                    "metrics.allowed-lateness",
                    "must be a duration ≥ 0 (got " + allowedLateness + ")",
                    "set e.g. 5m (the same as ingest.allowed-lateness)");
        }
        if (dimensions == null) {
            throw ConfigException.invalid(
                    source,
                    "metrics.dimensions",
                    "must be a list",
                    "write e.g. [route, release] or [] for app totals only");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < dimensions.size(); i++) {
            String d = dimensions.get(i);
            if (Dimension.fromName(d) == null) {
                throw ConfigException.invalid(
                        source,
                        "metrics.dimensions[" + i + "]",
                        "unknown dimension '" + d + "'",
                        "use some of " + DEFAULT_DIMENSIONS);
            }
            if (!seen.add(d)) {
                throw ConfigException.invalid(
                        source,
                        "metrics.dimensions[" + i + "]",
                        "'" + d + "' is listed twice",
                        "remove the repeated entry");
            }
        }
        if (!(sketchRelativeAccuracy > 0 && sketchRelativeAccuracy < 1)) {
            throw ConfigException.invalid(
                    source,
                    "metrics.sketch-relative-accuracy",
                    "must be in (0, 1) (got " + sketchRelativeAccuracy + ")",
                    "set e.g. 0.01 for percentiles within 1 %");
        }
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
