package io.beaconflow.detectors;

import io.beaconflow.detectors.evidence.Visitors;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Builds a {@link DetectorSpec}: named defaults, one setter per key, and {@link #build()} checks
 * every range and names the key. Start from {@link DetectorSpec#builder()} or {@link
 * DetectorSpec#toBuilder()}.
 */
public final class DetectorSpecBuilder {
    MetricKind kind = MetricKind.GENERIC;
    ScorerKind scorer;
    Direction direction = Direction.BOTH;
    Transform transform = Transform.NONE;
    double logOffset = DetectorSpec.DEFAULT_LOG_OFFSET;
    boolean allowNegative;
    double zThreshold = DetectorSpec.DEFAULT_Z_THRESHOLD;
    double dropZThreshold = 0;
    double minVolume;
    int minSessions;
    double bodyShare;
    double minAbsChange;
    double minRelChange;
    double sdFloor;
    double sdFloorRel;
    double smoothingAlpha;
    int noveltyHalfLife;
    double noveltyRatio = DetectorSpec.DEFAULT_NOVELTY_RATIO;
    double alpha = DetectorSpec.DEFAULT_ALPHA;
    int minPoints = DetectorSpec.DEFAULT_MIN_POINTS;
    double anomalyWeight = DetectorSpec.DEFAULT_ANOMALY_WEIGHT;
    int relearnAfter = DetectorSpec.DEFAULT_RELEARN_AFTER;
    double robustZ;
    double spreadHold;
    double spreadAlpha;
    double baselineMinEvents;
    boolean enabled = true;
    boolean freezeWhileOpen;
    int evidenceWindows = 1;
    double evidenceCap;
    boolean evidenceAnchored;
    boolean evidencePooledRate;
    Direction evidenceDirection = Direction.BOTH;
    int evidenceScalesPerOctave = 1;
    boolean exactCounts;
    double driftReferenceAlpha;
    double driftLevelAlpha = DriftSpec.DEFAULT_LEVEL_ALPHA;
    double driftMinRelChange;
    SeasonalPeriod seasonalPeriod = SeasonalPeriod.NONE;
    int slotMinutes = SeasonalSpec.DEFAULT_SLOT_MINUTES;
    double seasonalAlpha = SeasonalSpec.DEFAULT_ALPHA;
    int minSeasons = SeasonalSpec.DEFAULT_MIN_SEASONS;
    boolean robust;
    boolean pooledSpread;
    int robustWindow = SeasonalSpec.DEFAULT_ROBUST_WINDOW;
    ZoneId timeZone = ZoneOffset.UTC;
    double staticExpected = Double.NaN;
    double staticLower = Double.NaN;
    double staticUpper = Double.NaN;
    int triggerPoints = AlertingSpec.DEFAULT_TRIGGER_POINTS;
    int clearPoints = AlertingSpec.DEFAULT_CLEAR_POINTS;
    int cooldownPoints = AlertingSpec.DEFAULT_COOLDOWN_POINTS;

    DetectorSpecBuilder() {}

    public DetectorSpecBuilder kind(MetricKind v) {
        kind = Objects.requireNonNull(v, "kind");
        return this;
    }

    /** Null means "the kind's default scorer". */
    public DetectorSpecBuilder scorer(ScorerKind v) {
        scorer = v;
        return this;
    }

    public DetectorSpecBuilder direction(Direction v) {
        direction = Objects.requireNonNull(v, "direction");
        return this;
    }

    /** {@code transform: log} (true) or none (false). */
    public DetectorSpecBuilder logScale(boolean v) {
        transform = v ? Transform.LOG : Transform.NONE;
        return this;
    }

    public DetectorSpecBuilder transform(Transform v) {
        transform = Objects.requireNonNull(v, "transform");
        return this;
    }

    public DetectorSpecBuilder logOffset(double v) {
        logOffset = v;
        return this;
    }

    public DetectorSpecBuilder allowNegative(boolean v) {
        allowNegative = v;
        return this;
    }

    public DetectorSpecBuilder zThreshold(double v) {
        zThreshold = v;
        return this;
    }

    /** The window test's threshold for falls; 0: {@link #zThreshold} for both directions. */
    public DetectorSpecBuilder dropZThreshold(double v) {
        dropZThreshold = v;
        return this;
    }

    public DetectorSpecBuilder minVolume(double v) {
        minVolume = v;
        return this;
    }

    public DetectorSpecBuilder minSessions(int v) {
        minSessions = v;
        return this;
    }

    /** Share of a higher percentile's rise the window's median must carry; 0: no check. */
    public DetectorSpecBuilder bodyShare(double v) {
        bodyShare = v;
        return this;
    }

    public DetectorSpecBuilder minAbsChange(double v) {
        minAbsChange = v;
        return this;
    }

    public DetectorSpecBuilder minRelChange(double v) {
        minRelChange = v;
        return this;
    }

    public DetectorSpecBuilder sdFloor(double v) {
        sdFloor = v;
        return this;
    }

    public DetectorSpecBuilder sdFloorRel(double v) {
        sdFloorRel = v;
        return this;
    }

    public DetectorSpecBuilder smoothingAlpha(double v) {
        smoothingAlpha = v;
        return this;
    }

    public DetectorSpecBuilder noveltyHalfLife(int v) {
        noveltyHalfLife = v;
        return this;
    }

    public DetectorSpecBuilder noveltyRatio(double v) {
        noveltyRatio = v;
        return this;
    }

    public DetectorSpecBuilder alpha(double v) {
        alpha = v;
        return this;
    }

    public DetectorSpecBuilder minPoints(int v) {
        minPoints = v;
        return this;
    }

    public DetectorSpecBuilder anomalyWeight(double v) {
        anomalyWeight = v;
        return this;
    }

    public DetectorSpecBuilder evidenceWindows(int v) {
        evidenceWindows = v;
        return this;
    }

    public DetectorSpecBuilder evidenceCap(double v) {
        evidenceCap = v;
        return this;
    }

    public DetectorSpecBuilder evidenceDirection(Direction v) {
        evidenceDirection = Objects.requireNonNull(v, "evidence.direction");
        return this;
    }

    public DetectorSpecBuilder evidenceAnchored(boolean v) {
        evidenceAnchored = v;
        return this;
    }

    public DetectorSpecBuilder evidenceScalesPerOctave(int v) {
        evidenceScalesPerOctave = v;
        return this;
    }

    public DetectorSpecBuilder evidencePooledRate(boolean v) {
        evidencePooledRate = v;
        return this;
    }

    public DetectorSpecBuilder exactCounts(boolean v) {
        exactCounts = v;
        return this;
    }

    public DetectorSpecBuilder driftReferenceAlpha(double v) {
        driftReferenceAlpha = v;
        return this;
    }

    public DetectorSpecBuilder driftMinRelChange(double v) {
        driftMinRelChange = v;
        return this;
    }

    public DetectorSpecBuilder driftLevelAlpha(double v) {
        driftLevelAlpha = v;
        return this;
    }

    public DetectorSpecBuilder freezeWhileOpen(boolean v) {
        freezeWhileOpen = v;
        return this;
    }

    public DetectorSpecBuilder enabled(boolean v) {
        enabled = v;
        return this;
    }

    public DetectorSpecBuilder baselineMinEvents(double v) {
        baselineMinEvents = v;
        return this;
    }

    public DetectorSpecBuilder robustZ(double v) {
        robustZ = v;
        return this;
    }

    public DetectorSpecBuilder spreadHold(double v) {
        spreadHold = v;
        return this;
    }

    public DetectorSpecBuilder spreadAlpha(double v) {
        spreadAlpha = v;
        return this;
    }

    public DetectorSpecBuilder relearnAfter(int v) {
        relearnAfter = v;
        return this;
    }

    public DetectorSpecBuilder seasonalPeriod(SeasonalPeriod v) {
        seasonalPeriod = Objects.requireNonNull(v, "seasonal.period");
        return this;
    }

    public DetectorSpecBuilder slotMinutes(int v) {
        slotMinutes = v;
        return this;
    }

    public DetectorSpecBuilder seasonalAlpha(double v) {
        seasonalAlpha = v;
        return this;
    }

    public DetectorSpecBuilder minSeasons(int v) {
        minSeasons = v;
        return this;
    }

    public DetectorSpecBuilder robust(boolean v) {
        robust = v;
        return this;
    }

    public DetectorSpecBuilder pooledSpread(boolean v) {
        pooledSpread = v;
        return this;
    }

    public DetectorSpecBuilder robustWindow(int v) {
        robustWindow = v;
        return this;
    }

    public DetectorSpecBuilder timeZone(ZoneId v) {
        timeZone = Objects.requireNonNull(v, "seasonal.time_zone");
        return this;
    }

    public DetectorSpecBuilder staticExpected(double v) {
        staticExpected = v;
        return this;
    }

    public DetectorSpecBuilder staticLower(double v) {
        staticLower = v;
        return this;
    }

    public DetectorSpecBuilder staticUpper(double v) {
        staticUpper = v;
        return this;
    }

    public DetectorSpecBuilder triggerPoints(int v) {
        triggerPoints = v;
        return this;
    }

    public DetectorSpecBuilder clearPoints(int v) {
        clearPoints = v;
        return this;
    }

    public DetectorSpecBuilder cooldownPoints(int v) {
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
        if (!(dropZThreshold >= 0 && dropZThreshold <= 100)) {
            throw new IllegalArgumentException(
                    "drop_z_threshold must be in [0, 100], got "
                            + dropZThreshold
                            + "; use 0 for z_threshold in both directions, or a threshold for"
                            + " falls such as 4");
        }
        nonNegative("min_volume", minVolume);
        within(
                "min_sessions",
                minSessions,
                0,
                Visitors.MAX_GATE,
                "use 0 to turn the gate off, or 3-5 so one or two visitors cannot alert");
        share(
                "body_share",
                bodyShare,
                "use 0 to turn the check off, or 0.5 so a percentile's rise counts in one window"
                        + " only when the window's median carries half of it");
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
        share(
                "baseline.spread_hold",
                spreadHold,
                "use 0 to turn it off, or 0.5 so a shift whose pooled evidence is half-way to the"
                        + " threshold does not widen the band it is judged by");
        unit("baseline.spread_alpha", spreadAlpha, true);
        nonNegative("baseline.min_events", baselineMinEvents);
        unit("seasonal.alpha", seasonalAlpha, false);
        atLeast("seasonal.min_seasons", minSeasons, 1);
        within(
                "evidence.max_windows",
                evidenceWindows,
                1,
                EvidenceSpec.MAX_WINDOWS,
                "use e.g. 32 (1 = judge every window alone)");
        within(
                "evidence.scales_per_octave",
                evidenceScalesPerOctave,
                1,
                EvidenceSpec.MAX_SCALES_PER_OCTAVE,
                "use 1 (scales 1, 2, 4, ...) or 2 (1, 2, 3, 4, 6, 8, ...)");
        nonNegative("evidence.cap", evidenceCap);
        unit("drift.reference_alpha", driftReferenceAlpha, true);
        unit("drift.level_alpha", driftLevelAlpha, false);
        nonNegative("drift.min_rel_change", driftMinRelChange);
        if (driftReferenceAlpha > 0 && driftReferenceAlpha * 4 > driftLevelAlpha) {
            throw new IllegalArgumentException(
                    "drift.reference_alpha "
                            + driftReferenceAlpha
                            + " must be at most a quarter of drift.level_alpha "
                            + driftLevelAlpha
                            + ": the reference must remember much longer than the recent level;"
                            + " use e.g. reference_alpha 0.005 with level_alpha 0.1");
        }
        atLeast("seasonal.slot_minutes", slotMinutes, 1);
        within("seasonal.robust_window", robustWindow, 3, 64, "use e.g. 9");
        if (seasonalPeriod != SeasonalPeriod.NONE && seasonalPeriod.minutes() % slotMinutes != 0) {
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
        if (!Double.isNaN(staticExpected)
                && !new StaticBudget(staticExpected, staticLower, staticUpper).configured()) {
            throw new IllegalArgumentException(
                    "static.expected is set but neither static.lower nor static.upper; "
                            + "add the limit that should alert");
        }
        ScorerKind effective = scorer != null ? scorer : kind.defaultScorer();
        if (exactCounts && (transform != Transform.SQRT || effective != ScorerKind.GAUSSIAN)) {
            throw new IllegalArgumentException(
                    "exact_counts: true needs the count scale (scorer: gaussian, transform: sqrt);"
                            + " set both, or remove exact_counts");
        }
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

    private static void positive(String key, double v, double max) {
        if (!(v > 0 && v <= max)) {
            throw new IllegalArgumentException(
                    key + " must be in (0, " + max + "], got " + v + "; use e.g. 3.5");
        }
    }

    private static void within(String key, int v, int min, int max, String fix) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    key + " must be in [" + min + ", " + max + "], got " + v + "; " + fix);
        }
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(
                    key + " must be a finite number >= 0, got " + v + "; use 0 to disable");
        }
    }

    /** A share in [0, 1] where 0 turns the feature off; {@code fix} says what to set. */
    private static void share(String key, double v, String fix) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(key + " must be in [0, 1], got " + v + "; " + fix);
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
