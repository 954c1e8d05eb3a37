package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.Transform;
import io.beaconflow.detectors.spec.DetectorSpecs;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A parsed, validated spec update and the detectors it yields, cached per operator instance (the
 * broadcast state keeps the YAML text; parsing happens once per version and subtask).
 *
 * <p>The spec file may name metrics this job does not produce (the same file drives the backtest
 * CLI over arbitrary series); those are listed by {@link #unproducedMetrics()}, logged, and not
 * scored.
 */
public final class SpecSet {
    /** The metric the frustration path scores (rage-click bursts per page view, per route). */
    public static final String RAGE_CLICK_RATE = "rage_click_rate";

    private final SpecUpdate update;
    private final DetectorSpecs specs;
    private final List<String> rowMetrics;
    private final List<String> unproduced;
    private final Map<DetectorSpec, Detector> detectors = new HashMap<>();
    private final Map<List<String>, SeriesSpecs> series = new HashMap<>();

    /**
     * Series whose {@link SeriesSpecs} are kept; at this size the cache starts over. Nothing
     * depends on it but speed (a series resolves to the same specs again), so a bound that a job
     * with more series exceeds costs only the resolving.
     */
    static final int MAX_CACHED_SERIES = 50_000;

    private SpecSet(SpecUpdate update, DetectorSpecs specs) {
        this.update = update;
        this.specs = specs;
        List<String> row = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String m : new TreeSet<>(specs.metrics())) {
            if (isRowMetric(m)) {
                row.add(m);
            } else if (!m.equals(RAGE_CLICK_RATE)) {
                other.add(m);
            }
        }
        this.rowMetrics = Collections.unmodifiableList(row);
        this.unproduced = Collections.unmodifiableList(other);
    }

    /**
     * Parses and validates.
     *
     * @throws io.beaconflow.detectors.spec.SpecException naming file, line, key and fix
     */
    public static SpecSet parse(SpecUpdate update) {
        if (update == null || update.yaml == null) {
            throw new IllegalArgumentException("spec update without YAML text");
        }
        String source = update.source == null ? "<spec update>" : update.source;
        return new SpecSet(update, DetectorSpecs.parse(update.yaml, source));
    }

    public SpecUpdate update() {
        return update;
    }

    /** Configured metrics an aggregate row has, sorted (the scoring order is deterministic). */
    public List<String> rowMetrics() {
        return rowMetrics;
    }

    public List<String> unproducedMetrics() {
        return unproduced;
    }

    /** The file's false-alert budget, or null when it has no {@code budget:} section. */
    public io.beaconflow.detectors.evidence.AlertBudget budget() {
        return specs.budget();
    }

    public boolean watchesRageClicks() {
        return specs.metrics().contains(RAGE_CLICK_RATE);
    }

    /**
     * The spec of one series and metric, or null when the metric is not configured. The app-total
     * series ({@code all}, {@code *}) resolves as "no dimension", matching only overrides without a
     * dimension.
     */
    public DetectorSpec resolve(String app, String dimension, String value, String metric) {
        boolean total = dimension == null || Dimension.ALL.configName().equals(dimension);
        return specs.resolve(app, total ? null : dimension, total ? null : value, metric);
    }

    /**
     * The specs of one series' row metrics, resolved once per spec version and subtask. Resolving
     * matches the series against every override, and a detector is found by its spec's identity
     * text; the scoring did both for each of ~30 metrics of every row, ~4 % of the pipeline's CPU
     * in {@code ./beaconflow bench} (docs/benchmarks.md, session 2026-12-07). Not thread-safe: a
     * {@code SpecSet} belongs to one operator instance ({@link SpecBroadcast}).
     */
    public SeriesSpecs series(String app, String dimension, String value) {
        List<String> key = Arrays.asList(app, dimension, value);
        SeriesSpecs s = series.get(key);
        if (s == null) {
            if (series.size() >= MAX_CACHED_SERIES) {
                series.clear();
            }
            s = new SeriesSpecs(this, app, dimension, value);
            series.put(key, s);
        }
        return s;
    }

    /**
     * One series' resolved row metrics, index for index with {@link #rowMetrics()}: the spec
     * ({@code null} when the metric is not scored on this series, as {@link #resolve} says), its
     * shared detector and its {@link #stateFingerprint}.
     */
    public static final class SeriesSpecs {
        private final DetectorSpec[] specs;
        private final Detector[] detectors;
        private final String[] fingerprints;
        private final long fingerprintHash;

        private SeriesSpecs(SpecSet set, String app, String dimension, String value) {
            int n = set.rowMetrics.size();
            specs = new DetectorSpec[n];
            detectors = new Detector[n];
            fingerprints = new String[n];
            for (int i = 0; i < n; i++) {
                DetectorSpec spec = set.resolve(app, dimension, value, set.rowMetrics.get(i));
                if (spec != null) {
                    specs[i] = spec;
                    detectors[i] = set.detector(spec);
                    fingerprints[i] = stateFingerprint(spec);
                }
            }
            fingerprintHash = SpecSet.fingerprintHash(set.rowMetrics, fingerprints);
        }

        /** The spec of row metric {@code i}, or null when it is not scored on this series. */
        public DetectorSpec spec(int i) {
            return specs[i];
        }

        public Detector detector(int i) {
            return detectors[i];
        }

        public String fingerprint(int i) {
            return fingerprints[i];
        }

        /**
         * One 64-bit digest of every row metric's name and {@link #fingerprint} (or its absence),
         * the same in every JVM (it is kept in keyed state): two series, or one series under two
         * spec versions, whose stored states each metric's detector may keep have the same digest.
         */
        public long fingerprintHash() {
            return fingerprintHash;
        }
    }

    /** FNV-1a over "metric=fingerprint;" per row metric ("-" for a metric not scored). */
    static long fingerprintHash(List<String> metrics, String[] fingerprints) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < metrics.size(); i++) {
            h = fnv(h, metrics.get(i));
            h = fnv(h, "=");
            h = fnv(h, fingerprints[i] == null ? "-" : fingerprints[i]);
            h = fnv(h, ";");
        }
        return h;
    }

    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** One detector per distinct spec (detectors are immutable and shared by all keys). */
    public Detector detector(DetectorSpec spec) {
        return detectors.computeIfAbsent(spec, Detector::new);
    }

    /**
     * What a stored detector state depends on: the scale of its means. A change of transform, log
     * offset or scorer makes the stored baseline meaningless, so the state restarts. A changed
     * seasonal layout (period, slot width) is detected by the detector itself, which restarts only
     * the seasonal part and keeps the EWMA. Every other change (thresholds, gates, alpha,
     * hysteresis) keeps the state.
     */
    public static String stateFingerprint(DetectorSpec spec) {
        return spec.scorer()
                + (spec.logScale()
                        ? "/log+" + spec.logOffset()
                        : spec.transform() == Transform.SQRT ? "/sqrt" : "/linear");
    }

    /**
     * The metric family of a row metric when no spec says it: {@code error_rate} for rates, {@code
     * latency} for percentiles, null for throughput (counts have no per-sample meaning).
     */
    public static String familyOf(String metric) {
        if (metric.equals("error_rate")
                || metric.equals("fetch_error_rate")
                || metric.equals("fetch_failure_rate")) {
            return "error_rate";
        }
        if (metric.endsWith("_share") || metric.equals("apdex")) {
            // No family: the release canary tests for a rise only, and a rise of a good share or
            // of Apdex is an improvement.
            return null;
        }
        if (metric.matches(".*_p(50|75|95|99)") && isRowMetric(metric)) {
            return "latency";
        }
        return null;
    }

    static boolean isRowMetric(String metric) {
        try {
            new MetricAggregate().value(metric);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
