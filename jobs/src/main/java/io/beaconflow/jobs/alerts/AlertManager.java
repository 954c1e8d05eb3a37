package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The Flink shell of the alert lifecycle, keyed by app: parks pattern findings until the watermark
 * passes their event time, keeps the app's scored rows for a few windows (second input, for the
 * root-cause hints), and hands both to {@link AlertLifecycle}, the plain-Java core that opens,
 * updates and resolves alerts (one alert per incident; see there).
 *
 * <p><b>Order.</b> Findings come from several CEP operators; each is parked until the watermark
 * passes its event time, then all findings of that instant are handled in a fixed order, so the
 * result does not depend on arrival order and a replay gives the same alerts.
 *
 * <p>State (names are part of savepoints): {@code alert-incidents} (family → {@link
 * IncidentState}), {@code alert-pending-findings} (time → findings), {@code alert-rows} (window
 * start → row digests).
 */
public class AlertManager extends KeyedCoProcessFunction<String, Finding, ScoredAggregate, Alert> {
    private static final long serialVersionUID = 1L;

    private final AlertingConfig config;
    private final long windowMs;

    private transient MapState<String, IncidentState> incidents;
    private transient MapState<Long, Findings> pending;
    private transient MapState<Long, Digests> rows;
    private transient Counter opened;
    private transient Counter suppressed;

    /** Findings parked until the watermark passes their time. */
    public static class Findings {
        public List<Finding> list = new ArrayList<>();

        public Findings() {}
    }

    /** Rows of one window. */
    public static class Digests {
        public List<RowDigest> list = new ArrayList<>();

        public Digests() {}
    }

    public AlertManager(AlertingConfig config, Duration window) {
        this.config = config;
        this.windowMs = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        incidents =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "alert-incidents",
                                        Types.STRING,
                                        TypeInformation.of(IncidentState.class)));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "alert-pending-findings",
                                        Types.LONG,
                                        TypeInformation.of(Findings.class)));
        rows =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "alert-rows",
                                        Types.LONG,
                                        TypeInformation.of(Digests.class)));
        opened = getRuntimeContext().getMetricGroup().counter("alertsOpened");
        suppressed = getRuntimeContext().getMetricGroup().counter("anomaliesSuppressedInCooldown");
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

    @Override
    public void processElement2(ScoredAggregate row, Context ctx, Collector<Alert> out)
            throws Exception {
        if (row.updateSeq > 0 || row.scores.isEmpty()) {
            return;
        }
        Digests d = rows.get(row.windowStart);
        if (d == null) {
            d = new Digests();
            ctx.timerService()
                    .registerEventTimeTimer(row.windowEnd + config.hintWindows * windowMs);
        }
        d.list.add(RowDigest.of(row));
        rows.put(row.windowStart, d);
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
        AlertLifecycle.Rows window =
                (from, upTo) -> {
                    List<RowDigest> list = new ArrayList<>();
                    for (Map.Entry<Long, Digests> e : rows.entries()) {
                        if (e.getKey() >= from && e.getKey() <= upTo) {
                            list.addAll(e.getValue().list);
                        }
                    }
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
                    public long detectedAt() {
                        return ctx.timerService().currentProcessingTime();
                    }
                };
        return new AlertLifecycle(config, store, window, effects);
    }

    /** Rows older than the hint horizon go. */
    private void expireRows(long ts) throws Exception {
        List<Long> oldRows = new ArrayList<>();
        for (Long w : rows.keys()) {
            if (w + windowMs + config.hintWindows * windowMs <= ts) {
                oldRows.add(w);
            }
        }
        for (Long w : oldRows) {
            rows.remove(w);
        }
    }
}
