package io.beaconflow.detectors.spec;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorSpecBuilder;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.evidence.AlertBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A detector spec file: defaults per metric kind, the metrics to watch, and overrides by app,
 * dimension and dimension value (glob or regex). Parsed with SnakeYAML's node API so every error
 * names the file, the line, the key and the fix; unknown keys are rejected, and every metric and
 * every override is built once at load time, so a file that loads cannot fail later.
 *
 * <pre>
 * version: 1
 * kinds:                 # defaults per metric kind: error_rate, latency, throughput, generic
 *   latency: { transform: log, z_threshold: 4 }
 * metrics:               # the metrics to watch; a metric not listed here is not watched
 *   lcp_p75: { kind: latency, min_abs_change: 200 }
 * overrides:             # applied in file order, later ones win
 *   - match: { app: shop, dimension: route, value: "/checkout/**" }
 *     set: { z_threshold: 3.5 }
 * </pre>
 *
 * <p>Effective spec = built-in defaults → {@code kinds[kind]} → {@code metrics[metric]} → every
 * matching override in file order. This class holds those layers and resolves a series' spec from
 * them; {@link SpecFileParser} reads the file into them.
 */
public final class DetectorSpecs {
    /** Dimension names the RUM job produces series for. */
    public static final List<String> DIMENSIONS =
            List.of(
                    "route",
                    "release",
                    "browser",
                    "country",
                    "device",
                    "variant",
                    "os",
                    "browser_version",
                    "endpoint");

    private final String source;
    private final Map<MetricKind, SpecBlock> kinds;
    private final Map<String, SpecBlock> metrics;
    private final Map<String, MetricKind> metricKinds;
    private final List<SpecOverride> overrides;
    private final AlertBudget budget;
    private final Map<List<String>, DetectorSpec> cache = new ConcurrentHashMap<>();

    /**
     * Specs built, by metric and the overrides that matched (their places in the file). Most series
     * of a dimension match the same overrides; they now share one spec instead of each building its
     * own, and with it its identity text, by which the job finds a series' detector. Building for
     * each new series was ~2 % of the pipeline's CPU in {@code ./beaconflow bench}
     * (docs/benchmarks.md, session 2026-12-07).
     */
    private final Map<String, DetectorSpec> built = new ConcurrentHashMap<>();

    /** Entries each cache keeps at most; past it, results are built again (never different). */
    private static final int MAX_CACHED = 100_000;

    DetectorSpecs(
            String source,
            Map<MetricKind, SpecBlock> kinds,
            Map<String, SpecBlock> metrics,
            Map<String, MetricKind> metricKinds,
            List<SpecOverride> overrides,
            AlertBudget budget) {
        this.source = source;
        this.budget = budget;
        this.kinds = kinds;
        this.metrics = metrics;
        this.metricKinds = metricKinds;
        this.overrides = overrides;
    }

    /** Loads and validates a spec file. */
    public static DetectorSpecs load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /**
     * Parses and validates spec text.
     *
     * @param sourceName named in error messages (usually the file path)
     * @throws SpecException naming the file, line, key and fix
     */
    public static DetectorSpecs parse(String yamlText, String sourceName) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(sourceName, "sourceName");
        return new SpecFileParser(sourceName).parse(yamlText);
    }

    /** Names of the configured metrics. */
    public Set<String> metrics() {
        return Collections.unmodifiableSet(metrics.keySet());
    }

    public String source() {
        return source;
    }

    /** The job-wide false-alert budget, or null when the file has no {@code budget:} section. */
    public AlertBudget budget() {
        return budget;
    }

    /**
     * The effective spec of one series, or null when {@code metric} is not configured or an
     * override sets {@code enabled: false} for this series.
     *
     * @param app application id (null for none)
     * @param dimension one of {@link #DIMENSIONS}, or null for the app-total series
     * @param dimensionValue the dimension's value such as a route, or null
     * @param metric metric name such as {@code error_rate} or {@code lcp_p75}
     */
    public DetectorSpec resolve(
            String app, String dimension, String dimensionValue, String metric) {
        if (metric == null || !metrics.containsKey(metric)) {
            return null;
        }
        List<String> key = java.util.Arrays.asList(app, dimension, dimensionValue, metric);
        DetectorSpec cached = cache.get(key);
        if (cached != null) {
            return cached.enabled() ? cached : null;
        }
        List<SpecBlock> blocks = new ArrayList<>();
        StringBuilder matched = new StringBuilder(metric).append('\u0000');
        for (int i = 0; i < overrides.size(); i++) {
            SpecOverride o = overrides.get(i);
            if (o.matches(app, dimension, dimensionValue, metric)) {
                blocks.add(o.set());
                matched.append(i).append(',');
            }
        }
        String builtKey = matched.toString();
        DetectorSpec spec = built.get(builtKey);
        if (spec == null) {
            spec = build(source, metric, blocks);
            if (built.size() < MAX_CACHED) {
                built.put(builtKey, spec);
            }
        }
        if (cache.size() < MAX_CACHED) {
            cache.put(key, spec);
        }
        return spec.enabled() ? spec : null;
    }

    /**
     * Builds the spec of {@code metric} with the override blocks {@code extra}: built-in defaults,
     * its kind's block, its own block, then {@code extra} in order; a range problem is reported at
     * the line of the setting that caused it.
     */
    DetectorSpec build(String src, String metric, List<SpecBlock> extra) {
        MetricKind kind = metricKinds.get(metric);
        DetectorSpecBuilder b = DetectorSpec.builder().kind(kind);
        List<SpecBlock> applied = new ArrayList<>();
        if (kinds.containsKey(kind)) {
            applied.add(kinds.get(kind));
        }
        applied.add(metrics.get(metric));
        applied.addAll(extra);
        boolean explicitZ = false;
        for (SpecBlock block : applied) {
            for (SpecBlock.Setting s : block.settings().values()) {
                s.key().setter().accept(b, s.value());
                explicitZ |= "z_threshold".equals(s.key().path());
            }
        }
        try {
            DetectorSpec spec = b.build();
            if (budget != null && !explicitZ) {
                // The threshold derives from the job-wide budget: its share of the day's false
                // alerts, split over the tests each window of this metric gets: its scales and
                // the drift test (AlertBudget).
                spec =
                        spec.toBuilder()
                                .zThreshold(budget.zThreshold(spec.testsPerWindow()))
                                .build();
            }
            return spec;
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            String key = msg.contains(" ") ? msg.substring(0, msg.indexOf(' ')) : "(spec)";
            int line = applied.get(applied.size() - 1).line();
            for (SpecBlock block : applied) {
                SpecBlock.Setting s = block.settings().get(key);
                if (s != null) {
                    line = s.line();
                }
            }
            int fix = msg.indexOf("; ");
            throw new SpecException(
                    src,
                    line,
                    key + " (metric " + metric + ")",
                    fix < 0 ? msg : msg.substring(0, fix),
                    fix < 0 ? "adjust the value" : msg.substring(fix + 2));
        }
    }
}
