package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.patterns.Finding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
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
 * The alert lifecycle, keyed by app: turns pattern findings into alerts that open, update and
 * resolve, one alert per incident. Second input: the app's scored rows, kept for a few windows for
 * the root-cause hints.
 *
 * <p><b>One incident, one alert.</b> A real incident moves many series at once (a slow route also
 * slows the app total, its browsers, countries and devices). Findings are grouped per app and
 * metric family (error rate, latency, throughput, frustration): while an incident of a family is
 * open, further sustained anomalies of that family join it as members instead of opening alerts. A
 * correlated finding (errors up, throughput down) merges the two families into one critical
 * incident; a release-regression finding attributes the incident to the release. The incident
 * resolves when every member has recovered after its last anomaly, or when its series fall silent
 * for {@code stale-after}. For {@code cooldown} after that, members that turn anomalous again are
 * suppressed (counted) rather than re-alerted.
 *
 * <p><b>Order.</b> Findings come from several CEP operators; each is parked until the watermark
 * passes its event time, then all findings of that instant are handled in a fixed order
 * (correlated, release regression, sustained, frustration, recovered; then by key), so the result
 * does not depend on arrival order and a replay gives the same alerts.
 *
 * <p>Known limitation: two unrelated incidents of the same family on one app at the same time
 * become one alert (its members and hints show both).
 */
public class AlertManager extends KeyedCoProcessFunction<String, Finding, ScoredAggregate, Alert> {
    private static final long serialVersionUID = 1L;

    /** Kibana id of the error groups dashboard (docker/kibana/dashboard-error-groups.ndjson). */
    public static final String ERROR_GROUPS_DASHBOARD = "beaconflow-error-groups";

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
        if (due != null) {
            pending.remove(ts);
            List<Finding> list = new ArrayList<>(due.list);
            list.sort(
                    Comparator.comparingInt(AlertManager::priority)
                            .thenComparing(f -> f.key == null ? "" : f.key));
            for (Finding f : list) {
                handle(f, ctx, out);
            }
        }
        expire(ts, ctx, out);
    }

    static int priority(Finding f) {
        switch (f.kind) {
            case Finding.CORRELATED:
                return 0;
            case Finding.RELEASE_REGRESSION:
                return 1;
            case Finding.SUSTAINED:
                return 2;
            case Finding.FRUSTRATION:
                return 3;
            case Finding.NEW_ERROR:
                return 4;
            case Finding.RECOVERED:
                return 5;
            default:
                return 6;
        }
    }

    private void handle(Finding f, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        switch (f.kind) {
            case Finding.SUSTAINED:
            case Finding.FRUSTRATION:
                anomaly(f, familyOf(f), ctx, out);
                break;
            case Finding.CORRELATED:
                correlated(f, ctx, out);
                break;
            case Finding.RELEASE_REGRESSION:
                releaseRegression(f, ctx, out);
                break;
            case Finding.NEW_ERROR:
                newError(f, ctx, out);
                break;
            case Finding.RECOVERED:
                recovered(f, out);
                break;
            default:
                break;
        }
    }

    static String familyOf(Finding f) {
        return Finding.FRUSTRATION.equals(f.kind) ? "frustration" : f.metricKind;
    }

    /** The incident of a family, following a merge; null if none. */
    private IncidentState incident(String family) throws Exception {
        IncidentState s = incidents.get(family);
        if (s != null && s.aliasOf != null) {
            return incidents.get(s.aliasOf);
        }
        return s;
    }

    private String familyKey(IncidentState s) throws Exception {
        for (Map.Entry<String, IncidentState> e : incidents.entries()) {
            if (e.getValue().aliasOf == null
                    && e.getValue().alert != null
                    && e.getValue().alert.alertId.equals(s.alert.alertId)) {
                return e.getKey();
            }
        }
        return null;
    }

    private void anomaly(Finding f, String family, OnTimerContext ctx, Collector<Alert> out)
            throws Exception {
        IncidentState inc = incident(family);
        if (inc != null && inc.isOpen()) {
            join(inc, f, out);
            incidents.put(familyKey(inc), inc);
            return;
        }
        if (inc != null
                && !inc.isOpen()
                && f.at < inc.cooldownUntil
                && inc.alert.members.contains(f.key)) {
            suppressed.inc();
            return;
        }
        String kind = Finding.FRUSTRATION.equals(f.kind) ? Finding.FRUSTRATION : Finding.SUSTAINED;
        IncidentState fresh = open(f, kind, family, ctx);
        incidents.put(family, fresh);
        out.collect(fresh.alert.copy());
    }

    private IncidentState open(Finding f, String kind, String family, OnTimerContext ctx) {
        Alert a = new Alert();
        a.alertId = alertId(f.app, family, f.key, f.firstWindowStart);
        a.state = Alert.OPEN;
        a.kind = kind;
        a.app = f.app;
        a.series = f.series;
        a.dimension = f.dimension;
        a.dimensionValue = f.dimensionValue;
        a.metric = f.metric;
        a.expected = f.expected;
        a.observed = f.observed;
        a.score = f.score;
        a.severity = severity(a);
        a.firstWindow = f.firstWindowStart;
        a.openedAt = f.lastWindowEnd;
        a.detectedAt = ctx.timerService().currentProcessingTime();
        a.lagMs = a.detectedAt - f.lastWindowEnd;
        a.release = f.release;
        a.members.add(f.key);
        a.dashboardUrl =
                DashboardLinks.series(
                        config.kibanaUrl,
                        config.dashboardId,
                        f.app,
                        Dimension.ALL.configName().equals(f.dimension) ? null : f.dimension,
                        Dimension.ALL.configName().equals(f.dimension) ? null : f.dimensionValue,
                        f.firstWindowStart - Duration.ofHours(1).toMillis(),
                        f.lastWindowEnd + Duration.ofHours(1).toMillis());
        a.rootCauseHints = hints(a, f.direction, f.at);
        IncidentState s = new IncidentState();
        s.alert = a;
        s.primaryKey = f.key;
        s.openMembers.put(f.key, f.lastWindowEnd);
        s.lastActivity = f.at;
        ctx.timerService().registerEventTimeTimer(f.at + config.staleAfter.toMillis());
        opened.inc();
        return s;
    }

    /** A finding of an open incident's family: a new member or more of the same. */
    private void join(IncidentState inc, Finding f, Collector<Alert> out) throws Exception {
        Alert a = inc.alert;
        boolean changed = false;
        if (!a.members.contains(f.key)) {
            a.members.add(f.key);
            changed = true;
        }
        inc.openMembers.put(
                f.key, Math.max(f.lastWindowEnd, inc.openMembers.getOrDefault(f.key, 0L)));
        inc.lastActivity = Math.max(inc.lastActivity, f.at);
        if (f.key.equals(inc.primaryKey)) {
            a.observed = f.observed;
            a.expected = f.expected;
        }
        if (f.score > a.score + 0.05) {
            a.score = f.score;
            changed = true;
        }
        String severity = severity(a);
        if (!severity.equals(a.severity)) {
            a.severity = severity;
            changed = true;
        }
        List<String> hints = hints(a, f.direction, f.at);
        if (!hints.isEmpty() && !subjects(hints).equals(subjects(a.rootCauseHints))) {
            // A new version when the named dimension values change, not when a share moves.
            changed = true;
        }
        if (!hints.isEmpty()) {
            a.rootCauseHints = hints;
        }
        if (changed) {
            emitUpdate(inc, out);
        }
    }

    private void correlated(Finding f, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        String first = f.relatedKinds.get(0);
        String second = f.relatedKinds.get(1);
        IncidentState a = incident(first);
        IncidentState b = incident(second);
        IncidentState primary = a != null && a.isOpen() ? a : b != null && b.isOpen() ? b : null;
        boolean fresh = primary == null;
        String primaryFamily;
        if (fresh) {
            primary = open(f, Finding.CORRELATED, first, ctx);
            primaryFamily = first;
        } else {
            primaryFamily = familyKey(primary);
        }
        primary.alert.kind = Finding.CORRELATED;
        primary.alert.severity = Alert.CRITICAL;
        for (String k : f.related) {
            if (!primary.alert.members.contains(k)) {
                primary.alert.members.add(k);
            }
            primary.openMembers.putIfAbsent(k, f.lastWindowEnd);
        }
        String note = "error rate up and throughput down on " + f.app + " together";
        if (!primary.alert.rootCauseHints.contains(note)) {
            primary.alert.rootCauseHints.add(0, note);
        }
        if (fresh) {
            out.collect(primary.alert.copy());
        } else {
            emitUpdate(primary, out);
        }
        String other = primaryFamily.equals(first) ? second : first;
        IncidentState alias = new IncidentState();
        alias.aliasOf = primaryFamily;
        incidents.put(other, alias);
        incidents.put(primaryFamily, primary);
    }

    private void releaseRegression(Finding f, OnTimerContext ctx, Collector<Alert> out)
            throws Exception {
        String family = f.relatedKinds.isEmpty() ? f.metricKind : f.relatedKinds.get(0);
        IncidentState inc = incident(family);
        String note = "release=" + f.release + " is new and regressed " + f.metric;
        if (inc != null && inc.isOpen()) {
            inc.alert.release = f.release;
            if (!Finding.CORRELATED.equals(inc.alert.kind)) {
                inc.alert.kind = Finding.RELEASE_REGRESSION;
            }
            if (!inc.alert.rootCauseHints.contains(note)) {
                inc.alert.rootCauseHints.add(0, note);
            }
            emitUpdate(inc, out);
            incidents.put(familyKey(inc), inc);
            return;
        }
        IncidentState fresh = open(f, Finding.RELEASE_REGRESSION, family, ctx);
        fresh.alert.release = f.release;
        fresh.alert.rootCauseHints.add(0, note);
        incidents.put(family, fresh);
        out.collect(fresh.alert.copy());
    }

    /**
     * A new error after a release: its own incident per fingerprint (family {@code
     * new_error:<key>}), never merged into the error-rate incident (a new fingerprint is news even
     * when the error rate moves too). It resolves on the error group's quiet finding, not on
     * staleness: the metric series that keep other incidents alive do not carry it.
     */
    private void newError(Finding f, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        String family = Finding.NEW_ERROR + ":" + f.key;
        IncidentState inc = incidents.get(family);
        if (inc != null) {
            return; // one alert per fingerprint for as long as the family is remembered
        }
        IncidentState fresh = open(f, Finding.NEW_ERROR, family, ctx);
        fresh.alert.release = f.release;
        fresh.alert.severity = Alert.WARNING;
        // The error groups dashboard, filtered to the app and fingerprint (the field is
        // "fingerprint" there, as the dimension is in the metric dashboards).
        fresh.alert.dashboardUrl =
                DashboardLinks.series(
                        config.kibanaUrl,
                        ERROR_GROUPS_DASHBOARD,
                        f.app,
                        "fingerprint",
                        f.dimensionValue,
                        f.firstWindowStart - Duration.ofHours(1).toMillis(),
                        f.lastWindowEnd + Duration.ofHours(24).toMillis());
        fresh.alert.rootCauseHints.clear();
        fresh.alert.rootCauseHints.add(
                String.format(
                        java.util.Locale.ROOT,
                        "new error %s on release=%s: %s, %.0f sessions",
                        f.dimensionValue,
                        f.release,
                        f.detail,
                        f.observed));
        for (String r : f.related) {
            if (r.startsWith("browser=")) {
                fresh.alert.rootCauseHints.add(r + " has every occurrence");
            }
        }
        incidents.put(family, fresh);
        out.collect(fresh.alert.copy());
    }

    private void recovered(Finding f, Collector<Alert> out) throws Exception {
        List<String> families = new ArrayList<>();
        for (String k : incidents.keys()) {
            families.add(k);
        }
        for (String family : families) {
            IncidentState inc = incidents.get(family);
            if (inc == null || !inc.isOpen()) {
                continue;
            }
            Long lastAnomaly = inc.openMembers.get(f.key);
            if (lastAnomaly == null || f.firstWindowStart < lastAnomaly) {
                continue;
            }
            inc.openMembers.remove(f.key);
            inc.lastActivity = Math.max(inc.lastActivity, f.at);
            if (inc.openMembers.isEmpty()) {
                resolve(inc, f.lastWindowEnd, out);
            }
            incidents.put(family, inc);
        }
    }

    private void resolve(IncidentState inc, long resolvedAt, Collector<Alert> out)
            throws Exception {
        inc.alert.state = Alert.RESOLVED;
        inc.alert.resolvedAt = resolvedAt;
        inc.alert.updateSeq++;
        inc.cooldownUntil = resolvedAt + config.cooldown.toMillis();
        out.collect(inc.alert.copy());
        String family = familyKey(inc);
        List<String> aliases = new ArrayList<>();
        for (Map.Entry<String, IncidentState> e : incidents.entries()) {
            if (family != null && family.equals(e.getValue().aliasOf)) {
                aliases.add(e.getKey());
            }
        }
        for (String k : aliases) {
            incidents.remove(k);
        }
    }

    private void emitUpdate(IncidentState inc, Collector<Alert> out) {
        inc.alert.state = Alert.UPDATED;
        inc.alert.updateSeq++;
        out.collect(inc.alert.copy());
    }

    /** Stale incidents resolve; resolved ones leave after their cooldown; old rows go. */
    private void expire(long ts, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<String> families = new ArrayList<>();
        for (String k : incidents.keys()) {
            families.add(k);
        }
        for (String family : families) {
            IncidentState inc = incidents.get(family);
            if (inc == null || inc.aliasOf != null) {
                continue;
            }
            long staleAt = inc.lastActivity + config.staleAfter.toMillis();
            if (inc.isOpen() && Finding.NEW_ERROR.equals(inc.alert.kind)) {
                // Resolved by its error group's quiet finding (see newError), never stale. Look
                // again later (on a grid, so repeated calls share one timer) so that once resolved
                // it leaves after its cooldown even if the app sends nothing else.
                long every = config.staleAfter.toMillis();
                ctx.timerService().registerEventTimeTimer((ts / every + 1) * every);
                continue;
            }
            if (inc.isOpen() && staleAt <= ts) {
                inc.alert.rootCauseHints.add(
                        "resolved: no data from its series for " + config.staleAfter);
                resolve(inc, inc.lastActivity + 1, out);
                incidents.put(family, inc);
                ctx.timerService().registerEventTimeTimer(Math.max(ts + 1, inc.cooldownUntil));
            } else if (inc.isOpen()) {
                ctx.timerService().registerEventTimeTimer(staleAt);
            } else if (inc.cooldownUntil <= ts) {
                incidents.remove(family);
            } else {
                ctx.timerService().registerEventTimeTimer(inc.cooldownUntil);
            }
        }
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

    /**
     * Hints from the app's rows of the windows from the alert's first one up to the finding that
     * asks ({@code upTo}, its event time). Rows of later windows may or may not have arrived when
     * the watermark fires the finding, so reading them would make a replay's hints (and the
     * notification keys that depend on the alert version) differ from the first run's.
     */
    private List<String> hints(Alert a, String direction, long upTo) {
        List<RowDigest> window = new ArrayList<>();
        try {
            for (Map.Entry<Long, Digests> e : rows.entries()) {
                if (e.getKey() >= a.firstWindow && e.getKey() <= upTo) {
                    window.addAll(e.getValue().list);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // The alert's own dimension stays in: "browser=Safari carries 95 % of the extra
        // error_rate" on a Safari alert says the change is Safari's, not a broad one Safari shares.
        List<String> computed =
                RootCauseHints.compute(
                        a.metric, direction, window, null, config.minHintShare, config.maxHints);
        List<String> kept = new ArrayList<>();
        for (String h : a.rootCauseHints) {
            if (!h.contains(" carries ")) {
                kept.add(h);
            }
        }
        kept.addAll(computed);
        return kept;
    }

    /** The "dimension=value" each hint names, in order. */
    static List<String> subjects(List<String> hints) {
        List<String> out = new ArrayList<>();
        for (String h : hints) {
            int sp = h.indexOf(' ');
            out.add(sp < 0 ? h : h.substring(0, sp));
        }
        return out;
    }

    private String severity(Alert a) {
        if (Alert.CRITICAL.equals(a.severity)
                || Finding.CORRELATED.equals(a.kind)
                || a.score >= config.criticalScore) {
            return Alert.CRITICAL;
        }
        return Alert.WARNING;
    }

    static String alertId(String app, String family, String key, long firstWindow) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] h =
                    md.digest(
                            (app + '|' + family + '|' + key + '|' + firstWindow)
                                    .getBytes(StandardCharsets.UTF_8));
            return "alert-" + HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
