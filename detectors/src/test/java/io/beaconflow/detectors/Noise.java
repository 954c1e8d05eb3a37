package io.beaconflow.detectors;

import java.util.Random;

/** Seeded test series: the same seed gives the same points, so a failure can be replayed. */
public final class Noise {
    private Noise() {}

    /** {@code n} points drawn from N({@code level}, {@code sd}²) with {@code seed}. */
    public static double[] gaussian(long seed, int n, double level, double sd) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = level + sd * r.nextGaussian();
        }
        return x;
    }

    /** Adds {@code by} to the points {@code from} (inclusive) to {@code to}: an incident's step. */
    public static void shift(double[] x, int from, int to, double by) {
        for (int i = from; i < to; i++) {
            x[i] += by;
        }
    }
}
