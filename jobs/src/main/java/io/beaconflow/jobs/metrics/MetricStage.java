package io.beaconflow.jobs.metrics;

import io.beaconflow.config.Durations;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The metric-aggregates part of the graph: {@link SeriesFanOut} (bots out, one small record per
 * series) → {@link LocalPreAggregator} (per-subtask partials; when {@code metrics.pre-aggregate},
 * the default) → keyBy series → tumbling event-time window with allowed lateness → {@link
 * PartialMerger} (or {@link MetricAggregator} on raw samples) + {@link MetricWindowFunction}.
 *
 * <p>Events later than the allowed lateness never reach this stage in the full job: ingest routes
 * them to its late output with the same bound. Should one still arrive (the window operator's
 * watermark can differ slightly from the router's), Flink drops it here and counts it in the window
 * operator's built-in {@code numLateRecordsDropped} metric.
 */
public final class MetricStage {
    public static final String UID = "metrics-window";

    private MetricStage() {}

    /** The series key of a sample. */
    public static final class SeriesKeySelector implements KeySelector<SeriesSample, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(SeriesSample s) {
            return s.key;
        }
    }

    /** The series key of a partial aggregate. */
    public static final class PartialKeySelector implements KeySelector<PartialAggregate, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(PartialAggregate p) {
            return p.key;
        }
    }

    public static SingleOutputStreamOperator<MetricAggregate> apply(
            DataStream<RumEvent> events, MetricsConfig config) {
        return apply(events, config, errors -> {});
    }

    /**
     * @param processingErrors receives the events the fan-out could not turn into samples, as dead
     *     letters ({@link ProcessingErrors})
     */
    public static SingleOutputStreamOperator<MetricAggregate> apply(
            DataStream<RumEvent> events,
            MetricsConfig config,
            Consumer<DataStream<DeadLetter>> processingErrors) {
        SingleOutputStreamOperator<SeriesSample> samples =
                events.process(new SeriesFanOut(config))
                        .returns(TypeInformation.of(SeriesSample.class))
                        .uid("metrics-fan-out")
                        .name("metrics: fan out to series");
        processingErrors.accept(samples.getSideOutput(ProcessingErrors.TAG));
        SingleOutputStreamOperator<MetricAggregate> rows;
        if (config.preAggregate) {
            KeyedStream<PartialAggregate, String> partials =
                    samples.transform(
                                    "metrics: pre-aggregate per subtask",
                                    TypeInformation.of(PartialAggregate.class),
                                    new LocalPreAggregator(
                                            config.window.toMillis(),
                                            config.sketchRelativeAccuracy))
                            .uid("metrics-pre-aggregate")
                            .keyBy(new PartialKeySelector(), Types.STRING);
            rows = window(partials, new PartialMerger(config.sketchRelativeAccuracy), config);
        } else {
            KeyedStream<SeriesSample, String> series =
                    samples.keyBy(new SeriesKeySelector(), Types.STRING);
            rows = window(series, new MetricAggregator(config.sketchRelativeAccuracy), config);
        }
        return rows.uid(UID).name(operatorName(config.window));
    }

    /**
     * The metrics window over samples or partials: tumbling, with the allowed lateness, folding
     * into a {@link MetricAccumulator} and emitting one row per key and window.
     */
    private static <T> SingleOutputStreamOperator<MetricAggregate> window(
            KeyedStream<T, String> keyed,
            AccumulatingAggregate<T> aggregate,
            MetricsConfig config) {
        TypeInformation<MetricAggregate> rowType = TypeInformation.of(MetricAggregate.class);
        return keyed.window(TumblingEventTimeWindows.of(config.window))
                .allowedLateness(config.allowedLateness)
                .aggregate(
                        aggregate,
                        new MetricWindowFunction(),
                        MetricAccumulatorTypeInfo.INSTANCE,
                        rowType,
                        rowType);
    }

    static String operatorName(Duration window) {
        String size = window.equals(Duration.ofMinutes(1)) ? "1-minute" : Durations.format(window);
        return "metrics: " + size + " aggregates";
    }
}
