package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.MetricWindowFunction;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.metrics.SeriesWindow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Experiments and releases compared: the metric window operator's per-window accumulators of the
 * variant and release series ({@link MetricWindowFunction#COMPARED_SERIES}), keyed by app into
 * {@link ComparisonFunction}. Reads no event: the comparison costs a few records per app and
 * window, not a second aggregation of the traffic.
 */
public final class ComparisonStage {
    public static final String UID = "comparisons";

    private ComparisonStage() {}

    public static SingleOutputStreamOperator<Comparison> apply(
            SingleOutputStreamOperator<MetricAggregate> metricWindows,
            ComparisonsConfig cfg,
            MetricsConfig metrics) {
        boolean releases = cfg.releases;
        return metricWindows
                .getSideOutput(MetricWindowFunction.COMPARED_SERIES)
                .filter((SeriesWindow w) -> ComparisonFunction.relevant(w, releases))
                .name("comparisons: variant and release series")
                .keyBy(new ComparisonFunction.AppKey(), Types.STRING)
                .process(
                        new ComparisonFunction(
                                cfg, metrics.allowedLateness, metrics.sketchRelativeAccuracy),
                        TypeInformation.of(Comparison.class))
                .uid(UID)
                .name("comparisons: experiments and releases");
    }
}
