package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.detection.ScoredAggregate;
import java.util.Map;
import java.util.TreeMap;

/** The part of a scored row the root-cause hints need. A Flink POJO. */
public class RowDigest {
    public String dimension;
    public String dimensionValue;
    public long windowStart;
    public Map<String, MetricScore> scores = new TreeMap<>();

    public RowDigest() {}

    public static RowDigest of(ScoredAggregate row) {
        RowDigest d = new RowDigest();
        d.dimension = row.dimension;
        d.dimensionValue = row.dimensionValue;
        d.windowStart = row.windowStart;
        d.scores.putAll(row.scores);
        return d;
    }
}
