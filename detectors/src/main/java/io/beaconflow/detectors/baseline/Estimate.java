package io.beaconflow.detectors.baseline;

import io.beaconflow.detectors.BaselineKind;

/**
 * A baseline's prediction for one point, on the detector's working scale.
 *
 * @param kind which baseline answered
 * @param mean expected value
 * @param sd spread (standard deviation, or 1.4826 × MAD for the robust option)
 */
public record Estimate(BaselineKind kind, double mean, double sd) {
    public static final Estimate NONE = new Estimate(BaselineKind.NONE, Double.NaN, Double.NaN);
}
