package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.PointStatus;
import java.util.Locale;

/** Conversions from the detector library's results to the job's POJOs. */
final class Scoring {
    private Scoring() {}

    static MetricScore score(PointResult r, double denominator) {
        MetricScore s = new MetricScore();
        s.value = MetricScore.finite(r.value());
        s.denominator = MetricScore.finite(denominator);
        s.expected = MetricScore.finite(r.expected());
        s.lower = MetricScore.finite(r.lower());
        s.upper = MetricScore.finite(r.upper());
        s.z = MetricScore.finite(r.z());
        s.residual = MetricScore.finite(r.residual());
        s.spread = MetricScore.finite(r.spread());
        s.score = r.score();
        s.anomaly = r.anomaly();
        s.direction = direction(r.direction());
        s.baseline = lower(r.baseline());
        s.status = lower(r.status());
        return s;
    }

    /**
     * A signal for a scored point; null for a skipped one (no verdict, neither normal nor not).
     *
     * @param seriesName {@link AnomalySignal#seriesName} of app, dimension and value (the scoring
     *     builds it once per row)
     */
    static AnomalySignal signal(
            String seriesName,
            String app,
            String dimension,
            String value,
            long windowStart,
            long windowEnd,
            String metric,
            DetectorSpec spec,
            PointResult r,
            double denominator) {
        if (r.status() != PointStatus.SCORED) {
            return null;
        }
        AnomalySignal s = new AnomalySignal();
        s.series = seriesName;
        s.app = app;
        s.dimension = dimension;
        s.dimensionValue = value;
        s.metric = metric;
        s.metricKind = lower(spec.kind());
        s.windowStart = windowStart;
        s.windowEnd = windowEnd;
        s.observed = r.value();
        s.denominator = MetricScore.finite(denominator);
        s.expected = MetricScore.finite(r.expected());
        s.lower = MetricScore.finite(r.lower());
        s.upper = MetricScore.finite(r.upper());
        s.z = MetricScore.finite(r.z());
        s.score = r.score();
        s.direction = direction(r.direction());
        s.anomaly = r.anomaly();
        return s;
    }

    static String direction(Direction d) {
        return lower(d);
    }

    /**
     * An enum constant's name in lower case, as the JSON documents spell it; built once per
     * constant, as four of them are written for every scored metric.
     */
    static String lower(Enum<?> e) {
        // getClass(), not getDeclaringClass() (which walks to the superclass each call, and was
        // most of this method's cost in a profile); a constant with a body has its own class,
        // whose superclass holds the constants.
        return e == null ? null : LOWER_NAMES.get(e.getClass())[e.ordinal()];
    }

    private static final ClassValue<String[]> LOWER_NAMES =
            new ClassValue<>() {
                @Override
                protected String[] computeValue(Class<?> type) {
                    Object[] constants =
                            (type.isEnum() ? type : type.getSuperclass()).getEnumConstants();
                    String[] names = new String[constants.length];
                    for (int i = 0; i < constants.length; i++) {
                        names[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
                    }
                    return names;
                }
            };
}
