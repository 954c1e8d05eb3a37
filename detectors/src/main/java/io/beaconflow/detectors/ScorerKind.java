package io.beaconflow.detectors;

/** How a deviation from the baseline is turned into a z value. */
public enum ScorerKind {
    /** Gaussian z = (x − expected) / spread, on a linear or log scale. For latency. */
    GAUSSIAN,
    /**
     * Proportion-aware: the standard error comes from the window's denominator (binomial), plus the
     * between-window variation that sampling does not explain. For error rates.
     */
    PROPORTION,
    /** Count-aware: variance at least the expected count (Poisson-like). For throughput. */
    COUNT
}
