package io.beaconflow.detectors.spec;

import io.beaconflow.detectors.DetectorSpecBuilder;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.EvidenceSpec;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.ScorerKind;
import io.beaconflow.detectors.SeasonalPeriod;
import io.beaconflow.detectors.Transform;
import io.beaconflow.detectors.evidence.Visitors;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The keys a detector spec block may contain: their type, allowed range, meaning, and how each sets
 * the {@link DetectorSpecBuilder}. The YAML files document the same keys in comments.
 */
final class SpecKeys {
    enum Type {
        NUMBER,
        INTEGER,
        BOOLEAN,
        ENUM,
        ZONE
    }

    /** One key: its dotted path, type and range, and what it sets. */
    record Key(
            String path,
            Type type,
            double min,
            boolean minExclusive,
            double max,
            List<String> values,
            String meaning,
            BiConsumer<DetectorSpecBuilder, Object> setter) {

        String range() {
            switch (type) {
                case BOOLEAN:
                    return "true or false";
                case ENUM:
                    return "one of " + String.join(", ", values);
                case ZONE:
                    return "a time-zone id such as UTC or Europe/Berlin";
                default:
                    String lo = (minExclusive ? "(" : "[") + fmt(min);
                    String hi = Double.isInfinite(max) ? "∞)" : fmt(max) + "]";
                    return (type == Type.INTEGER ? "an integer in " : "a number in ")
                            + lo
                            + ", "
                            + hi;
            }
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }

        /** Parses a scalar or returns null when it is out of range or of the wrong type. */
        Object parse(String text) {
            switch (type) {
                case BOOLEAN:
                    return "true".equals(text)
                            ? Boolean.TRUE
                            : "false".equals(text) ? Boolean.FALSE : null;
                case ENUM:
                    return values.contains(text) ? text : null;
                case ZONE:
                    try {
                        return ZoneId.of(text);
                    } catch (DateTimeException e) {
                        return null;
                    }
                default:
                    double v;
                    try {
                        v = Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                    if (Double.isNaN(v)
                            || (minExclusive ? v <= min : v < min)
                            || v > max
                            || Double.isInfinite(v)) {
                        return null;
                    }
                    if (type == Type.INTEGER) {
                        if (v != Math.rint(v)) {
                            return null;
                        }
                        return (int) v;
                    }
                    return v;
            }
        }
    }

    static final Map<String, Key> KEYS;

    static {
        Map<String, Key> k = new LinkedHashMap<>();
        add(
                k,
                "kind",
                enumOf("error_rate", "latency", "throughput", "generic"),
                "metric family; picks the default scorer",
                (b, v) -> b.kind(MetricKind.valueOf(upper(v))));
        add(
                k,
                "scorer",
                enumOf("gaussian", "proportion", "count"),
                "how a deviation becomes z (default from kind)",
                (b, v) -> b.scorer(ScorerKind.valueOf(upper(v))));
        add(
                k,
                "direction",
                enumOf("up", "down", "both"),
                "which deviations alert",
                (b, v) -> b.direction(Direction.valueOf(upper(v))));
        add(
                k,
                "transform",
                enumOf("none", "log", "sqrt"),
                "score on log(x + log_offset) or 2*sqrt(x + 3/8) (gaussian only)",
                (b, v) -> b.transform(Transform.valueOf(upper(v))));
        add(
                k,
                "log_offset",
                num(0, false, Double.POSITIVE_INFINITY),
                "added before the log",
                (b, v) -> b.logOffset((Double) v));
        add(
                k,
                "allow_negative",
                bool(),
                "accept negative values instead of skipping them",
                (b, v) -> b.allowNegative((Boolean) v));
        add(
                k,
                "enabled",
                bool(),
                "false: the metric is not scored on the matching series",
                (b, v) -> b.enabled((Boolean) v));
        add(
                k,
                "z_threshold",
                num(0, true, 100),
                "standard errors from the expectation that alert",
                (b, v) -> b.zThreshold((Double) v));
        add(
                k,
                "drop_z_threshold",
                num(0, false, 100),
                "standard errors below the expectation that alert in one window (0 = z_threshold)",
                (b, v) -> b.dropZThreshold((Double) v));
        add(
                k,
                "min_volume",
                num(0, false, Double.POSITIVE_INFINITY),
                "volume below which nothing alerts",
                (b, v) -> b.minVolume((Double) v));
        add(
                k,
                "min_sessions",
                integer(0, Visitors.MAX_GATE),
                "distinct visitors the windows behind an alert must have (0 = off)",
                (b, v) -> b.minSessions((Integer) v));
        add(
                k,
                "body_share",
                num(0, false, 1),
                "share of a percentile's rise the window's median must carry for it to count in"
                        + " one window (0 = off)",
                (b, v) -> b.bodyShare((Double) v));
        add(
                k,
                "min_abs_change",
                num(0, false, Double.POSITIVE_INFINITY),
                "absolute change needed as well",
                (b, v) -> b.minAbsChange((Double) v));
        add(
                k,
                "min_rel_change",
                num(0, false, Double.POSITIVE_INFINITY),
                "relative change needed as well",
                (b, v) -> b.minRelChange((Double) v));
        add(
                k,
                "sd_floor",
                num(0, false, Double.POSITIVE_INFINITY),
                "smallest spread (working scale)",
                (b, v) -> b.sdFloor((Double) v));
        add(
                k,
                "sd_floor_rel",
                num(0, false, Double.POSITIVE_INFINITY),
                "smallest spread as a fraction of the expectation",
                (b, v) -> b.sdFloorRel((Double) v));
        add(
                k,
                "smoothing_alpha",
                num(0, false, 1),
                "fast EW mean also tested (0 = off)",
                (b, v) -> b.smoothingAlpha((Double) v));
        add(
                k,
                "novelty.half_life",
                integer(0, Double.POSITIVE_INFINITY),
                "memory of the largest recent deviation (0 = off)",
                (b, v) -> b.noveltyHalfLife((Integer) v));
        add(
                k,
                "novelty.ratio",
                num(0, false, Double.POSITIVE_INFINITY),
                "a deviation must exceed ratio × that maximum",
                (b, v) -> b.noveltyRatio((Double) v));
        add(
                k,
                "baseline.alpha",
                num(0, true, 1),
                "EWMA weight of a new point",
                (b, v) -> b.alpha((Double) v));
        add(
                k,
                "baseline.min_points",
                integer(1, Double.POSITIVE_INFINITY),
                "points before the EWMA answers",
                (b, v) -> b.minPoints((Integer) v));
        add(
                k,
                "baseline.anomaly_weight",
                num(0, false, 1),
                "weight of an outlier in baseline updates",
                (b, v) -> b.anomalyWeight((Double) v));
        add(
                k,
                "baseline.relearn_after",
                integer(0, Double.POSITIVE_INFINITY),
                "consecutive outliers after which they count fully",
                (b, v) -> b.relearnAfter((Integer) v));
        add(
                k,
                "baseline.robust_z",
                num(0, false, Double.POSITIVE_INFINITY),
                "points beyond this |z| are learned at weight (robust_z/|z|)^2 (0 = off)",
                (b, v) -> b.robustZ((Double) v));
        add(
                k,
                "baseline.spread_hold",
                num(0, false, 1),
                "share of the threshold the pooled scales must reach for a window not to teach the"
                        + " spread (0 = off)",
                (b, v) -> b.spreadHold((Double) v));
        add(
                k,
                "baseline.spread_alpha",
                num(0, false, 1),
                "weight of a new point in the spread, when slower than the mean's alpha (0 = alpha)",
                (b, v) -> b.spreadAlpha((Double) v));
        add(
                k,
                "baseline.min_events",
                num(0, false, Double.POSITIVE_INFINITY),
                "error rates: the baseline remembers at least this many expected errors (0 = off)",
                (b, v) -> b.baselineMinEvents((Double) v));
        add(
                k,
                "baseline.freeze_while_open",
                bool(),
                "while an alert is open, in-band windows are learned at anomaly_weight too",
                (b, v) -> b.freezeWhileOpen((Boolean) v));
        add(
                k,
                "evidence.max_windows",
                integer(1, EvidenceSpec.MAX_WINDOWS),
                "longest run of recent windows pooled as evidence (the scales run from 1 up to it)",
                (b, v) -> b.evidenceWindows((Integer) v));
        add(
                k,
                "evidence.scales_per_octave",
                integer(1, EvidenceSpec.MAX_SCALES_PER_OCTAVE),
                "pooled scales between one length and its double (1: 1, 2, 4, ...; 2: 1, 2, 3, 4, 6, ...)",
                (b, v) -> b.evidenceScalesPerOctave((Integer) v));
        add(
                k,
                "drift.reference_alpha",
                num(0, false, 1),
                "weight of a window in the drift test's slow reference level (0 = off)",
                (b, v) -> b.driftReferenceAlpha((Double) v));
        add(
                k,
                "drift.min_rel_change",
                num(0, false, Double.POSITIVE_INFINITY),
                "relative change a drift must reach (0 = min_rel_change)",
                (b, v) -> b.driftMinRelChange((Double) v));
        add(
                k,
                "drift.level_alpha",
                num(0, true, 1),
                "weight of a window in the recent level the drift test compares",
                (b, v) -> b.driftLevelAlpha((Double) v));
        add(
                k,
                "evidence.cap",
                num(0, false, 100),
                "largest |z| one window brings into the pooled evidence (0 = no cap)",
                (b, v) -> b.evidenceCap((Double) v));
        add(
                k,
                "evidence.direction",
                enumOf("up", "down", "both"),
                "which deviations pooled scales may alert on (within direction)",
                (b, v) -> b.evidenceDirection(Direction.valueOf(upper(v))));
        add(
                k,
                "evidence.anchored",
                bool(),
                "pooled scales are tested against the expectation before their first window",
                (b, v) -> b.evidenceAnchored((Boolean) v));
        add(
                k,
                "evidence.pooled_rate",
                bool(),
                "error rates: pooled scales use the baseline rate lifted once per scale, not per window",
                (b, v) -> b.evidencePooledRate((Boolean) v));
        add(
                k,
                "exact_counts",
                bool(),
                "a count on the sqrt scale needs its exact Poisson tail too, at the learned dispersion",
                (b, v) -> b.exactCounts((Boolean) v));
        add(
                k,
                "seasonal.period",
                enumOf("none", "day", "week"),
                "seasonal cycle",
                (b, v) -> b.seasonalPeriod(SeasonalPeriod.valueOf(upper(v))));
        add(
                k,
                "seasonal.slot_minutes",
                integer(1, 7 * 24 * 60),
                "slot width; must divide the period",
                (b, v) -> b.slotMinutes((Integer) v));
        add(
                k,
                "seasonal.alpha",
                num(0, true, 1),
                "weight of one new period in a slot",
                (b, v) -> b.seasonalAlpha((Double) v));
        add(
                k,
                "seasonal.min_seasons",
                integer(1, Double.POSITIVE_INFINITY),
                "periods a slot needs before it answers",
                (b, v) -> b.minSeasons((Integer) v));
        add(
                k,
                "seasonal.robust",
                bool(),
                "median / MAD of the slot's recent values",
                (b, v) -> b.robust((Boolean) v));
        add(
                k,
                "seasonal.robust_window",
                integer(3, 64),
                "values per slot for median / MAD",
                (b, v) -> b.robustWindow((Integer) v));
        add(
                k,
                "seasonal.pooled_spread",
                bool(),
                "one residual spread for all slots",
                (b, v) -> b.pooledSpread((Boolean) v));
        add(
                k,
                "seasonal.time_zone",
                zone(),
                "zone whose local time defines the slots",
                (b, v) -> b.timeZone((ZoneId) v));
        add(
                k,
                "static.expected",
                num(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY),
                "expected value drawn while cold",
                (b, v) -> b.staticExpected((Double) v));
        add(
                k,
                "static.lower",
                num(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY),
                "alert below this while cold",
                (b, v) -> b.staticLower((Double) v));
        add(
                k,
                "static.upper",
                num(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY),
                "alert above this while cold",
                (b, v) -> b.staticUpper((Double) v));
        add(
                k,
                "alerting.trigger_points",
                integer(1, Double.POSITIVE_INFINITY),
                "consecutive anomalies that open an alert",
                (b, v) -> b.triggerPoints((Integer) v));
        add(
                k,
                "alerting.clear_points",
                integer(1, Double.POSITIVE_INFINITY),
                "consecutive normal points that close it",
                (b, v) -> b.clearPoints((Integer) v));
        add(
                k,
                "alerting.cooldown_points",
                integer(0, Double.POSITIVE_INFINITY),
                "points after closing before a new alert",
                (b, v) -> b.cooldownPoints((Integer) v));
        KEYS = Collections.unmodifiableMap(k);
    }

    /** Section names ({@code baseline}, {@code seasonal}, …) that group keys. */
    static boolean isSection(String path) {
        String prefix = path + ".";
        return KEYS.keySet().stream().anyMatch(p -> p.startsWith(prefix));
    }

    /** Keys and sections allowed directly below {@code sectionPath} ("" for the block's top). */
    static List<String> childrenOf(String sectionPath) {
        String prefix = sectionPath.isEmpty() ? "" : sectionPath + ".";
        return KEYS.keySet().stream()
                .filter(p -> p.startsWith(prefix))
                .map(p -> p.substring(prefix.length()))
                .map(p -> p.contains(".") ? p.substring(0, p.indexOf('.')) : p)
                .distinct()
                .toList();
    }

    private SpecKeys() {}

    private static String upper(Object v) {
        return v.toString().toUpperCase(Locale.ROOT);
    }

    private record Proto(
            Type type, double min, boolean minExclusive, double max, List<String> values) {}

    private static Proto num(double min, boolean exclusive, double max) {
        return new Proto(Type.NUMBER, min, exclusive, max, List.of());
    }

    private static Proto integer(double min, double max) {
        return new Proto(Type.INTEGER, min, false, max, List.of());
    }

    private static Proto bool() {
        return new Proto(Type.BOOLEAN, 0, false, 0, List.of());
    }

    private static Proto zone() {
        return new Proto(Type.ZONE, 0, false, 0, List.of());
    }

    private static Proto enumOf(String... values) {
        return new Proto(Type.ENUM, 0, false, 0, List.of(values));
    }

    private static void add(
            Map<String, Key> keys,
            String path,
            Proto p,
            String meaning,
            BiConsumer<DetectorSpecBuilder, Object> setter) {
        keys.put(
                path,
                new Key(
                        path,
                        p.type(),
                        p.min(),
                        p.minExclusive(),
                        p.max(),
                        p.values(),
                        meaning,
                        setter));
    }

    /** The allowed name closest to {@code name} by edit distance, or null if none is close. */
    static String closest(String name, List<String> allowed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String a : allowed) {
            int d = distance(name, a);
            if (d < bestDistance) {
                bestDistance = d;
                best = a;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
