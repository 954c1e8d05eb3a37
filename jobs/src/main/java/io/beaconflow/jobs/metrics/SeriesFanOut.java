package io.beaconflow.jobs.metrics;

import io.beaconflow.detectors.evidence.Visitors;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns one event into one small {@link SeriesSample} per series it belongs to: the app total, and
 * one per configured dimension that has a value (one per experiment for {@code variant}). Bots are
 * left out when {@code metrics.exclude-bots} is set, and counted ({@code botEventsExcluded}) either
 * way they are left out, never silently.
 *
 * <p>Stateless; the record's event-time timestamp passes through unchanged.
 */
public class SeriesFanOut extends ProcessFunction<RumEvent, SeriesSample> {
    private static final long serialVersionUID = 1L;

    private final Dimension[] dimensions;
    private final boolean excludeBots;
    private final boolean[] failingStatuses;
    private final double apdexMs;

    /** Accumulator name of the bot count (a metric as well; the demo and tests read this). */
    public static final String ACC_BOTS_EXCLUDED = "metrics-bot-events-excluded";

    private final double maxSketchValue;

    private transient Counter botsExcluded;
    private transient LongCounter botsExcludedTotal;
    private transient ListCollector<SeriesSample> buffer;
    private transient SeriesKeys keys;

    static final String STAGE = "metrics";

    public SeriesFanOut(MetricsConfig config) {
        this.dimensions = config.dimensionList().toArray(new Dimension[0]);
        this.excludeBots = config.excludeBots;
        this.failingStatuses = config.failingStatuses();
        this.apdexMs = config.apdexThreshold.toMillis();
        this.maxSketchValue =
                MetricAccumulator.mapping(config.sketchRelativeAccuracy).maxIndexableValue();
    }

    @Override
    public void open(OpenContext openContext) {
        botsExcluded = getRuntimeContext().getMetricGroup().counter("botEventsExcluded");
        botsExcludedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_BOTS_EXCLUDED, botsExcludedTotal);
        buffer = new ListCollector<>(new ArrayList<>());
        keys = new SeriesKeys(SeriesKeys.DEFAULT_CAPACITY);
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<SeriesSample> out) {
        if (e.bot && excludeBots) {
            botsExcluded.inc();
            botsExcludedTotal.add(1);
            return;
        }
        // Fan out into a buffer first: an event that fails half-way must count in no series
        // rather than in some. A failure, or a value the sketches cannot track (which would throw
        // later inside the window aggregate), makes the event a dead letter, not a restart loop.
        List<SeriesSample> samples = buffer.list();
        samples.clear();
        try {
            emit(e, dimensions, failingStatuses, apdexMs, keys, buffer);
            if (!samples.isEmpty()) {
                SeriesSample first = samples.get(0);
                if (first.metric >= 0 && !(first.value >= 0 && first.value <= maxSketchValue)) {
                    throw new IllegalArgumentException(
                            "latency value " + first.value + " is outside what a sketch tracks");
                }
                if (!(first.weight > 0 && Double.isFinite(first.weight))) {
                    throw new IllegalArgumentException("weight " + first.weight);
                }
            }
        } catch (RuntimeException failure) {
            samples.clear();
            ctx.output(ProcessingErrors.TAG, ProcessingErrors.of(STAGE, e, failure));
            return;
        }
        for (SeriesSample sample : samples) {
            out.collect(sample);
        }
        samples.clear();
    }

    /** A collector into a list that stays reachable (Flink's ListCollector hides its list). */
    private static final class ListCollector<T> implements Collector<T> {
        private final List<T> list;

        ListCollector(List<T> list) {
            this.list = list;
        }

        List<T> list() {
            return list;
        }

        @Override
        public void collect(T record) {
            list.add(record);
        }

        @Override
        public void close() {}
    }

    private static final boolean[] DEFAULT_FAILING = new MetricsConfig().failingStatuses();

    /** {@link #emit(RumEvent, Dimension[], boolean[], double, Collector)} with default outcomes. */
    public static void emit(RumEvent e, Dimension[] dimensions, Collector<SeriesSample> out) {
        emit(e, dimensions, DEFAULT_FAILING, MetricsConfig.DEFAULT_APDEX_THRESHOLD.toMillis(), out);
    }

    /**
     * The samples of one event; shared with the benchmarks and the pre-aggregation.
     *
     * @param failing see {@link MetricsConfig#failingStatuses()}
     * @param apdexMs Apdex T in milliseconds
     */
    public static void emit(
            RumEvent e,
            Dimension[] dimensions,
            boolean[] failing,
            double apdexMs,
            Collector<SeriesSample> out) {
        emit(e, dimensions, failing, apdexMs, SeriesKeys.UNCACHED, out);
    }

    /** As above, the series keys made by {@code keys}. */
    public static void emit(
            RumEvent e,
            Dimension[] dimensions,
            boolean[] failing,
            double apdexMs,
            SeriesKeys keys,
            Collector<SeriesSample> out) {
        SeriesSample appTotal =
                sampleOf(e, keys.of(e.app, Dimension.ALL, Dimension.ALL_VALUE), failing, apdexMs);
        out.collect(appTotal);
        String app = e.app;
        for (Dimension d : dimensions) {
            if (d == Dimension.VARIANT) {
                if (e.experiments == null || e.experiments.isEmpty()) {
                    continue;
                }
                Map<String, String> sorted =
                        e.experiments instanceof TreeMap
                                ? e.experiments
                                : new TreeMap<>(e.experiments);
                for (Map.Entry<String, String> x : sorted.entrySet()) {
                    if (x.getKey() != null && x.getValue() != null) {
                        String v = x.getKey() + '=' + x.getValue();
                        out.collect(appTotal.onSeries(keys.of(app, d, v)));
                    }
                }
            } else {
                String v = valueOf(e, d);
                if (v != null && !v.isEmpty()) {
                    out.collect(appTotal.onSeries(keys.of(app, d, v)));
                }
            }
        }
    }

    /**
     * The one sample an event contributes to each of its series, on {@code key}: kind, weight,
     * latency metric and value, outcomes and visitor bit. Shared with the per-session comparison
     * summaries (SessionArms), which count each event exactly as its metric rows do.
     */
    public static SeriesSample sampleOf(RumEvent e, String key, boolean[] failing, double apdexMs) {
        byte kind = kindOf(e);
        double weight = Weights.ofSampleRate(e.sampleRate);
        LatencyMetric m = LatencyMetric.of(e);
        byte metric = m == null ? SeriesSample.NO_METRIC : (byte) m.ordinal();
        double value = m == null ? 0 : LatencyMetric.valueOf(e, m);
        int outcomes =
                Outcomes.of(
                        m,
                        value,
                        e.type == EventType.FETCH ? e.fetchStatus : null,
                        failing,
                        apdexMs);
        if (e.routeChange && e.type == EventType.PAGE_VIEW) {
            // An SPA view is a page view of its route (kind PAGE_VIEW) and is also counted apart.
            outcomes |= 1 << Outcomes.ROUTE_CHANGE;
        }
        // Each row carries a bitmap of its window's visitors, so detection can ask how many
        // distinct visitors stand behind a verdict (Visitors; detection's min_sessions).
        byte sessionBit =
                e.sessionId == null
                        ? (byte) -1
                        : (byte) Long.numberOfTrailingZeros(Visitors.bitOf(e.sessionId));
        return new SeriesSample(key, kind, weight, metric, value, outcomes, sessionBit);
    }

    static byte kindOf(RumEvent e) {
        if (e.type == EventType.PAGE_VIEW) {
            return SeriesSample.PAGE_VIEW;
        }
        if (e.type == EventType.FETCH) {
            return e.isFailedFetch() ? SeriesSample.FAILED_FETCH : SeriesSample.FETCH;
        }
        if (e.type == EventType.ERROR) {
            return SeriesSample.JS_ERROR;
        }
        return SeriesSample.OTHER;
    }

    static String valueOf(RumEvent e, Dimension d) {
        switch (d) {
            case ROUTE:
                return e.route;
            case RELEASE:
                return e.release;
            case BROWSER:
                return e.browser;
            case COUNTRY:
                return e.country;
            case DEVICE:
                return e.deviceType;
            case OS:
                return e.os;
            case BROWSER_VERSION:
                return e.browserMajor;
            case ENDPOINT:
                // Only fetches have one; other events are in no endpoint series.
                return e.type == EventType.FETCH ? e.endpoint : null;
            default:
                throw new IllegalArgumentException("no single value for " + d);
        }
    }
}
