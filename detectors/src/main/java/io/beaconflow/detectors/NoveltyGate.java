package io.beaconflow.detectors;

/**
 * Novelty gate: with {@code novelty.half_life > 0} a deviation must exceed {@code novelty.ratio}
 * times the largest deviation of the recent past (a maximum that halves every half_life points), so
 * spikes that recur as part of normal operation stop alerting. Owns {@link
 * DetectorState#peakDeviation}. Off ({@code half_life: 0}) it passes every point and remembers
 * nothing.
 *
 * <p>Known false positives: none of its own; it trades misses for quiet (a real incident no larger
 * than last week's harmless spike is not reported until that spike has decayed).
 */
final class NoveltyGate {
    private final DetectorSpec spec;
    private final double decay;

    NoveltyGate(DetectorSpec spec) {
        this.spec = spec;
        this.decay = spec.noveltyHalfLife() > 0 ? Math.pow(0.5, 1.0 / spec.noveltyHalfLife()) : 0;
    }

    /** Whether a deviation (working scale, absolute) is beyond what the recent past has seen. */
    boolean novel(DetectorState s, double deviation) {
        return spec.noveltyHalfLife() <= 0 || deviation > spec.noveltyRatio() * s.peakDeviation;
    }

    /** Folds this point's deviation into the decaying maximum. */
    void remember(DetectorState s, double deviation) {
        if (spec.noveltyHalfLife() > 0) {
            s.peakDeviation = Math.max(deviation, s.peakDeviation * decay);
        }
    }
}
