package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The Flink shell of the alert lifecycle, keyed by app: parks pattern findings until the watermark
 * passes their event time, keeps the app's scored rows for a few windows (second input, their
 * {@link HintRow}s, for the root-cause hints), and hands both to {@link AlertLifecycle}, the
 * plain-Java core that opens, updates and resolves alerts (one alert per incident; see there).
 *
 * <p><b>Order.</b> Findings come from several CEP operators; each is parked until the watermark
 * passes its event time, then all findings of that instant are handled in a fixed order, so the
 * result does not depend on arrival order and a replay gives the same alerts.
 *
 * <p>State (names are part of savepoints): {@code alert-incidents} (family → {@link
 * IncidentState}), {@code alert-pending-findings} (time → findings), {@code alert-row-digests}
 * ((window start, dimension, value) → row digest).
 *
 * <p><b>One state entry per row.</b> An app scores hundreds of series per window. Their digests
 * were one list value per window (the former {@code alert-rows}); on RocksDB every row then read
 * and rewrote the whole list, O(rows²) per window, most of the job's time on RocksDB
 * (docs/benchmarks.md). Now each row is its own map entry, one write; the hint computation reads
 * the window's rows in a fixed order (window, dimension, value), so its floating-point sums do not
 * depend on the order rows arrived in. A savepoint of the list layout restores without its rows:
 * the first alerts after such an upgrade get hints from fewer windows (docs/DISCUSSION.md).
 */
public class AlertManager extends KeyedCoProcessFunction<String, Finding, HintRow, Alert> {
    private static final long serialVersionUID = 1L;

    private final AlertingConfig config;
    private final long windowMs;

    private transient MapState<String, IncidentState> incidents;
    private transient MapState<Long, Findings> pending;
    private transient MapState<Tuple3<Long, String, String>, RowDigest> rows;

    /**
     * Whether this key's rows iterate by window start (set by {@link AlertManagerOperator} on
     * RocksDB, whose map entries iterate in the order of their serialized keys, and a row key
     * starts with its window start as a big-endian long).
     */
    private transient boolean rowsInWindowOrder;

    private transient Counter opened;
    private transient Counter suppressed;
    private transient Counter notShownByParent;

    /** Findings parked until the watermark passes their time. */
    public static class Findings {
        public List<Finding> list = new ArrayList<>();

        public Findings() {}
    }

    /** The key of a row digest: window start, dimension, dimension value. */
    private static final TypeInformation<Tuple3<Long, String, String>> ROW_KEY =
            Types.TUPLE(Types.LONG, Types.STRING, Types.STRING);

    /** The order the hints read rows in: by window, dimension, value. */
    private static final Comparator<RowDigest> ROW_ORDER =
            Comparator.comparingLong((RowDigest r) -> r.windowStart)
                    .thenComparing(r -> r.dimension, Comparator.nullsFirst(String::compareTo))
                    .thenComparing(r -> r.dimensionValue, Comparator.nullsFirst(String::compareTo));

    /** The kept rows' state ({@code alert-row-digests}), for the operator and tests. */
    static MapStateDescriptor<Tuple3<Long, String, String>, RowDigest> rowsDescriptor() {
        return new MapStateDescriptor<>(
                "alert-row-digests", ROW_KEY, TypeInformation.of(RowDigest.class));
    }

    public AlertManager(AlertingConfig config, Duration window) {
        this.config = config;
        this.windowMs = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        incidents = KeyedStates.map(runtime, "alert-incidents", String.class, IncidentState.class);
        pending = KeyedStates.map(runtime, "alert-pending-findings", Long.class, Findings.class);
        rows = runtime.getMapState(rowsDescriptor());
        opened = runtime.getMetricGroup().counter("alertsOpened");
        suppressed = runtime.getMetricGroup().counter("anomaliesSuppressedInCooldown");
        notShownByParent = runtime.getMetricGroup().counter("segmentFindingsNotShownByTotal");
    }

    @Override
    public void processElement1(Finding f, Context ctx, Collector<Alert> out) throws Exception {
        Findings at = pending.get(f.at);
        if (at == null) {
            at = new Findings();
            ctx.timerService().registerEventTimeTimer(f.at);
        }
        at.list.add(f);
        pending.put(f.at, at);
    }

    /** See {@link #rowsInWindowOrder}; false (any order) unless the operator says otherwise. */
    void rowsInWindowOrder(boolean inOrder) {
        rowsInWindowOrder = inOrder;
    }

    @Override
    public void processElement2(HintRow row, Context ctx, Collector<Alert> out) throws Exception {
        // A window before 1970 cannot come from accepted events (ingest rejects events older than
        // ingest.max-age on arrival), and a negative start would sort after every other key on
        // RocksDB, out of reach of the ordered expiry below: such a row is not kept.
        if (row.digest.windowStart < 0) return;
        // Registering the same timer again is a no-op: every row of the window asks for it.
        ctx.timerService().registerEventTimeTimer(row.windowEnd + config.hintWindows * windowMs);
        RowDigest d = row.digest;
        rows.put(Tuple3.of(d.windowStart, d.dimension, d.dimensionValue), d);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Findings due = pending.get(ts);
        if (due != null) pending.remove(ts);
        lifecycle(ctx, out).fire(ts, due == null ? List.of() : due.list);
        expireRows(ts);
    }

    /** The core over this key's state, timers, output and metrics. */
    private AlertLifecycle lifecycle(OnTimerContext ctx, Collector<Alert> out) {
        AlertLifecycle.Incidents store =
                new AlertLifecycle.Incidents() {
                    @Override
                    public IncidentState get(String family) throws Exception {
                        return incidents.get(family);
                    }

                    @Override
                    public void put(String family, IncidentState incident) throws Exception {
                        incidents.put(family, incident);
                    }

                    @Override
                    public void remove(String family) throws Exception {
                        incidents.remove(family);
                    }

                    @Override
                    public List<String> families() throws Exception {
                        List<String> families = new ArrayList<>();
                        for (String k : incidents.keys()) families.add(k);
                        return families;
                    }
                };
        // The kept rows are read once per timer, not once per finding: every finding that opens
        // or joins an alert asks for a range of them, and on RocksDB each read deserializes all of
        // the app's rows (4 % of the RocksDB bench's CPU, docs/benchmarks.md). Nothing writes
        // them while the timer fires.
        List<RowDigest> scanned = new ArrayList<>();
        boolean[] read = {false};
        AlertLifecycle.Rows window =
                (from, upTo) -> {
                    if (!read[0]) {
                        for (RowDigest r : rows.values()) scanned.add(r);
                        read[0] = true;
                    }
                    List<RowDigest> list = new ArrayList<>();
                    for (RowDigest r : scanned) {
                        if (r.windowStart >= from && r.windowStart <= upTo) list.add(r);
                    }
                    list.sort(ROW_ORDER);
                    return list;
                };
        AlertLifecycle.Effects effects =
                new AlertLifecycle.Effects() {
                    @Override
                    public void emit(Alert alert) {
                        out.collect(alert);
                    }

                    @Override
                    public void timerAt(long eventTime) {
                        ctx.timerService().registerEventTimeTimer(eventTime);
                    }

                    @Override
                    public void opened() {
                        opened.inc();
                    }

                    @Override
                    public void suppressed() {
                        suppressed.inc();
                    }

                    @Override
                    public void notShownByParent() {
                        notShownByParent.inc();
                    }

                    @Override
                    public long detectedAt() {
                        return ctx.timerService().currentProcessingTime();
                    }
                };
        return new AlertLifecycle(config, store, window, effects);
    }

    /**
     * Rows older than the hint horizon go. In window order the scan stops at the first row still
     * kept: on RocksDB a full scan read all of an app's rows (hint-windows windows of hundreds of
     * series) at every timer to drop the oldest window's, 8 % of the RocksDB bench's task CPU
     * (docs/benchmarks.md, "Session 2026-12-08 (2)").
     */
    private void expireRows(long ts) throws Exception {
        long lastExpired = ts - windowMs - config.hintWindows * windowMs;
        // Collected first: removing through the heap backend's iterator would leave an empty map.
        List<Tuple3<Long, String, String>> old = new ArrayList<>();
        for (Tuple3<Long, String, String> k : rows.keys()) {
            if (k.f0 <= lastExpired) old.add(k);
            else if (rowsInWindowOrder) break;
        }
        for (Tuple3<Long, String, String> k : old) rows.remove(k);
    }
}
