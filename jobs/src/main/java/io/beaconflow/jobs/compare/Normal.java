package io.beaconflow.jobs.compare;

import org.apache.commons.math3.distribution.NormalDistribution;

/** The standard normal distribution (Commons Math), for p-values and interval quantiles. */
final class Normal {
    private static final NormalDistribution STANDARD = new NormalDistribution(null, 0, 1);

    private Normal() {}

    static double twoSidedP(double z) {
        return Math.min(1, 2 * STANDARD.cumulativeProbability(-Math.abs(z)));
    }

    static double quantile(double p) {
        return STANDARD.inverseCumulativeProbability(p);
    }
}
