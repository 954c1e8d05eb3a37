package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.Percentiles;
import io.beaconflow.jobs.metrics.Ratings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A metric aggregate row with the detector's verdict per scored metric, so a dashboard draws the
 * expected value and band next to the observation. Same document id as the row it extends: it
 * replaces the plain row in the metrics index. JSON: the row's fields plus {@code scores: {lcp_p75:
 * {expected, lower, upper, z, score, anomaly, baseline, ...}, ...}}.
 *
 * <p>A Flink POJO (the superclass's public fields plus {@link #scores}).
 */
public class ScoredAggregate extends MetricAggregate {
    private static final Field[] ROW_FIELDS = rowFields();

    /** Metric name → verdict; only metrics that are configured and had a value. */
    public Map<String, MetricScore> scores = new TreeMap<>();

    public ScoredAggregate() {}

    /** A copy of {@code row}'s fields, without scores. */
    public static ScoredAggregate of(MetricAggregate row) {
        ScoredAggregate s = new ScoredAggregate();
        try {
            for (Field f : ROW_FIELDS) {
                Object v = f.get(row);
                // Percentiles and ratings are mutable values: the copy gets its own, so that a row
                // and its scored copy stay independent, as when every field was a plain value.
                if (v instanceof Percentiles p) {
                    v = p.copy();
                } else if (v instanceof Ratings r) {
                    v = r.copy();
                }
                f.set(s, v);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("MetricAggregate fields are public", e);
        }
        return s;
    }

    /** The series key {@code app|dimension|value}, as shown in alerts. */
    public String series() {
        return AnomalySignal.seriesName(app, dimension, dimensionValue);
    }

    private static Field[] rowFields() {
        List<Field> fields = new ArrayList<>();
        for (Field f : MetricAggregate.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())
                    && f.getDeclaringClass() == MetricAggregate.class) {
                fields.add(f);
            }
        }
        return fields.toArray(new Field[0]);
    }
}
