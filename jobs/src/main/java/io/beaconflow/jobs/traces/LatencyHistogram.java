package io.beaconflow.jobs.traces;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import java.util.Map;
import java.util.TreeMap;

/**
 * Percentiles of a bag of durations with 1 % relative accuracy, kept as counts per logarithmic
 * bucket (DDSketch's index mapping) in a plain {@code Map<Integer, Long>}: mergeable, a Flink POJO
 * field (no Kryo, no custom serializer), and at most a few hundred entries for any realistic range.
 * Values below {@link #MIN_MS} count as {@link #MIN_MS}: a sub-microsecond network share is zero
 * for every purpose.
 */
final class LatencyHistogram {
    private LatencyHistogram() {}

    static final double MIN_MS = 0.001;
    private static final IndexMapping MAPPING = new LogarithmicMapping(0.01);

    static void add(Map<Integer, Long> buckets, double ms) {
        double v = Math.max(MIN_MS, Math.min(ms, MAPPING.maxIndexableValue()));
        buckets.merge(MAPPING.index(v), 1L, Long::sum);
    }

    /** The q-quantile (0..1), or null for an empty histogram. */
    static Double quantile(Map<Integer, Long> buckets, double q) {
        long total = 0;
        for (long c : buckets.values()) total += c;
        if (total == 0) return null;
        long rank = (long) Math.floor(q * (total - 1));
        long seen = 0;
        for (Map.Entry<Integer, Long> b : new TreeMap<>(buckets).entrySet()) {
            seen += b.getValue();
            if (seen > rank) {
                return Math.round(MAPPING.value(b.getKey()) * 1000.0) / 1000.0;
            }
        }
        throw new IllegalStateException("rank beyond the total count");
    }
}
