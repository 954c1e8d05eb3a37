package io.beaconflow.jobs.metrics;

import java.util.HashMap;
import java.util.Iterator;
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
 * <p>Before forwarding a watermark it sends the windows that watermark closes (their last
 * millisecond is at or before it), so the window downstream never fires without a partial that
 * belongs to it; windows still open stay buffered. It sends everything before each checkpoint
 * barrier (so it needs no state of its own: the partials are in flight or in the window's state
 * when the snapshot is taken), when {@link #MAX_ENTRIES} entries are buffered (bounded memory), and
 * at the end of input. Holding open windows matters because watermarks come every 200 ms of
 * processing time (Flink's default): a job keeping up with live traffic sent each busy series' open
 * window about 300 times a minute, and the window operator read, merged and wrote its accumulator
 * (the whole value, on RocksDB) each time; now it does so at most once per checkpoint interval and
 * once at the close (docs/benchmarks.md, session 2026-12-07 (2)). The rows are the same: a window's
 * row is the merge of all its samples however they were grouped into partials. A partial carries
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
            acc = MetricAccumulator.forPartial(relativeAccuracy);
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
        flushClosedBy(mark.getTimestamp());
        super.processWatermark(mark);
    }

    /** Sends the buffered windows whose last millisecond is at or before {@code watermark}. */
    private void flushClosedBy(long watermark) {
        Iterator<Map.Entry<Long, Map<String, MetricAccumulator>>> it = buffer.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Map<String, MetricAccumulator>> w = it.next();
            long ts = w.getKey() + windowMs - 1;
            if (ts > watermark) {
                continue;
            }
            send(w.getValue(), ts);
            entries -= w.getValue().size();
            if (w.getValue() == lastWindow) {
                lastWindow = null;
            }
            it.remove();
        }
    }

    private void send(Map<String, MetricAccumulator> window, long ts) {
        for (Map.Entry<String, MetricAccumulator> e : window.entrySet()) {
            output.collect(new StreamRecord<>(new PartialAggregate(e.getKey(), e.getValue()), ts));
        }
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
            send(w.getValue(), w.getKey() + windowMs - 1);
        }
        buffer.clear();
        lastWindow = null;
        entries = 0;
    }
}
