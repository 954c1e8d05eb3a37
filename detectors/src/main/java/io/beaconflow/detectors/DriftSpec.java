package io.beaconflow.detectors;

/**
 * The {@code drift:} section of a detector spec: the slow-drift test ({@link
 * io.beaconflow.detectors.evidence.DriftEvidence}), which compares a recent level with a slow
 * reference to find a ramp the baseline follows too closely to flag.
 *
 * @param referenceAlpha weight of a window in the slow reference level ({@code
 *     drift.reference_alpha}; 0 = no drift test)
 * @param levelAlpha weight of a window in the recent level the test compares ({@code
 *     drift.level_alpha})
 * @param minRelChange relative change of the recent level over the reference a drift must also
 *     reach, as written ({@code drift.min_rel_change}; 0 = the spec's min_rel_change, see {@link
 *     #minRelChangeOr})
 */
public record DriftSpec(double referenceAlpha, double levelAlpha, double minRelChange) {
    /** Recent level of the drift test: memory of about 20 windows. */
    public static final double DEFAULT_LEVEL_ALPHA = 0.1;

    /** Whether the drift test runs ({@code drift.reference_alpha > 0}). */
    public boolean enabled() {
        return referenceAlpha > 0;
    }

    /** The relative change a drift must reach: its own, else {@code specMinRelChange}. */
    public double minRelChangeOr(double specMinRelChange) {
        return minRelChange > 0 ? minRelChange : specMinRelChange;
    }

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return referenceAlpha > 0
                ? ", drift=" + referenceAlpha + "/" + levelAlpha + "/" + minRelChange
                : "";
    }
}
