package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.SeriesSample;

/**
 * The sessions of one arm, summed so a comparison can test them without keeping them: per rate the
 * totals and the second moments over sessions (Σn², Σx², Σxn) that give the rate's variance when
 * views of a session are correlated ({@link ArmComparison#designEffect}), and per latency a
 * DDSketch of one value per session (the metric stage's accumulator, fed weight 1 per session), so
 * the rank test ranks sessions. A Flink POJO (the accumulator by its own serializer).
 */
public class ArmSessions {
    /** Sessions of this arm; with at least one view, and with at least one fetch. */
    public long sessions;

    public long viewSessions;
    public long fetchSessions;

    public long views;
    public long errors;
    public long fetches;
    public long failures;

    /** Σ over sessions of views², errors², views·errors; the same for fetches and failures. */
    public double viewsSq;

    public double errorsSq;
    public double viewsErrors;
    public double fetchesSq;
    public double failuresSq;
    public double fetchesFailures;

    /** One latency value per session and metric (weight 1); counts = sessions with a value. */
    public MetricAccumulator values;

    public ArmSessions() {}

    public ArmSessions(double relativeAccuracy) {
        values = new MetricAccumulator(relativeAccuracy);
    }

    public void add(SessionSummary s) {
        sessions++;
        if (s.views > 0) viewSessions++;
        if (s.fetches > 0) fetchSessions++;
        views += s.views;
        errors += s.errors;
        fetches += s.fetches;
        failures += s.failures;
        viewsSq += (double) s.views * s.views;
        errorsSq += (double) s.errors * s.errors;
        viewsErrors += (double) s.views * s.errors;
        fetchesSq += (double) s.fetches * s.fetches;
        failuresSq += (double) s.failures * s.failures;
        fetchesFailures += (double) s.fetches * s.failures;
        for (int i = 0; i < ComparedMetric.LATENCIES; i++) {
            if (s.counts[i] > 0) {
                values.add(
                        new SeriesSample(
                                "",
                                SeriesSample.OTHER,
                                1,
                                (byte) ComparisonFunction.LATENCIES[i].ordinal(),
                                s.latency(i)));
            }
        }
    }

    public void merge(ArmSessions o) {
        sessions += o.sessions;
        viewSessions += o.viewSessions;
        fetchSessions += o.fetchSessions;
        views += o.views;
        errors += o.errors;
        fetches += o.fetches;
        failures += o.failures;
        viewsSq += o.viewsSq;
        errorsSq += o.errorsSq;
        viewsErrors += o.viewsErrors;
        fetchesSq += o.fetchesSq;
        failuresSq += o.failuresSq;
        fetchesFailures += o.fetchesFailures;
        values.merge(o.values);
    }

    /** What {@link ArmComparison} tests. */
    public ArmStats stats() {
        ArmStats s = new ArmStats();
        s.pageViews = views;
        s.jsErrors = errors;
        s.fetches = fetches;
        s.fetchFailures = failures;
        s.viewSessions = viewSessions;
        s.fetchSessions = fetchSessions;
        s.viewsSq = viewsSq;
        s.jsErrorsSq = errorsSq;
        s.viewsJsErrors = viewsErrors;
        s.fetchesSq = fetchesSq;
        s.fetchFailuresSq = failuresSq;
        s.fetchesFailures = fetchesFailures;
        for (int i = 0; i < ComparedMetric.LATENCIES; i++) {
            var m = ComparisonFunction.LATENCIES[i];
            s.latency[i] = Binned.ofSketch(values.sketch(m), values.count(m));
        }
        return s;
    }
}
