package io.beaconflow.jobs.generator;

import java.util.SplittableRandom;

/**
 * The one random stream of a generator split, with the distributions and random ids the traffic
 * model draws. Every draw goes through here in simulation order, so the output stays a pure
 * function of (config, seed, split): a refactoring that reorders two draws changes every byte after
 * them (the golden test catches it).
 */
final class Rng {
    /** The raw stream, for helpers that take a {@link SplittableRandom} ({@link Weighted}). */
    final SplittableRandom raw;

    Rng(long seed) {
        this.raw = new SplittableRandom(seed);
    }

    double nextDouble() {
        return raw.nextDouble();
    }

    int nextInt(int bound) {
        return raw.nextInt(bound);
    }

    long nextLong() {
        return raw.nextLong();
    }

    boolean nextBoolean() {
        return raw.nextBoolean();
    }

    double nextGaussian() {
        return raw.nextGaussian();
    }

    /** One element of {@code options}, uniformly. */
    <T> T pick(T[] options) {
        return options[raw.nextInt(options.length)];
    }

    /** SplitMix64 finalizer: decorrelates nearby seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Waiting time of a Poisson process, at least 1 ms. */
    long exponential(double ratePerMs) {
        return 1 + (long) (-Math.log(1 - raw.nextDouble()) / ratePerMs);
    }

    double lognormal(double median, double sigma) {
        return median * Math.exp(sigma * raw.nextGaussian());
    }

    int poisson(double mean) {
        if (mean <= 0) return 0;
        double limit = Math.exp(-mean);
        double p = raw.nextDouble();
        int k = 0;
        while (p > limit && k < 1000) {
            p *= raw.nextDouble();
            k++;
        }
        return k;
    }

    /** Number of failures before a success, with the given mean. */
    int geometric(double mean) {
        if (mean <= 0) return 0;
        double q = mean / (1 + mean);
        return (int) Math.min(500, Math.floor(Math.log(1 - raw.nextDouble()) / Math.log(q)));
    }

    /** An index drawn with probability proportional to its weight. */
    int pickIndex(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double x = raw.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.length - 1;
    }

    /** base64url characters, ten per 64-bit draw (as a tracking id looks). */
    String token(int length) {
        char[] c = new char[length];
        long bits = 0;
        for (int i = 0; i < length; i++) {
            if (i % 10 == 0) bits = raw.nextLong();
            c[i] = Catalog.BASE64URL[(int) (bits & 63)];
            bits >>>= 6;
        }
        return new String(c);
    }

    /** A version-4 UUID. */
    String uuid() {
        long hi = raw.nextLong();
        long lo = raw.nextLong();
        hi = (hi & ~0xF000L) | 0x4000L; // version 4
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        char[] c = new char[36];
        int p = 0;
        for (int i = 15; i >= 0; i--) {
            c[p++] = Catalog.HEX[(int) (hi >>> (i * 4)) & 15];
            if (p == 8 || p == 13) c[p++] = '-';
        }
        c[p++] = '-';
        for (int i = 15; i >= 0; i--) {
            c[p++] = Catalog.HEX[(int) (lo >>> (i * 4)) & 15];
            if (p == 23) c[p++] = '-';
        }
        return new String(c);
    }

    /** {@code digits} random hex digits (at most 16). */
    String hex(int digits) {
        return hex(raw.nextLong(), digits);
    }

    static String hex(long v, int digits) {
        char[] c = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            c[i] = Catalog.HEX[(int) (v & 15)];
            v >>>= 4;
        }
        return new String(c);
    }
}
