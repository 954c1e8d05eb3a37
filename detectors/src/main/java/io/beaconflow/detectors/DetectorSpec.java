package io.beaconflow.detectors;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The immutable, validated configuration of one detector: which baseline predicts, which scorer
 * decides, and the gates and hysteresis around the decision. Built from YAML by {@code
 * io.beaconflow.detectors.spec.DetectorSpecs} or in code with {@link #builder()}; every knob has a
 * named {@code DEFAULT_*} and the builder checks ranges early with messages that name the key.
 */
public final class DetectorSpec {
    public static final double DEFAULT_Z_THRESHOLD = 4.0;

    /**
     * Largest {@code evidence.max_windows}: the ring of pooled windows kept per series and metric.
     */
    public static final int MAX_EVIDENCE_WINDOWS = 64;

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_NOVELTY_RATIO = 1.0;
    public static final int DEFAULT_MIN_POINTS = 30;
    public static final double DEFAULT_ANOMALY_WEIGHT = 0.0;
    public static final int DEFAULT_RELEARN_AFTER = 30;
    public static final double DEFAULT_SEASONAL_ALPHA = 0.3;
    public static final int DEFAULT_SLOT_MINUTES = 60;
    public static final int DEFAULT_MIN_SEASONS = 3;
    public static final int DEFAULT_ROBUST_WINDOW = 9;
    public static final double DEFAULT_LOG_OFFSET = 1.0;
    public static final int DEFAULT_TRIGGER_POINTS = 1;
    public static final int DEFAULT_CLEAR_POINTS = 3;
    public static final int DEFAULT_COOLDOWN_POINTS = 0;

    private final MetricKind kind;
    private final ScorerKind scorer;
    private final Direction direction;
    private final Transform transform;
    private final double logOffset;
    private final boolean allowNegative;
    private final double zThreshold;
    private final double minVolume;
    private final double minAbsChange;
    private final double minRelChange;
    private final double sdFloor;
    private final double sdFloorRel;
    private final double smoothingAlpha;
    private final int noveltyHalfLife;
    private final double noveltyRatio;
    private final double alpha;
    private final int minPoints;
    private final double anomalyWeight;
    private final int relearnAfter;
    private final double robustZ;
    private final boolean enabled;
    private final boolean freezeWhileOpen;
    private final int evidenceWindows;
    private final double evidenceCap;
    private final SeasonalPeriod seasonalPeriod;
    private final int slotMinutes;
    private final double seasonalAlpha;
    private final int minSeasons;
    private final boolean robust;
    private final boolean pooledSpread;
    private final int robustWindow;
    private final ZoneId timeZone;
    private final double staticExpected;
    private final double staticLower;
    private final double staticUpper;
    private final int triggerPoints;
    private final int clearPoints;
    private final int cooldownPoints;

    private DetectorSpec(Builder b) {
        this.kind = b.kind;
        this.scorer = b.scorer != null ? b.scorer : b.kind.defaultScorer();
        this.direction = b.direction;
        this.transform = b.transform;
        this.logOffset = b.logOffset;
        this.allowNegative = b.allowNegative;
        this.zThreshold = b.zThreshold;
        this.minVolume = b.minVolume;
        this.minAbsChange = b.minAbsChange;
        this.minRelChange = b.minRelChange;
        this.sdFloor = b.sdFloor;
        this.sdFloorRel = b.sdFloorRel;
        this.smoothingAlpha = b.smoothingAlpha;
        this.noveltyHalfLife = b.noveltyHalfLife;
        this.noveltyRatio = b.noveltyRatio;
        this.alpha = b.alpha;
        this.minPoints = b.minPoints;
        this.anomalyWeight = b.anomalyWeight;
        this.relearnAfter = b.relearnAfter;
        this.robustZ = b.robustZ;
        this.enabled = b.enabled;
        this.freezeWhileOpen = b.freezeWhileOpen;
        this.evidenceWindows = b.evidenceWindows;
        this.evidenceCap = b.evidenceCap;
        this.seasonalPeriod = b.seasonalPeriod;
        this.slotMinutes = b.slotMinutes;
        this.seasonalAlpha = b.seasonalAlpha;
        this.minSeasons = b.minSeasons;
        this.robust = b.robust;
        this.pooledSpread = b.pooledSpread;
        this.robustWindow = b.robustWindow;
        this.timeZone = b.timeZone;
        this.staticExpected = b.staticExpected;
        this.staticLower = b.staticLower;
        this.staticUpper = b.staticUpper;
        this.triggerPoints = b.triggerPoints;
        this.clearPoints = b.clearPoints;
        this.cooldownPoints = b.cooldownPoints;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this spec's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.kind = kind;
        b.scorer = scorer;
        b.direction = direction;
        b.transform = transform;
        b.logOffset = logOffset;
        b.allowNegative = allowNegative;
        b.zThreshold = zThreshold;
        b.minVolume = minVolume;
        b.minAbsChange = minAbsChange;
        b.minRelChange = minRelChange;
        b.sdFloor = sdFloor;
        b.sdFloorRel = sdFloorRel;
        b.smoothingAlpha = smoothingAlpha;
        b.noveltyHalfLife = noveltyHalfLife;
        b.noveltyRatio = noveltyRatio;
        b.alpha = alpha;
        b.minPoints = minPoints;
        b.anomalyWeight = anomalyWeight;
        b.relearnAfter = relearnAfter;
        b.robustZ = robustZ;
        b.enabled = enabled;
        b.freezeWhileOpen = freezeWhileOpen;
        b.evidenceWindows = evidenceWindows;
        b.evidenceCap = evidenceCap;
        b.seasonalPeriod = seasonalPeriod;
        b.slotMinutes = slotMinutes;
        b.seasonalAlpha = seasonalAlpha;
        b.minSeasons = minSeasons;
        b.robust = robust;
        b.pooledSpread = pooledSpread;
        b.robustWindow = robustWindow;
        b.timeZone = timeZone;
        b.staticExpected = staticExpected;
        b.staticLower = staticLower;
        b.staticUpper = staticUpper;
        b.triggerPoints = triggerPoints;
        b.clearPoints = clearPoints;
        b.cooldownPoints = cooldownPoints;
        return b;
    }

    public MetricKind kind() {
        return kind;
    }

    public ScorerKind scorer() {
        return scorer;
    }

    public Direction direction() {
        return direction;
    }

    /** True for {@code transform: log}. */
    public boolean logScale() {
        return transform == Transform.LOG;
    }

    /** The Gaussian scorer's working scale. */
    public Transform transform() {
        return transform;
    }

    public double logOffset() {
        return logOffset;
    }

    public boolean allowNegative() {
        return allowNegative;
    }

    public double zThreshold() {
        return zThreshold;
    }

    public double minVolume() {
        return minVolume;
    }

    public double minAbsChange() {
        return minAbsChange;
    }

    public double minRelChange() {
        return minRelChange;
    }

    public double sdFloor() {
        return sdFloor;
    }

    public double sdFloorRel() {
        return sdFloorRel;
    }

    public double smoothingAlpha() {
        return smoothingAlpha;
    }

    public int noveltyHalfLife() {
        return noveltyHalfLife;
    }

    public double noveltyRatio() {
        return noveltyRatio;
    }

    public double alpha() {
        return alpha;
    }

    public int minPoints() {
        return minPoints;
    }

    public double anomalyWeight() {
        return anomalyWeight;
    }

    public int relearnAfter() {
        return relearnAfter;
    }

    /**
     * {@code baseline.robust_z}: a point more than this many spreads from the expectation (but not
     * beyond the threshold) is learned at weight {@code (robust_z / |z|)²}; 0 = off.
     */
    public double robustZ() {
        return robustZ;
    }

    /** {@code enabled: false} in an override stops scoring that metric on the matching series. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * {@code baseline.freeze_while_open}: while this detector's alert is open, windows inside the
     * band are learned at {@code anomaly_weight} too (the incident is not over until clear_points
     * normal windows).
     */
    public boolean freezeWhileOpen() {
        return freezeWhileOpen;
    }

    /**
     * Longest run of recent windows whose evidence is pooled ({@code evidence.max_windows}); the
     * scales tested are 1, 2, 4, ... up to it. 1 = every window is judged alone.
     */
    public int evidenceWindows() {
        return evidenceWindows;
    }

    /**
     * Largest standardized residual ({@code |y - expected| / spread}) one window brings into the
     * pooled evidence ({@code evidence.cap}; 0 = no cap). A percentile from a thin window has a
     * heavy tail (one slow visitor with a few views makes its p75): uncapped, such a window alone
     * carries every pooled scale it is part of for as many windows as the scale spans. Capped, a
     * pooled scale passes only when most of its windows lean the same way: the sustained shift
     * pooling is there to find.
     */
    public double evidenceCap() {
        return evidenceCap;
    }

    /**
     * The scales (numbers of recent windows) tested: 1, 2, 4, ... up to {@link #evidenceWindows}.
     */
    public int[] evidenceScales() {
        int n = 1;
        while ((1 << n) <= evidenceWindows) {
            n++;
        }
        int[] scales = new int[n];
        for (int i = 0; i < n; i++) {
            scales[i] = 1 << i;
        }
        return scales;
    }

    public SeasonalPeriod seasonalPeriod() {
        return seasonalPeriod;
    }

    public int slotMinutes() {
        return slotMinutes;
    }

    /** Number of seasonal slots (0 when seasonal is off). */
    public int slotCount() {
        return seasonalPeriod == SeasonalPeriod.NONE ? 0 : seasonalPeriod.minutes() / slotMinutes;
    }

    public double seasonalAlpha() {
        return seasonalAlpha;
    }

    public int minSeasons() {
        return minSeasons;
    }

    public boolean robust() {
        return robust;
    }

    public boolean pooledSpread() {
        return pooledSpread;
    }

    public int robustWindow() {
        return robustWindow;
    }

    public ZoneId timeZone() {
        return timeZone;
    }

    public double staticExpected() {
        return staticExpected;
    }

    public double staticLower() {
        return staticLower;
    }

    public double staticUpper() {
        return staticUpper;
    }

    /** True when a static budget (at least one limit) is configured. */
    public boolean hasStaticBudget() {
        return !Double.isNaN(staticLower) || !Double.isNaN(staticUpper);
    }

    public int triggerPoints() {
        return triggerPoints;
    }

    public int clearPoints() {
        return clearPoints;
    }

    public int cooldownPoints() {
        return cooldownPoints;
    }

    /**
     * The spec's identity text, built once: specs are immutable, and the job looks a detector up by
     * its spec for every scored metric (rebuilding this string there was ~5 % of the pipeline's CPU
     * in {@code ./beaconflow bench}).
     */
    private String identity;

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        return o instanceof DetectorSpec
                && hashCode() == o.hashCode()
                && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        String s = identity;
        if (s == null) {
            s = describe();
            identity = s;
        }
        return s;
    }

    private String describe() {
        return "DetectorSpec{kind="
                + kind
                + ", scorer="
                + scorer
                + ", direction="
                + direction
                + ", transform="
                + (transform == Transform.LOG ? "log(x+" + logOffset + ")" : transform.key())
                + ", allowNegative="
                + allowNegative
                + ", zThreshold="
                + zThreshold
                + ", minVolume="
                + minVolume
                + ", minAbsChange="
                + minAbsChange
                + ", minRelChange="
                + minRelChange
                + ", sdFloor="
                + sdFloor
                + ", sdFloorRel="
                + sdFloorRel
                + ", smoothingAlpha="
                + smoothingAlpha
                + ", novelty="
                + noveltyHalfLife
                + "/"
                + noveltyRatio
                + ", alpha="
                + alpha
                + ", minPoints="
                + minPoints
                + ", anomalyWeight="
                + anomalyWeight
                + ", relearnAfter="
                + relearnAfter
                + ", robustZ="
                + robustZ
                + ", enabled="
                + enabled
                + ", freezeWhileOpen="
                + freezeWhileOpen
                + ", evidenceWindows="
                + evidenceWindows
                + ", evidenceCap="
                + evidenceCap
                + ", seasonal="
                + seasonalPeriod
                + "/"
                + slotMinutes
                + "min alpha="
                + seasonalAlpha
                + " minSeasons="
                + minSeasons
                + " pooled="
                + pooledSpread
                + " robust="
                + robust
                + "/"
                + robustWindow
                + " zone="
                + timeZone
                + ", static=["
                + staticLower
                + ", "
                + staticExpected
                + ", "
                + staticUpper
                + "], alerting="
                + triggerPoints
                + "/"
                + clearPoints
                + "/"
                + cooldownPoints
                + "}";
    }

    /** Builder with named defaults; {@link #build()} checks every range and names the key. */
    public static final class Builder {
        private MetricKind kind = MetricKind.GENERIC;
        private ScorerKind scorer;
        private Direction direction = Direction.BOTH;
        private Transform transform = Transform.NONE;
        private double logOffset = DEFAULT_LOG_OFFSET;
        private boolean allowNegative;
        private double zThreshold = DEFAULT_Z_THRESHOLD;
        private double minVolume;
        private double minAbsChange;
        private double minRelChange;
        private double sdFloor;
        private double sdFloorRel;
        private double smoothingAlpha;
        private int noveltyHalfLife;
        private double noveltyRatio = DEFAULT_NOVELTY_RATIO;
        private double alpha = DEFAULT_ALPHA;
        private int minPoints = DEFAULT_MIN_POINTS;
        private double anomalyWeight = DEFAULT_ANOMALY_WEIGHT;
        private int relearnAfter = DEFAULT_RELEARN_AFTER;
        private double robustZ;
        private boolean enabled = true;
        private boolean freezeWhileOpen;
        private int evidenceWindows = 1;
        private double evidenceCap;
        private SeasonalPeriod seasonalPeriod = SeasonalPeriod.NONE;
        private int slotMinutes = DEFAULT_SLOT_MINUTES;
        private double seasonalAlpha = DEFAULT_SEASONAL_ALPHA;
        private int minSeasons = DEFAULT_MIN_SEASONS;
        private boolean robust;
        private boolean pooledSpread;
        private int robustWindow = DEFAULT_ROBUST_WINDOW;
        private ZoneId timeZone = ZoneOffset.UTC;
        private double staticExpected = Double.NaN;
        private double staticLower = Double.NaN;
        private double staticUpper = Double.NaN;
        private int triggerPoints = DEFAULT_TRIGGER_POINTS;
        private int clearPoints = DEFAULT_CLEAR_POINTS;
        private int cooldownPoints = DEFAULT_COOLDOWN_POINTS;

        private Builder() {}

        public Builder kind(MetricKind v) {
            kind = Objects.requireNonNull(v, "kind");
            return this;
        }

        /** Null means "the kind's default scorer". */
        public Builder scorer(ScorerKind v) {
            scorer = v;
            return this;
        }

        public Builder direction(Direction v) {
            direction = Objects.requireNonNull(v, "direction");
            return this;
        }

        /** {@code transform: log} (true) or none (false). */
        public Builder logScale(boolean v) {
            transform = v ? Transform.LOG : Transform.NONE;
            return this;
        }

        public Builder transform(Transform v) {
            transform = Objects.requireNonNull(v, "transform");
            return this;
        }

        public Builder logOffset(double v) {
            logOffset = v;
            return this;
        }

        public Builder allowNegative(boolean v) {
            allowNegative = v;
            return this;
        }

        public Builder zThreshold(double v) {
            zThreshold = v;
            return this;
        }

        public Builder minVolume(double v) {
            minVolume = v;
            return this;
        }

        public Builder minAbsChange(double v) {
            minAbsChange = v;
            return this;
        }

        public Builder minRelChange(double v) {
            minRelChange = v;
            return this;
        }

        public Builder sdFloor(double v) {
            sdFloor = v;
            return this;
        }

        public Builder sdFloorRel(double v) {
            sdFloorRel = v;
            return this;
        }

        public Builder smoothingAlpha(double v) {
            smoothingAlpha = v;
            return this;
        }

        public Builder noveltyHalfLife(int v) {
            noveltyHalfLife = v;
            return this;
        }

        public Builder noveltyRatio(double v) {
            noveltyRatio = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder minPoints(int v) {
            minPoints = v;
            return this;
        }

        public Builder anomalyWeight(double v) {
            anomalyWeight = v;
            return this;
        }

        public Builder evidenceWindows(int v) {
            evidenceWindows = v;
            return this;
        }

        public Builder evidenceCap(double v) {
            evidenceCap = v;
            return this;
        }

        public Builder freezeWhileOpen(boolean v) {
            freezeWhileOpen = v;
            return this;
        }

        public Builder enabled(boolean v) {
            enabled = v;
            return this;
        }

        public Builder robustZ(double v) {
            robustZ = v;
            return this;
        }

        public Builder relearnAfter(int v) {
            relearnAfter = v;
            return this;
        }

        public Builder seasonalPeriod(SeasonalPeriod v) {
            seasonalPeriod = Objects.requireNonNull(v, "seasonal.period");
            return this;
        }

        public Builder slotMinutes(int v) {
            slotMinutes = v;
            return this;
        }

        public Builder seasonalAlpha(double v) {
            seasonalAlpha = v;
            return this;
        }

        public Builder minSeasons(int v) {
            minSeasons = v;
            return this;
        }

        public Builder robust(boolean v) {
            robust = v;
            return this;
        }

        public Builder pooledSpread(boolean v) {
            pooledSpread = v;
            return this;
        }

        public Builder robustWindow(int v) {
            robustWindow = v;
            return this;
        }

        public Builder timeZone(ZoneId v) {
            timeZone = Objects.requireNonNull(v, "seasonal.time_zone");
            return this;
        }

        public Builder staticExpected(double v) {
            staticExpected = v;
            return this;
        }

        public Builder staticLower(double v) {
            staticLower = v;
            return this;
        }

        public Builder staticUpper(double v) {
            staticUpper = v;
            return this;
        }

        public Builder triggerPoints(int v) {
            triggerPoints = v;
            return this;
        }

        public Builder clearPoints(int v) {
            clearPoints = v;
            return this;
        }

        public Builder cooldownPoints(int v) {
            cooldownPoints = v;
            return this;
        }

        /**
         * Checks every range and the relations between keys.
         *
         * @throws IllegalArgumentException naming the key (as written in YAML) and the fix
         */
        public DetectorSpec build() {
            positive("z_threshold", zThreshold, 100);
            nonNegative("min_volume", minVolume);
            nonNegative("min_abs_change", minAbsChange);
            nonNegative("min_rel_change", minRelChange);
            nonNegative("sd_floor", sdFloor);
            nonNegative("sd_floor_rel", sdFloorRel);
            nonNegative("log_offset", logOffset);
            unit("smoothing_alpha", smoothingAlpha, true);
            atLeast("novelty.half_life", noveltyHalfLife, 0);
            nonNegative("novelty.ratio", noveltyRatio);
            unit("baseline.alpha", alpha, false);
            atLeast("baseline.min_points", minPoints, 1);
            unit("baseline.anomaly_weight", anomalyWeight, true);
            atLeast("baseline.relearn_after", relearnAfter, 0);
            nonNegative("baseline.robust_z", robustZ);
            unit("seasonal.alpha", seasonalAlpha, false);
            atLeast("seasonal.min_seasons", minSeasons, 1);
            if (evidenceWindows < 1 || evidenceWindows > MAX_EVIDENCE_WINDOWS) {
                throw new IllegalArgumentException(
                        "evidence.max_windows must be in [1, "
                                + MAX_EVIDENCE_WINDOWS
                                + "], got "
                                + evidenceWindows
                                + "; use e.g. 32 (1 = judge every window alone)");
            }
            nonNegative("evidence.cap", evidenceCap);
            atLeast("seasonal.slot_minutes", slotMinutes, 1);
            if (robustWindow < 3 || robustWindow > 64) {
                throw new IllegalArgumentException(
                        "seasonal.robust_window must be in [3, 64], got "
                                + robustWindow
                                + "; use e.g. 9");
            }
            if (seasonalPeriod != SeasonalPeriod.NONE
                    && seasonalPeriod.minutes() % slotMinutes != 0) {
                throw new IllegalArgumentException(
                        "seasonal.slot_minutes "
                                + slotMinutes
                                + " does not divide the "
                                + seasonalPeriod.name().toLowerCase()
                                + " period of "
                                + seasonalPeriod.minutes()
                                + " minutes; use a divisor such as 15, 30 or 60");
            }
            if (!Double.isNaN(staticLower)
                    && !Double.isNaN(staticUpper)
                    && staticLower >= staticUpper) {
                throw new IllegalArgumentException(
                        "static.lower ("
                                + staticLower
                                + ") must be below static.upper ("
                                + staticUpper
                                + "); swap them or drop one");
            }
            if (!Double.isNaN(staticExpected) && !hasStatic()) {
                throw new IllegalArgumentException(
                        "static.expected is set but neither static.lower nor static.upper; "
                                + "add the limit that should alert");
            }
            ScorerKind effective = scorer != null ? scorer : kind.defaultScorer();
            if (transform != Transform.NONE && effective != ScorerKind.GAUSSIAN) {
                throw new IllegalArgumentException(
                        "transform: "
                                + transform.key()
                                + " only applies to the gaussian scorer, but the scorer is "
                                + effective.name().toLowerCase()
                                + "; remove transform or set scorer: gaussian");
            }
            atLeast("alerting.trigger_points", triggerPoints, 1);
            atLeast("alerting.clear_points", clearPoints, 1);
            atLeast("alerting.cooldown_points", cooldownPoints, 0);
            return new DetectorSpec(this);
        }

        private boolean hasStatic() {
            return !Double.isNaN(staticLower) || !Double.isNaN(staticUpper);
        }

        private static void positive(String key, double v, double max) {
            if (!(v > 0 && v <= max)) {
                throw new IllegalArgumentException(
                        key + " must be in (0, " + max + "], got " + v + "; use e.g. 3.5");
            }
        }

        private static void nonNegative(String key, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(
                        key + " must be a finite number >= 0, got " + v + "; use 0 to disable");
            }
        }

        private static void unit(String key, double v, boolean zeroAllowed) {
            boolean ok = zeroAllowed ? v >= 0 && v <= 1 : v > 0 && v <= 1;
            if (!ok) {
                throw new IllegalArgumentException(
                        key
                                + " must be in "
                                + (zeroAllowed ? "[0, 1]" : "(0, 1]")
                                + ", got "
                                + v
                                + "; use e.g. 0.05");
            }
        }

        private static void atLeast(String key, int v, int min) {
            if (v < min) {
                throw new IllegalArgumentException(
                        key + " must be an integer >= " + min + ", got " + v);
            }
        }
    }
}
