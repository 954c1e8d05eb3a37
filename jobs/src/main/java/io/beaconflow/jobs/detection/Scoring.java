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
        s.baseline = r.baseline().name().toLowerCase(Locale.ROOT);
        s.status = r.status().name().toLowerCase(Locale.ROOT);
        return s;
    }

    /** A signal for a scored point; null for a skipped one (no verdict, neither normal nor not). */
    static AnomalySignal signal(
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
        s.series = AnomalySignal.seriesName(app, dimension, value);
        s.app = app;
        s.dimension = dimension;
        s.dimensionValue = value;
        s.metric = metric;
        s.metricKind = spec.kind().name().toLowerCase(Locale.ROOT);
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
        return d == null ? null : d.name().toLowerCase(Locale.ROOT);
    }
}
