package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.MetricScore;

/** Row digests built by hand for the hint and parent-consistency tests: one metric a row. */
final class RowDigests {
    private RowDigests() {}

    /** The row of {@code dimension=value} at {@code windowStart} with {@code score} for metric. */
    static RowDigest row(
            String dimension, String value, long windowStart, String metric, MetricScore score) {
        RowDigest r = new RowDigest();
        r.dimension = dimension;
        r.dimensionValue = value;
        r.windowStart = windowStart;
        r.scores.put(metric, score);
        return r;
    }

    /** A score with the observed value and what the detector expected. */
    static MetricScore score(Double value, Double expected) {
        MetricScore s = new MetricScore();
        s.value = value;
        s.expected = expected;
        return s;
    }
}
