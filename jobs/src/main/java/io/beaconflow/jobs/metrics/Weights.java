package io.beaconflow.jobs.metrics;

/**
 * Makes weighted sums independent of the order events arrive in.
 *
 * <p>A window's events reach its operator interleaved differently on every run (several upstream
 * subtasks, network buffers), and floating-point addition is not associative: summing {@code 1/0.3}
 * in two orders can differ in the last bit, and a document id would then be written with two
 * different values on a replay. Rounding each weight to a multiple of 2⁻²⁰ makes every partial sum
 * exactly representable (while a sum stays below 2³³ ≈ 8.6 billion weighted events), so sums,
 * sketch bin counts and therefore percentiles are bit-identical in any order. The rounding error is
 * below 10⁻⁶ per event.
 */
public final class Weights {
    private static final double SCALE = 1 << 20;

    private Weights() {}

    /**
     * The weight of an event with this sample rate: 1 / rate, rounded; 1 for rates outside (0, 1].
     */
    public static double ofSampleRate(double sampleRate) {
        double w = sampleRate > 0 && sampleRate <= 1 ? 1.0 / sampleRate : 1.0;
        return Math.round(w * SCALE) / SCALE;
    }
}
