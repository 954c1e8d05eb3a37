package io.beaconflow.detectors;

/**
 * The immutable, validated configuration of one detector: which baseline predicts, which scorer
 * decides, and the gates and hysteresis around the decision. Built from YAML by {@code
 * io.beaconflow.detectors.spec.DetectorSpecs} or in code with {@link #builder()}; every knob has a
 * named {@code DEFAULT_*} and the builder checks ranges early with messages that name the key.
 *
 * <p>The top level holds what every detector uses (kind, scorer, direction, transform, threshold,
 * gates, noise floors, novelty, the EWMA's {@code baseline.*}); the optional mechanisms are
 * sections of their own, as in the YAML: {@link #seasonal()}, {@link #evidence()}, {@link
 * #drift()}, {@link #staticBudget()} and {@link #alerting()}.
 */
public final class DetectorSpec {
    public static final double DEFAULT_Z_THRESHOLD = 4.0;

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_NOVELTY_RATIO = 1.0;
    public static final int DEFAULT_MIN_POINTS = 30;
    public static final double DEFAULT_ANOMALY_WEIGHT = 0.0;
    public static final int DEFAULT_RELEARN_AFTER = 30;
    public static final double DEFAULT_LOG_OFFSET = 1.0;

    private final MetricKind kind;
    private final ScorerKind scorer;
    private final Direction direction;
    private final Transform transform;
    private final double logOffset;
    private final boolean allowNegative;
    private final double zThreshold;
    private final double dropZThreshold;
    private final double minVolume;
    private final int minSessions;
    private final double bodyShare;
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
    private final double spreadHold;
    private final double spreadAlpha;
    private final double baselineMinEvents;
    private final boolean enabled;
    private final boolean freezeWhileOpen;
    private final boolean exactCounts;
    private final EvidenceSpec evidence;
    private final DriftSpec drift;
    private final SeasonalSpec seasonal;
    private final StaticBudget staticBudget;
    private final AlertingSpec alerting;

    DetectorSpec(DetectorSpecBuilder b) {
        this.kind = b.kind;
        this.scorer = b.scorer != null ? b.scorer : b.kind.defaultScorer();
        this.direction = b.direction;
        this.transform = b.transform;
        this.logOffset = b.logOffset;
        this.allowNegative = b.allowNegative;
        this.zThreshold = b.zThreshold;
        this.dropZThreshold = b.dropZThreshold;
        this.minVolume = b.minVolume;
        this.minSessions = b.minSessions;
        this.bodyShare = b.bodyShare;
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
        this.spreadHold = b.spreadHold;
        this.spreadAlpha = b.spreadAlpha;
        this.baselineMinEvents = b.baselineMinEvents;
        this.enabled = b.enabled;
        this.freezeWhileOpen = b.freezeWhileOpen;
        this.exactCounts = b.exactCounts;
        this.evidence =
                new EvidenceSpec(
                        b.evidenceWindows,
                        b.evidenceCap,
                        b.evidenceAnchored,
                        b.evidencePooledRate,
                        b.evidenceDirection,
                        b.evidenceScalesPerOctave);
        this.drift = new DriftSpec(b.driftReferenceAlpha, b.driftLevelAlpha, b.driftMinRelChange);
        this.seasonal =
                new SeasonalSpec(
                        b.seasonalPeriod,
                        b.slotMinutes,
                        b.seasonalAlpha,
                        b.minSeasons,
                        b.robust,
                        b.pooledSpread,
                        b.robustWindow,
                        b.timeZone);
        this.staticBudget = new StaticBudget(b.staticExpected, b.staticLower, b.staticUpper);
        this.alerting = new AlertingSpec(b.triggerPoints, b.clearPoints, b.cooldownPoints);
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
        b.dropZThreshold = dropZThreshold;
        b.minVolume = minVolume;
        b.minSessions = minSessions;
        b.bodyShare = bodyShare;
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
        b.spreadHold = spreadHold;
        b.spreadAlpha = spreadAlpha;
        b.baselineMinEvents = baselineMinEvents;
        b.enabled = enabled;
        b.freezeWhileOpen = freezeWhileOpen;
        b.exactCounts = exactCounts;
        b.evidenceWindows = evidence.maxWindows();
        b.evidenceCap = evidence.cap();
        b.evidenceAnchored = evidence.anchored();
        b.evidencePooledRate = evidence.pooledRate();
        b.evidenceDirection = evidence.direction();
        b.evidenceScalesPerOctave = evidence.scalesPerOctave();
        b.driftReferenceAlpha = drift.referenceAlpha();
        b.driftLevelAlpha = drift.levelAlpha();
        b.driftMinRelChange = drift.minRelChange();
        b.seasonalPeriod = seasonal.period();
        b.slotMinutes = seasonal.slotMinutes();
        b.seasonalAlpha = seasonal.alpha();
        b.minSeasons = seasonal.minSeasons();
        b.robust = seasonal.robust();
        b.pooledSpread = seasonal.pooledSpread();
        b.robustWindow = seasonal.robustWindow();
        b.timeZone = seasonal.timeZone();
        b.staticExpected = staticBudget.expected();
        b.staticLower = staticBudget.lower();
        b.staticUpper = staticBudget.upper();
        b.triggerPoints = alerting.triggerPoints();
        b.clearPoints = alerting.clearPoints();
        b.cooldownPoints = alerting.cooldownPoints();
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

    /** The window test's threshold for falls: {@code drop_z_threshold}, 0 when not set. */
    public double dropZThreshold() {
        return dropZThreshold;
    }

    /**
     * The window test's threshold for a deviation of sign {@code z}: {@code drop_z_threshold} for a
     * fall when set, else {@code z_threshold}. Pooled scales and the drift test keep {@code
     * z_threshold} (their budget is per scale, and a fall is where counts are not heavy-tailed).
     */
    public double zThresholdFor(double z) {
        return z < 0 && dropZThreshold > 0 ? dropZThreshold : zThreshold;
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

    /**
     * Share of a higher percentile's rise (working scale) the same window's median must carry for
     * the rise to count in that window alone ({@code body_share}), 0 for no check; see {@link
     * BodyCheck}.
     */
    public double bodyShare() {
        return bodyShare;
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
     * {@code baseline.spread_hold}: while the pooled scales (two windows and more) lean this share
     * of the threshold or more the window's way, the window does not teach the spread; 0 = off (see
     * {@link BaselineLearning#spreadWeight}).
     */
    public double spreadHold() {
        return spreadHold;
    }

    /**
     * {@code baseline.spread_alpha}: the weight of a new point in the spread (the residual
     * variance), when it differs from the mean's {@code baseline.alpha}; {@link #alpha()} when
     * unset (see {@link BaselineLearning#learn}).
     */
    public double spreadAlpha() {
        return spreadAlpha > 0 ? spreadAlpha : alpha;
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
     * A count on the square-root scale is significant only if its exact Poisson tail agrees, at the
     * dispersion the baseline learned ({@code exact_counts}; see {@code
     * CountScorer.quasiPoissonAgrees}).
     */
    public boolean exactCounts() {
        return exactCounts;
    }

    /** Pooled evidence over several windows ({@code evidence.*}). */
    public EvidenceSpec evidence() {
        return evidence;
    }

    /** The slow-drift test ({@code drift.*}). */
    public DriftSpec drift() {
        return drift;
    }

    /** The seasonal baseline's slots ({@code seasonal.*}). */
    public SeasonalSpec seasonal() {
        return seasonal;
    }

    /** Fixed limits while no baseline answers ({@code static.*}). */
    public StaticBudget staticBudget() {
        return staticBudget;
    }

    /** One incident, one alert ({@code alerting.*}). */
    public AlertingSpec alerting() {
        return alerting;
    }

    /**
     * Tests each window of a series gets: one per evidence scale, plus the drift test. The budget
     * splits a metric's share of the false alerts over them.
     */
    public int testsPerWindow() {
        return evidence.scales().length + (drift.enabled() ? 1 : 0);
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
                // Only when set, as minSessions below.
                + (dropZThreshold > 0 ? ", dropZThreshold=" + dropZThreshold : "")
                + ", minVolume="
                + minVolume
                // Only when set: specs without the gate keep their identity, and with it the
                // detector state that state fingerprints tie to it.
                + (minSessions > 0 ? ", minSessions=" + minSessions : "")
                + (bodyShare > 0 ? ", bodyShare=" + bodyShare : "")
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
                + (spreadHold > 0 ? ", spreadHold=" + spreadHold : "")
                + (spreadAlpha > 0 ? ", spreadAlpha=" + spreadAlpha : "")
                + (baselineMinEvents > 0 ? ", baselineMinEvents=" + baselineMinEvents : "")
                + ", enabled="
                + enabled
                + ", freezeWhileOpen="
                + freezeWhileOpen
                + evidence.identity()
                + (exactCounts ? ", exactCounts=true" : "")
                + drift.identity()
                + seasonal.identity()
                + staticBudget.identity()
                + alerting.identity()
                + "}";
    }
}
