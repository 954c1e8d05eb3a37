package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.SeriesKey;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * Scoring, the first of the three detection stages (scoring → {@code patterns.PatternStage} →
 * {@code alerts.AlertStage}; {@code pipeline.DetectionChain} connects them):
 *
 * <pre>
 * metric rows ─keyBy series─▶ DetectorFunction ◀─broadcast─ spec updates
 *                               │ scored rows (to the metrics sink and the later stages)
 *                               │ signals, rejected spec updates (side outputs)
 * metric rows ─keyBy app─▶ SegmentShareFunction ─▶ share signals (joined to the signals)
 * app totals + error groups' new sessions ─keyBy app─▶ ErrorSurgeFunction ─▶ surge signals
 * clicks ─▶ RageClickDetector ─▶ per-route window ─▶ FrustrationScorer ─▶ rage signals
 * </pre>
 *
 * <p>It knows nothing of patterns or alerts: what it produces is a score per series and window. The
 * spec control stream must not hold back watermarks: connect it from a source that uses {@link
 * ControlStreamWatermarks} ({@link #specUpdates} does).
 */
public final class DetectionStage {
    private DetectionStage() {}

    /**
     * What scoring produces.
     *
     * @param scored metric rows with expected value, band and score per metric (to the metrics
     *     index).
     * @param signals every scored point of a metric series.
     * @param anomalies the anomalous ones among {@code signals}, each part filtered where it is
     *     produced (see {@link #anomalous}).
     * @param rageSignals every scored rage-click rate of a route.
     * @param rejectedSpecs spec updates that were refused, with the reason.
     * @param frustration rage-click rate per route and window (the frustration scorer's input).
     */
    public record Outputs(
            SingleOutputStreamOperator<ScoredAggregate> scored,
            DataStream<AnomalySignal> signals,
            DataStream<AnomalySignal> anomalies,
            DataStream<AnomalySignal> rageSignals,
            DataStream<SpecRejection> rejectedSpecs,
            DataStream<RouteActivity> frustration) {}

    /**
     * The anomalous signals of one producer's stream. Filter each stream before a union, not the
     * union: an operator with several inputs cannot be chained, so a filter of the union is a task
     * of its own that every normal signal (nearly all of them) reaches over the network, serialized
     * once more, only to be dropped (docs/benchmarks.md, "Session 2026-12-07 (6)"). On one
     * producer's stream the filter chains to it.
     */
    public static DataStream<AnomalySignal> anomalous(DataStream<AnomalySignal> signals) {
        return signals.filter(s -> s.anomaly).name("detect: anomalous points");
    }

    /** The series key of a metric row (the same key the metrics stage groups by). */
    public static final class RowKey implements KeySelector<MetricAggregate, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(MetricAggregate row) {
            Dimension d =
                    Dimension.ALL.configName().equals(row.dimension)
                            ? Dimension.ALL
                            : Dimension.fromName(row.dimension);
            return d == null
                    ? row.app + '\u0000' + row.dimension + '\u0000' + row.dimensionValue
                    : SeriesKey.of(row.app, d, row.dimensionValue);
        }
    }

    /**
     * The embedded control stream: the spec file, watched every {@code specs-poll-interval} (0 =
     * read once), with watermarks that never hold the data stream back.
     */
    public static DataStream<SpecUpdate> specUpdates(
            StreamExecutionEnvironment env, DetectionConfig cfg) {
        Path file = Path.of(cfg.specsFile);
        SpecFileSource source =
                cfg.specsPollInterval.isZero()
                        ? SpecFileSource.bounded(file)
                        : SpecFileSource.watching(file, cfg.specsPollInterval);
        return env.fromSource(source, ControlStreamWatermarks.create(), "detector specs")
                .setParallelism(1)
                .uid("source-detector-specs")
                .name("source: detector specs " + file.getFileName());
    }

    /**
     * Page views and rage-click bursts per route and window: the input of the frustration detector,
     * computed from the events. Separate from {@link #score} so that {@code ./beaconflow evaluate
     * --cache} can record it with the metric rows and replay the detection alone.
     */
    public static SingleOutputStreamOperator<RouteActivity> routeActivity(
            DataStream<RumEvent> events, DetectionConfig cfg) {
        // Frustration: rage clicks -> rate per route and window -> its own detector.
        DataStream<RouteActivity> rage =
                events.filter(RageClickDetector::isClick)
                        .name("detect: clicks")
                        .keyBy(RageClickDetector.key(), Types.STRING)
                        .transform(
                                "detect: rage clicks",
                                TypeInformation.of(RageClick.class),
                                new RageClickOperator(
                                        new RageClickDetector(
                                                cfg.frustration.burstClicks,
                                                cfg.frustration.burstSpan),
                                        cfg.frustration.stateCache))
                        .uid("rage-clicks")
                        .name("detect: rage clicks")
                        .map(RouteActivity::rageClick, TypeInformation.of(RouteActivity.class))
                        .name("detect: rage clicks per route");
        DataStream<RouteActivity> views =
                events.filter(e -> e.type == EventType.PAGE_VIEW && !e.bot && e.route != null)
                        .name("detect: page views")
                        .map(RouteActivity::pageView, TypeInformation.of(RouteActivity.class))
                        .name("detect: page views per route");
        return rage.union(views)
                .keyBy(RouteActivity::key, Types.STRING)
                .window(TumblingEventTimeWindows.of(cfg.window))
                .aggregate(
                        new RouteActivityWindow.Sum(),
                        new RouteActivityWindow.Stamp(),
                        TypeInformation.of(RouteActivity.class),
                        TypeInformation.of(RouteActivity.class),
                        TypeInformation.of(RouteActivity.class))
                .uid("rage-click-windows")
                .name("detect: rage-click rate per route");
    }

    /**
     * Each watched segment's share of its app's page views, per window ({@link
     * SegmentShareFunction}): the app total's rows and those of {@code segment-share.dimensions},
     * keyed by app.
     */
    static DataStream<AnomalySignal> segmentShares(
            DataStream<MetricAggregate> metrics, DetectionConfig cfg) {
        ShareRows rows = new ShareRows(cfg.segmentShare.dimensions);
        return metrics.filter(rows)
                .name("detect: share rows")
                .keyBy(rows, Types.STRING)
                .process(
                        new SegmentShareFunction(
                                cfg.segmentShare.spec(), cfg.window, cfg.idleStateTtl),
                        TypeInformation.of(AnomalySignal.class))
                .uid("segment-share")
                .name("detect: segment share of page views");
    }

    /**
     * Each error's newly hit sessions per window ({@link ErrorSurgeFunction}), keyed by app: the
     * error groups' {@code WINDOW_COUNTS}.
     */
    static DataStream<AnomalySignal> errorSurges(
            DataStream<MetricAggregate> metrics,
            DataStream<ErrorWindowCount> counts,
            DetectionConfig cfg) {
        return metrics.filter(
                        r ->
                                r.updateSeq == 0
                                        && (Dimension.ALL.configName().equals(r.dimension)
                                                || ErrorSurgeFunction.HINTED.contains(r.dimension)))
                .name("detect: app totals and segments")
                .keyBy(r -> r.app, Types.STRING)
                .connect(counts.keyBy(c -> c.app, Types.STRING))
                .process(
                        new ErrorSurgeFunction(
                                cfg.errorSurge.spec(cfg.window), cfg.window, cfg.idleStateTtl),
                        TypeInformation.of(AnomalySignal.class))
                .uid("error-surge")
                .name("detect: error surges");
    }

    /**
     * The rows a share needs (first firings of the app total and the watched dimensions), by app.
     */
    static final class ShareRows
            implements FilterFunction<MetricAggregate>, KeySelector<MetricAggregate, String> {
        private static final long serialVersionUID = 1L;
        private final Set<String> dimensions;

        ShareRows(List<String> dimensions) {
            this.dimensions = new HashSet<>(dimensions);
            this.dimensions.add(Dimension.ALL.configName());
        }

        @Override
        public boolean filter(MetricAggregate row) {
            return row.updateSeq == 0 && dimensions.contains(row.dimension);
        }

        @Override
        public String getKey(MetricAggregate row) {
            return row.app;
        }
    }

    /**
     * Scores the metric rows of the metrics stage and the per-route activity of {@link
     * #routeActivity} with the detector specs, and the error groups' new sessions per window
     * ({@code ErrorGroupTracker.WINDOW_COUNTS}; null: no error-surge detection). Fails at graph
     * build time, naming file, line, key and fix, when the spec file is invalid.
     */
    public static Outputs score(
            DataStream<MetricAggregate> metrics,
            DataStream<RouteActivity> frustration,
            DataStream<ErrorWindowCount> errorCounts,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg) {
        SpecUpdate initial = SpecUpdate.readFile(Path.of(cfg.specsFile));
        SpecSet.parse(initial); // fail at graph build time, naming file, line, key and fix
        BroadcastStream<SpecUpdate> specs = specUpdates.broadcast(SpecBroadcast.DESCRIPTOR);

        DetectorFunction detector =
                new DetectorFunction(
                        initial,
                        cfg.allowedLateness,
                        cfg.idleStateTtl,
                        cfg.window,
                        cfg.zeroFill.isZero() ? 0 : cfg.windows(cfg.zeroFill));
        // The operator that connect(specs).process(detector) would build, with the detector
        // states written behind a heap cache on RocksDB (DetectorOperator); the spec updates
        // reach every subtask as through a broadcast stream.
        SingleOutputStreamOperator<ScoredAggregate> scored =
                metrics.keyBy(new RowKey(), Types.STRING)
                        .connect(specUpdates.broadcast())
                        .transform(
                                "detect: score series",
                                TypeInformation.of(ScoredAggregate.class),
                                new DetectorOperator(detector, cfg.stateCache))
                        .uid("detector");
        DataStream<AnomalySignal> signals = scored.getSideOutput(DetectorFunction.SIGNALS);
        DataStream<AnomalySignal> anomalies = anomalous(signals);
        if (cfg.segmentShare.enabled) {
            DataStream<AnomalySignal> shares = segmentShares(metrics, cfg);
            signals = signals.union(shares);
            anomalies = anomalies.union(anomalous(shares));
        }
        if (errorCounts != null && cfg.errorSurge.enabled) {
            DataStream<AnomalySignal> surges = errorSurges(metrics, errorCounts, cfg);
            signals = signals.union(surges);
            anomalies = anomalies.union(anomalous(surges));
        }

        SingleOutputStreamOperator<AnomalySignal> rageSignals =
                frustration
                        .keyBy(RouteActivity::key, Types.STRING)
                        .connect(specs)
                        .process(
                                new FrustrationScorer(initial, cfg.idleStateTtl),
                                TypeInformation.of(AnomalySignal.class))
                        .uid("frustration-detector")
                        .name("detect: score rage-click rate");

        return new Outputs(
                scored,
                signals,
                anomalies,
                rageSignals,
                scored.getSideOutput(DetectorFunction.REJECTED),
                frustration);
    }
}
