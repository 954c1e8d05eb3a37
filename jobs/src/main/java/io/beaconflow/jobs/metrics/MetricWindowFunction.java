package io.beaconflow.jobs.metrics;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Adds the series, the window bounds, the document id and the update sequence to the row {@link
 * MetricAggregator} computed.
 *
 * <p>The first firing of a window (at the watermark) has {@code updateSeq} 0; each late event
 * within the allowed lateness fires the window again with the full, updated aggregate and the next
 * sequence number, under the same id, so the sink overwrites. The firing count lives in per-window
 * state, which Flink does not clear by itself: {@link #clear} drops it at the window's cleanup time
 * (end + allowed lateness).
 */
public class MetricWindowFunction
        extends ProcessWindowFunction<MetricAggregate, MetricAggregate, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    /**
     * Side output: the accumulator of every variant and release series per firing, for the
     * comparison stage ({@code io.beaconflow.jobs.compare}). Dropped by Flink when nothing reads
     * it.
     */
    public static final OutputTag<SeriesWindow> COMPARED_SERIES =
            new OutputTag<>("compared-series", TypeInformation.of(SeriesWindow.class));

    static final ValueStateDescriptor<Integer> FIRINGS =
            new ValueStateDescriptor<>("metrics-firings", Types.INT);

    @Override
    public void process(
            String key,
            Context ctx,
            Iterable<MetricAggregate> results,
            Collector<MetricAggregate> out)
            throws Exception {
        ValueState<Integer> firings = ctx.windowState().getState(FIRINGS);
        Integer before = firings.value();
        int seq = before == null ? 0 : before;
        firings.update(seq + 1);

        String[] series = SeriesKey.split(key);
        TimeWindow w = ctx.window();
        for (MetricAggregate a : results) {
            a.app = series[0];
            a.dimension = series[1];
            a.dimensionValue = series[2];
            a.windowStart = w.getStart();
            a.windowEnd = w.getEnd();
            a.updateSeq = seq;
            a.id = SeriesKey.documentId(a.app, a.dimension, a.dimensionValue, a.windowStart);
            if (a.accumulator != null
                    && (Dimension.VARIANT.configName().equals(a.dimension)
                            || Dimension.RELEASE.configName().equals(a.dimension))) {
                SeriesWindow sw = new SeriesWindow();
                sw.app = a.app;
                sw.dimension = a.dimension;
                sw.value = a.dimensionValue;
                sw.windowStart = a.windowStart;
                sw.windowEnd = a.windowEnd;
                sw.updateSeq = seq;
                // A copy: the accumulator is the window's live state, which late events change.
                sw.acc = a.accumulator.copy();
                ctx.output(COMPARED_SERIES, sw);
            }
            a.accumulator = null;
            out.collect(a);
        }
    }

    @Override
    public void clear(Context ctx) throws Exception {
        ctx.windowState().getState(FIRINGS).clear();
    }
}
