package io.beaconflow.detectors.scorer;

/**
 * How far a point is from its expectation, on the working scale.
 *
 * @param expected expected value
 * @param spread standard error of a point around {@code expected} (the band is expected ±
 *     z_threshold × spread)
 * @param z signed deviation in units of {@code spread}
 * @param significant {@code |z| >= z_threshold} and, for count-based scorers, the exact tail test
 *     agrees (small counts are judged by the exact distribution, not the normal approximation)
 */
public record Deviation(double expected, double spread, double z, boolean significant) {}
