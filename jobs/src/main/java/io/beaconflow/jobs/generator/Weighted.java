package io.beaconflow.jobs.generator;

import java.util.Map;
import java.util.SplittableRandom;

/** A name picked by weight, in configured order. */
final class Weighted {
    final String[] names;
    final double[] cumulative;

    Weighted(Map<String, Double> weights) {
        names = weights.keySet().toArray(new String[0]);
        cumulative = new double[names.length];
        double sum = 0;
        for (int i = 0; i < names.length; i++) {
            sum += weights.get(names[i]);
            cumulative[i] = sum;
        }
    }

    String pick(SplittableRandom rnd) {
        double x = rnd.nextDouble() * cumulative[cumulative.length - 1];
        for (int i = 0; i < cumulative.length; i++) {
            if (x < cumulative[i]) return names[i];
        }
        return names[names.length - 1];
    }
}
