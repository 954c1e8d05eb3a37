package io.beaconflow.jobs.detection;

import io.beaconflow.config.ConfigProblems;
import io.beaconflow.detectors.share.ShareSpec;
import io.beaconflow.detectors.surge.SurgeSpec;
import io.beaconflow.jobs.metrics.Dimension;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code detection:} section of the job config: where detector specs come from, the CEP pattern
 * knobs and (nested) alerting. Counts of windows are in units of {@link #window} (the metrics
 * window; the lead passes {@code metrics.window} and {@code metrics.allowed-lateness}).
 */
public class DetectionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_SPECS_FILE = "flink-conf/detectors/defaults.yaml";

    /** Detector spec file read at start (the source of truth) and watched for changes. */
    public String specsFile = DEFAULT_SPECS_FILE;

    /** How often the embedded setup polls {@link #specsFile}; 0s = read once, never watch. */
    public Duration specsPollInterval = SpecFileSource.DEFAULT_INTERVAL;

    /** Compacted Kafka topic with spec updates (production); empty = watch the file instead. */
    public String specsTopic = "";

    /** Metrics window (set from {@code metrics.window}). */
    public Duration window = Duration.ofMinutes(1);

    /** Late updates of a window (set from {@code metrics.allowed-lateness}). */
    public Duration allowedLateness = Duration.ofMinutes(5);

    /** A series without rows for this long (event time) loses its detector state. */
    public Duration idleStateTtl = DetectorFunction.DEFAULT_IDLE_TTL;

    /**
     * Series whose detector states stay on the heap per subtask on RocksDB, written to the keyed
     * state when evicted or before a snapshot ({@link DetectorOperator}); 0 = none.
     */
    public int stateCache = DEFAULT_STATE_CACHE;

    /** About 2-90 KB of heap a series (a latency metric's state ~4 KB, a count's ~10 KB). */
    public static final int DEFAULT_STATE_CACHE = 500;

    /** Upper bound of {@link #stateCache}. */
    public static final int MAX_STATE_CACHE = 1_000_000;

    /**
     * For how long after a series' last row its empty windows are scored as zero traffic (the
     * metrics stage writes no row for a window without events, so a segment cut off entirely would
     * otherwise go silent instead of alerting). 0s = off.
     */
    public Duration zeroFill = DEFAULT_ZERO_FILL;

    /**
     * Off by default, for detection quality, no longer for reproducibility. A window is decided
     * empty only when the watermark passes its end plus the allowed lateness, and a series' windows
     * are scored in order (DetectorFunction), so a run and its replay after a failover score the
     * same windows as empty. On the shared scenarios it found no incident more and added false
     * page-view alerts: the count scorer (Gaussian on the square-root scale) calls a zero window of
     * a thin segment far less likely than the Poisson count it is (docs/detector-quality.md,
     * "Session 2026-12-03 (2)").
     */
    public static final Duration DEFAULT_ZERO_FILL = Duration.ZERO;

    public Sustained sustained = new Sustained();
    public Recovery recovery = new Recovery();
    public Correlation correlation = new Correlation();
    public Release release = new Release();
    public Frustration frustration = new Frustration();
    public SegmentShare segmentShare = new SegmentShare();
    public ErrorSurge errorSurge = new ErrorSurge();
    public AlertingConfig alerting = new AlertingConfig();

    /**
     * {@code detection.segment-share}: a segment losing its share of the app's page views ({@code
     * detectors.share.ShareDetector}; docs/detector-quality.md, "Session 2026-12-04 (3)").
     */
    public static class SegmentShare implements Serializable {
        private static final long serialVersionUID = 1L;

        public boolean enabled = true;

        /**
         * Dimensions whose values are watched. Not release, variant, OS or browser version: traffic
         * moves between those by design (a rollout, an experiment's allocation, browser updates).
         */
        public List<String> dimensions = new ArrayList<>(List.of("country", "browser", "device"));

        /** The relative fall of a share that is tolerated before evidence counts. */
        public double margin = 0.3;

        /** Standard errors below the tolerated share that alert. */
        public double zThreshold = 6.5;

        /** The normal quantile of "no visitor arrived" at which a silent segment alerts. */
        public double silenceZThreshold = 3.9;

        /** Received views a pooled scale must expect before it is tested. */
        public double minExpectedViews = 150;

        /** The longest pooled scale, in windows. */
        public int maxWindows = 32;

        /** The detector's knobs (the learning constants are the shipped count baselines'). */
        public ShareSpec spec() {
            return ShareSpec.of(
                    margin, zThreshold, silenceZThreshold, minExpectedViews, maxWindows);
        }
    }

    /**
     * {@code detection.error-surge}: one error (a fingerprint) reaching more sessions than it did
     * before ({@code detectors.surge.SurgeDetector}; docs/detector-quality.md, "Session 2026-12-04
     * (4)").
     */
    public static class ErrorSurge implements Serializable {
        private static final long serialVersionUID = 1L;

        public boolean enabled = true;

        /** The pooled count's exact Poisson upper tail, as a normal quantile, that alerts. */
        public double zThreshold = 6;

        /** Sessions newly hit in a pooled scale before it may alert. */
        public int minSessions = 5;

        /** A pooled scale must also hold this many times its expected sessions. */
        public double minRatio = 3;

        /** The longest pooled scale, in windows. */
        public int maxWindows = 32;

        /** Expected sessions a day of an error never seen before (and every error's floor). */
        public double newErrorSessionsPerDay = 1;

        /** Windows of an app's errors before a first occurrence counts as a new error. */
        public int warmupWindows = 60;

        /** The detector's knobs, with a window of {@code window}. */
        public SurgeSpec spec(Duration window) {
            double windowsPerDay = (double) Duration.ofDays(1).toMillis() / window.toMillis();
            return SurgeSpec.of(
                    zThreshold,
                    minSessions,
                    minRatio,
                    maxWindows,
                    newErrorSessionsPerDay / windowsPerDay,
                    warmupWindows);
        }
    }

    /** {@code detection.sustained}: N anomalous windows within M open an alert. */
    public static class Sustained implements Serializable {
        private static final long serialVersionUID = 1L;
        public int anomalies = 2;
        public int windows = 3;

        /**
         * Click targets (app, session, target) whose rage-click states stay on the heap per
         * subtask, written behind, on RocksDB ({@link RageClickOperator}); 0 = none.
         */
        public int stateCache = 10_000;
    }

    /** {@code detection.recovery}: K consecutive normal windows resolve. */
    public static class Recovery implements Serializable {
        private static final long serialVersionUID = 1L;
        public int normalWindows = 3;
    }

    /** {@code detection.correlation}: error rate up and throughput down within this span. */
    public static class Correlation implements Serializable {
        private static final long serialVersionUID = 1L;
        public Duration within = Duration.ofMinutes(5);
    }

    /** {@code detection.release}: how long a new release is watched, and when it counts as new. */
    public static class Release implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Anomalies this long after a release first appears are attributed to it. */
        public Duration watch = Duration.ofMinutes(60);

        /**
         * A release counts as new only when the app had traffic this long before it appeared, so
         * the releases already live when the job starts are not "first seen".
         */
        public Duration minAppHistory = Duration.ofMinutes(10);
    }

    /** {@code detection.frustration}: rage clicks and the frustration-burst pattern. */
    public static class Frustration implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Clicks on one target within {@link #burstSpan} that make a rage click. */
        public int burstClicks = 3;

        public Duration burstSpan = Duration.ofSeconds(1);

        /** "Far above the baseline": the detector score a window needs (0.67 = 2x threshold). */
        public double minScore = 0.67;

        /** N such windows within M. */
        public int anomalies = 2;

        public int windows = 3;

        /**
         * Click targets (app, session, target) whose rage-click states stay on the heap per
         * subtask, written behind, on RocksDB ({@link RageClickOperator}); 0 = none.
         */
        public int stateCache = 10_000;
    }

    /** Whole windows in {@code d} (at least 1). */
    public int windows(Duration d) {
        return (int) Math.max(1, d.toMillis() / window.toMillis());
    }

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /**
     * Adds every problem of the {@code detection:} section and its nested sections (a nested key
     * written without settings is null after binding: named, and its keys not checked).
     */
    public void check(ConfigProblems p) {
        p.notBlank(
                "detection.specs-file",
                specsFile,
                "must not be empty",
                "set " + DEFAULT_SPECS_FILE);
        p.durationNotNegative(
                "detection.specs-poll-interval", specsPollInterval, "e.g. 5s, 0s = never");
        p.durationAboveZero("detection.window", window, "the metrics window, e.g. 1m");
        p.durationNotNegative("detection.allowed-lateness", allowedLateness, "e.g. 5m");
        p.durationAboveZero("detection.idle-state-ttl", idleStateTtl, "e.g. 7d");
        p.durationNotNegative("detection.zero-fill", zeroFill, "e.g. 60m, 0s = off");
        p.between("detection.state-cache", stateCache, 0, MAX_STATE_CACHE, "e.g. 500, 0 = off");
        String fix = "remove the key for the defaults, or give its settings";
        if (p.section("detection.sustained", sustained, fix)) {
            p.notBelow("detection.sustained.anomalies", sustained.anomalies, 1, "e.g. 2");
            p.notBelow(
                    "detection.sustained.windows",
                    sustained.windows,
                    sustained.anomalies,
                    // the example follows the file's own anomalies, one window of slack (the
                    // default: 2 in 3)
                    "a number >= sustained.anomalies, e.g. " + (sustained.anomalies + 1));
        }
        if (p.section("detection.recovery", recovery, fix)) {
            p.notBelow("detection.recovery.normal-windows", recovery.normalWindows, 1, "e.g. 3");
        }
        if (p.section("detection.correlation", correlation, fix)) {
            p.durationAboveZero("detection.correlation.within", correlation.within, "e.g. 5m");
        }
        if (p.section("detection.release", release, fix)) {
            p.durationAboveZero("detection.release.watch", release.watch, "e.g. 60m");
            p.durationNotNegative(
                    "detection.release.min-app-history", release.minAppHistory, "e.g. 10m");
        }
        if (p.section("detection.frustration", frustration, fix)) {
            p.notBelow("detection.frustration.burst-clicks", frustration.burstClicks, 2, "e.g. 3");
            p.durationAboveZero(
                    "detection.frustration.burst-span", frustration.burstSpan, "e.g. 1s");
            p.require(
                    frustration.minScore >= 0.5 && frustration.minScore < 1,
                    "detection.frustration.min-score",
                    "must be in [0.5, 1) (got " + frustration.minScore + ")",
                    "set e.g. 0.67 (twice the z threshold)");
            p.notBelow("detection.frustration.anomalies", frustration.anomalies, 1, "e.g. 2");
            p.between(
                    "detection.frustration.state-cache",
                    frustration.stateCache,
                    0,
                    MAX_STATE_CACHE,
                    "e.g. 10000, 0 = off");
            p.notBelow(
                    "detection.frustration.windows",
                    frustration.windows,
                    frustration.anomalies,
                    "a number >= frustration.anomalies, e.g. 3");
        }
        if (p.section("detection.segment-share", segmentShare, fix)) {
            checkShare(p, segmentShare);
        }
        if (p.section("detection.error-surge", errorSurge, fix)) {
            checkSurge(p, errorSurge);
        }
        if (p.section("detection.alerting", alerting, fix)) alerting.check(p);
    }

    private static void checkSurge(ConfigProblems p, ErrorSurge s) {
        String key = "detection.error-surge.";
        zThreshold(p, key + "z-threshold", s.zThreshold, 37, "e.g. 6");
        p.notBelow(key + "min-sessions", s.minSessions, 1, "e.g. 5");
        atLeast(
                p,
                key + "min-ratio",
                s.minRatio,
                1,
                "e.g. 3: three times the error's usual sessions");
        p.between(key + "max-windows", s.maxWindows, 1, 64, "e.g. 32");
        p.require(
                s.newErrorSessionsPerDay > 0,
                key + "new-error-sessions-per-day",
                "must be > 0 (got " + s.newErrorSessionsPerDay + ")",
                "e.g. 1");
        p.notBelow(key + "warmup-windows", s.warmupWindows, 1, "e.g. 60");
    }

    private static void checkShare(ConfigProblems p, SegmentShare s) {
        String key = "detection.segment-share.";
        p.require(
                s.dimensions != null && !s.dimensions.isEmpty(),
                key + "dimensions",
                "must list at least one dimension",
                "e.g. [country, browser, device], or set enabled: false");
        if (s.dimensions != null) {
            for (String d : s.dimensions) {
                p.require(
                        Dimension.fromName(d) != null,
                        key + "dimensions",
                        "unknown dimension '" + d + "'",
                        "use route, release, browser, country, device, variant, os,"
                                + " browser_version or endpoint");
            }
        }
        p.require(
                s.margin >= 0 && s.margin < 1,
                key + "margin",
                "must be in [0, 1) (got " + s.margin + ")",
                "e.g. 0.3: a share may fall by 30 % before evidence counts");
        zThreshold(p, key + "z-threshold", s.zThreshold, 100, "e.g. 6.5");
        zThreshold(p, key + "silence-z-threshold", s.silenceZThreshold, 100, "e.g. 3.9");
        atLeast(p, key + "min-expected-views", s.minExpectedViews, 0, "e.g. 60");
        p.between(key + "max-windows", s.maxWindows, 1, 64, "e.g. 32");
    }

    /** A z threshold of a detector: {@code must be in (0, max] (got z)}. */
    private static void zThreshold(ConfigProblems p, String key, double z, int max, String fix) {
        p.require(z > 0 && z <= max, key, "must be in (0, " + max + "] (got " + z + ")", fix);
    }

    /** A number of at least {@code min}: {@code must be >= min (got value)}. */
    private static void atLeast(ConfigProblems p, String key, double value, int min, String fix) {
        p.require(value >= min, key, "must be >= " + min + " (got " + value + ")", fix);
    }
}
