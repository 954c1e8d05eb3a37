package io.beaconflow.detectors;

import java.time.ZoneId;

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

    /** Recent level of the drift test: memory of about 20 windows. */
    public static final double DEFAULT_DRIFT_LEVEL_ALPHA = 0.1;

    private final MetricKind kind;
    private final ScorerKind scorer;
    private final Direction direction;
    private final Transform transform;
    private final double logOffset;
    private final boolean allowNegative;
    private final double zThreshold;
    private final double minVolume;
    private final int minSessions;
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
    private final double baselineMinEvents;
    private final boolean enabled;
    private final boolean freezeWhileOpen;
    private final int evidenceWindows;
    private final double evidenceCap;
    private final boolean evidenceAnchored;
    private final boolean evidencePooledRate;
    private final Direction evidenceDirection;
    private final double driftReferenceAlpha;
    private final double driftLevelAlpha;
    private final double driftMinRelChange;
    private final boolean exactCounts;
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

    DetectorSpec(DetectorSpecBuilder b) {
        this.kind = b.kind;
        this.scorer = b.scorer != null ? b.scorer : b.kind.defaultScorer();
        this.direction = b.direction;
        this.transform = b.transform;
        this.logOffset = b.logOffset;
        this.allowNegative = b.allowNegative;
        this.zThreshold = b.zThreshold;
        this.minVolume = b.minVolume;
        this.minSessions = b.minSessions;
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
        this.baselineMinEvents = b.baselineMinEvents;
        this.enabled = b.enabled;
        this.freezeWhileOpen = b.freezeWhileOpen;
        this.evidenceWindows = b.evidenceWindows;
        this.evidenceCap = b.evidenceCap;
        this.evidenceAnchored = b.evidenceAnchored;
        this.evidencePooledRate = b.evidencePooledRate;
        this.evidenceDirection = b.evidenceDirection;
        this.driftReferenceAlpha = b.driftReferenceAlpha;
        this.driftLevelAlpha = b.driftLevelAlpha;
        this.driftMinRelChange = b.driftMinRelChange;
        this.exactCounts = b.exactCounts;
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

    public static DetectorSpecBuilder builder() {
        return new DetectorSpecBuilder();
    }

    /** A builder preloaded with this spec's values. */
    public DetectorSpecBuilder toBuilder() {
        DetectorSpecBuilder b = new DetectorSpecBuilder();
        b.kind = kind;
        b.scorer = scorer;
        b.direction = direction;
        b.transform = transform;
        b.logOffset = logOffset;
        b.allowNegative = allowNegative;
        b.zThreshold = zThreshold;
        b.minVolume = minVolume;
        b.minSessions = minSessions;
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
        b.baselineMinEvents = baselineMinEvents;
        b.enabled = enabled;
        b.freezeWhileOpen = freezeWhileOpen;
        b.evidenceWindows = evidenceWindows;
        b.evidenceCap = evidenceCap;
        b.evidenceAnchored = evidenceAnchored;
        b.evidencePooledRate = evidencePooledRate;
        b.evidenceDirection = evidenceDirection;
        b.driftReferenceAlpha = driftReferenceAlpha;
        b.driftLevelAlpha = driftLevelAlpha;
        b.driftMinRelChange = driftMinRelChange;
        b.exactCounts = exactCounts;
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

    /** {@code value} on the working scale (after the transform with its log offset). */
    public double toWorking(double value) {
        return transform.apply(value, logOffset);
    }

    /** A working-scale value {@code y} back on the metric's own scale. */
    public double toOriginal(double y) {
        return transform.invert(y, logOffset);
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

    /**
     * Distinct visitors (sessions) the windows behind a verdict must have, 0 for no gate: a thin
     * segment's p75 moves whenever one slow visitor passes, and no percentile of one visitor is a
     * regression of the segment (see {@link io.beaconflow.detectors.evidence.Visitors}).
     */
    public int minSessions() {
        return minSessions;
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

    /**
     * Proportions only: the baseline remembers at least this many expected events (errors), so a
     * thin segment's rate is learned over hours, not over its last 40 windows (0 = off; see {@code
     * BaselineLearning#weight}).
     */
    public double baselineMinEvents() {
        return baselineMinEvents;
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
     * Pooled scales are tested against the expectation before their first window ({@code
     * evidence.anchored}) instead of each window's own, which has already learned the scale's
     * earlier windows (see {@code PooledEvidence.anchoredZ}).
     */
    public boolean evidenceAnchored() {
        return evidenceAnchored;
    }

    /**
     * Proportions only: pooled scales take each window's standard error at the baseline rate lifted
     * once per scale, not per window ({@code ProportionScorer#pooledSpread}).
     */
    public boolean evidencePooledRate() {
        return evidencePooledRate;
    }

    /**
     * Which deviations the pooled scales (2 windows and more) may alert on, within {@link
     * #direction} ({@code evidence.direction}). A count's clusters (a visitor's views come
     * together) make its pooled rises heavy-tailed, while a drop has no such tail: pooling only
     * drops lets a thin segment's outage add up without pooling its bursts.
     */
    public Direction evidenceDirection() {
        return evidenceDirection;
    }

    /**
     * Weight of a window in the slow reference level of the drift test ({@code
     * drift.reference_alpha}; 0 = no drift test). See {@code DriftEvidence}.
     */
    public double driftReferenceAlpha() {
        return driftReferenceAlpha;
    }

    /**
     * Weight of a window in the recent level the drift test compares ({@code drift.level_alpha}).
     */
    public double driftLevelAlpha() {
        return driftLevelAlpha;
    }

    /**
     * Relative change of the recent level over the reference a drift must also reach ({@code
     * drift.min_rel_change}; 0 = the spec's min_rel_change).
     */
    public double driftMinRelChange() {
        return driftMinRelChange > 0 ? driftMinRelChange : minRelChange;
    }

    /** Whether the drift test runs ({@code drift.reference_alpha > 0}). */
    public boolean driftEnabled() {
        return driftReferenceAlpha > 0;
    }

    /**
     * A count on the square-root scale is significant only if its exact Poisson tail agrees, at the
     * dispersion the baseline learned ({@code exact_counts}; see {@code
     * CountScorer.quasiPoissonAgrees}).
     */
    public boolean exactCounts() {
        return exactCounts;
    }

    /**
     * Tests each window of a series gets: one per evidence scale, plus the drift test. The budget
     * splits a metric's share of the false alerts over them.
     */
    public int testsPerWindow() {
        return evidenceScales().length + (driftEnabled() ? 1 : 0);
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
                // Only when set: specs without the gate keep their identity, and with it the
                // detector state that state fingerprints tie to it.
                + (minSessions > 0 ? ", minSessions=" + minSessions : "")
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
                + (baselineMinEvents > 0 ? ", baselineMinEvents=" + baselineMinEvents : "")
                + ", enabled="
                + enabled
                + ", freezeWhileOpen="
                + freezeWhileOpen
                + ", evidenceWindows="
                + evidenceWindows
                + ", evidenceCap="
                + evidenceCap
                + (evidenceAnchored ? ", evidenceAnchored=true" : "")
                + (evidencePooledRate ? ", evidencePooledRate=true" : "")
                + (evidenceDirection != Direction.BOTH
                        ? ", evidenceDirection=" + evidenceDirection
                        : "")
                + (exactCounts ? ", exactCounts=true" : "")
                + (driftReferenceAlpha > 0
                        ? ", drift="
                                + driftReferenceAlpha
                                + "/"
                                + driftLevelAlpha
                                + "/"
                                + driftMinRelChange
                        : "")
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
}
