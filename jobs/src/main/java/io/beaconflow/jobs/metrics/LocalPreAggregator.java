package io.beaconflow.jobs.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Phase one of the two-phase aggregation: before the keyBy, each subtask folds its samples per
 * (series, window) into a plain hash map and sends one {@link PartialAggregate} per entry instead
 * of one record per sample. This relieves the hot keys (every event hits its app total; a popular
 * route gets half of the route samples) and cuts the shuffle from ~7 records per event to a few per
 * series and watermark; docs/DISCUSSION.md has the measurement.
 *
 * <p>It flushes before forwarding each watermark (so the window downstream never fires without a
 * partial that belongs to it), before each checkpoint barrier (so it needs no state of its own: the
 * partials are in flight or in the window's state when the snapshot is taken), when {@link
 * #MAX_ENTRIES} entries are buffered (bounded memory), and at the end of input. A partial carries
 * the window's last millisecond as its timestamp, so the window operator assigns it to the same
 * window and judges lateness exactly as it would for the raw events (a tumbling window is late as a
 * whole).
 *
 * <p>Known difference to one-phase: several late events between two watermarks become one late
 * update of the window, not one update each.
 */
public class LocalPreAggregator extends AbstractStreamOperator<PartialAggregate>
        implements OneInputStreamOperator<SeriesSample, PartialAggregate> {
    private static final long serialVersionUID = 1L;

    /**
     * Entries buffered before an early flush; an early flush is always correct, only less merged.
     */
    static final int MAX_ENTRIES = 20_000;

    private final long windowMs;
    private final double relativeAccuracy;
    private transient Map<Long, Map<String, MetricAccumulator>> buffer;
    private transient int entries;

    /**
     * The window map of the last sample and its start: samples come in event-time order but for the
     * out-of-orderness, so nearly all hit the same window; this saves a boxed {@code Long} and a
     * hash lookup per sample (about nine per event). Reset on every flush.
     */
    private transient Map<String, MetricAccumulator> lastWindow;

    private transient long lastStart;

    public LocalPreAggregator(long windowMs, double relativeAccuracy) {
        this.windowMs = windowMs;
        this.relativeAccuracy = relativeAccuracy;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<SeriesSample> element) {
        long ts = element.getTimestamp();
        long start = ts - Math.floorMod(ts, windowMs);
        SeriesSample s = element.getValue();
        Map<String, MetricAccumulator> window = lastWindow;
        if (window == null || start != lastStart) {
            window = buffer.computeIfAbsent(start, k -> new HashMap<>());
            lastWindow = window;
            lastStart = start;
        }
        MetricAccumulator acc = window.get(s.key);
        if (acc == null) {
            acc = new MetricAccumulator(relativeAccuracy);
            window.put(s.key, acc);
            entries++;
        }
        acc.add(s);
        if (entries >= MAX_ENTRIES) {
            flush();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        for (Map.Entry<Long, Map<String, MetricAccumulator>> w : buffer.entrySet()) {
            long ts = w.getKey() + windowMs - 1;
            for (Map.Entry<String, MetricAccumulator> e : w.getValue().entrySet()) {
                output.collect(
                        new StreamRecord<>(new PartialAggregate(e.getKey(), e.getValue()), ts));
            }
        }
        buffer.clear();
        lastWindow = null;
        entries = 0;
    }
}
