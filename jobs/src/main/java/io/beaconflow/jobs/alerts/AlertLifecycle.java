package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.AlertingConfig;
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

/**
 * The alert lifecycle of one app in plain Java (no Flink): turns the pattern findings of one
 * instant into alerts that open, update and resolve, one alert per incident, and expires stale and
 * cooled-down incidents. {@link AlertManager} is its Flink shell: it parks findings until the
 * watermark, keeps the state and timers, and hands this class views of them.
 *
 * <p><b>One incident, one alert.</b> A real incident moves many series at once (a slow route also
 * slows the app total, its browsers, countries and devices). Findings are grouped per app and
 * metric family (error rate, latency, throughput, frustration): while an incident of a family is
 * open, further sustained anomalies of that family join it as members instead of opening alerts. A
 * correlated finding (errors up, throughput down) merges the two families into one critical
 * incident; a segment series that is an open member of one incident joins it with an anomaly of
 * another family too (an endpoint failing and answering slower); a release-regression finding
 * attributes the incident to the release. The incident resolves when every member has recovered
 * after its last anomaly, or when its series fall silent for {@code stale-after}. For {@code
 * cooldown} after that, members that turn anomalous again are suppressed (counted) rather than
 * re-alerted.
 *
 * <p>Known limitation: two unrelated incidents of the same family on one app at the same time
 * become one alert (its members and hints show both).
 */
final class AlertLifecycle {

    /** The app's incidents by metric family (keyed state in the job). */
    interface Incidents {
        IncidentState get(String family) throws Exception;

        void put(String family, IncidentState incident) throws Exception;

        void remove(String family) throws Exception;

        /** A snapshot of the families, safe to modify the incidents while iterating it. */
        List<String> families() throws Exception;
    }

    /** The app's scored rows of the windows starting in [from, upTo], for root-cause hints. */
    interface Rows {
        List<RowDigest> between(long from, long upTo) throws Exception;
    }

    /** What the lifecycle asks of its shell: output, timers, metrics, the detection time. */
    interface Effects {
        void emit(Alert alert);

        void timerAt(long eventTime);

        void opened();

        void suppressed();

        /** A segment's finding did not open: its app total contradicts it (ParentConsistency). */
        void notShownByParent();

        /** Wall-clock time, only for the alert's {@code detectedAt} / {@code lagMs} metadata. */
        long detectedAt();
    }

    private final AlertingConfig config;
    private final Incidents incidents;
    private final Rows rows;
    private final Effects effects;

    AlertLifecycle(AlertingConfig config, Incidents incidents, Rows rows, Effects effects) {
        this.config = config;
        this.incidents = incidents;
        this.rows = rows;
        this.effects = effects;
    }

    /**
     * Handles the findings due at one instant in the fixed order (correlated, release regression,
     * sustained, frustration, recovered; then by key), then expires incidents.
     */
    void fire(long ts, List<Finding> due) throws Exception {
        List<Finding> list = new ArrayList<>(due);
        list.sort(
                Comparator.comparing(FindingKind::of)
                        .thenComparing(f -> f.key == null ? "" : f.key));
        for (Finding f : list) handle(f);
        expire(ts);
    }

    private void handle(Finding f) throws Exception {
        switch (FindingKind.of(f)) {
            case SUSTAINED:
            case FRUSTRATION:
                anomaly(f, familyOf(f));
                break;
            case CORRELATED:
                correlated(f);
                break;
            case RELEASE_REGRESSION:
                releaseRegression(f);
                break;
            case NEW_ERROR:
                newError(f);
                break;
            case RECOVERED:
                recovered(f);
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
        for (String family : incidents.families()) {
            IncidentState e = incidents.get(family);
            if (e.aliasOf == null && e.alert != null && e.alert.alertId.equals(s.alert.alertId)) {
                return family;
            }
        }
        return null;
    }

    private void anomaly(Finding f, String family) throws Exception {
        IncidentState inc = incident(family);
        if (inc == null || !inc.isOpen()) {
            IncidentState sameSeries = openIncidentOfSeries(f);
            if (sameSeries != null) {
                inc = sameSeries;
            }
        }
        if (inc != null && inc.isOpen()) {
            join(inc, f);
            incidents.put(familyKey(inc), inc);
            return;
        }
        if (inc != null
                && !inc.isOpen()
                && f.at < inc.cooldownUntil
                && inc.alert.members.contains(f.key)) {
            effects.suppressed();
            return;
        }
        if (Finding.SUSTAINED.equals(f.kind)
                && ParentConsistency.contradicts(
                        f.metric,
                        f.dimension,
                        f.dimensionValue,
                        "down".equals(f.direction),
                        rows.between(f.firstWindowStart, f.at),
                        config.parentShortfallZ)) {
            // Checked again on the series' next finding: if the total catches up, it opens then.
            effects.notShownByParent();
            return;
        }
        String kind = Finding.FRUSTRATION.equals(f.kind) ? Finding.FRUSTRATION : Finding.SUSTAINED;
        IncidentState fresh = open(f, kind, family);
        incidents.put(family, fresh);
        effects.emit(fresh.alert.copy());
    }

    /**
     * An open incident of another family that already has a member on this finding's segment
     * series; null if none (or the series is the app total). One segment misbehaving in two ways at
     * once is one incident: an API endpoint whose calls fail also answers slower (its failures wait
     * for a timeout), and a route slowed by its backend also fails more. Before, the second symptom
     * opened its own alert next to the first, on the same series and minutes. Not on the app total,
     * which every incident of the app moves: there a latency regression during an error spike
     * elsewhere is a second incident.
     */
    private IncidentState openIncidentOfSeries(Finding f) throws Exception {
        if (f.series == null || Dimension.ALL.configName().equals(f.dimension)) {
            return null;
        }
        String prefix = f.series + '|';
        for (String family : incidents.families()) {
            IncidentState inc = incidents.get(family);
            if (inc == null || inc.aliasOf != null || !inc.isOpen()) {
                continue;
            }
            for (String member : inc.openMembers.keySet()) {
                if (member.startsWith(prefix) && member.indexOf('|', prefix.length()) < 0) {
                    return inc;
                }
            }
        }
        return null;
    }

    private IncidentState open(Finding f, String kind, String family) throws Exception {
        Alert a = new Alert();
        a.alertId = alertId(f.app, family, f.key, f.firstWindowStart);
        a.state = AlertState.OPEN.wire;
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
        a.detectedAt = effects.detectedAt();
        a.lagMs = a.detectedAt - f.lastWindowEnd;
        a.release = f.release;
        a.members.add(f.key);
        boolean total = Dimension.ALL.configName().equals(f.dimension);
        a.dashboardUrl =
                DashboardLinks.series(
                        config.kibanaUrl,
                        config.dashboardId,
                        f.app,
                        total ? null : f.dimension,
                        total ? null : f.dimensionValue,
                        f.firstWindowStart - Duration.ofHours(1).toMillis(),
                        f.lastWindowEnd + Duration.ofHours(1).toMillis());
        // The scorer's own hints first (an error surge names where its sessions are); the
        // computed ones, which replace each other, follow.
        a.rootCauseHints = new ArrayList<>(f.hints);
        a.rootCauseHints = hints(a, f.direction, f.at);
        IncidentState s = new IncidentState();
        s.alert = a;
        s.primaryKey = f.key;
        s.openMembers.put(f.key, f.lastWindowEnd);
        s.lastActivity = f.at;
        effects.timerAt(f.at + config.staleAfter.toMillis());
        effects.opened();
        return s;
    }

    /** A finding of an open incident's family: a new member or more of the same. */
    private void join(IncidentState inc, Finding f) throws Exception {
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
        for (String h : f.hints) {
            if (!a.rootCauseHints.contains(h) && f.key.equals(inc.primaryKey)) {
                // the primary signal's newest own hints replace its older ones
                a.rootCauseHints.removeIf(old -> old.contains(OWN_HINT));
                a.rootCauseHints.addAll(0, f.hints);
                changed = true;
                break;
            }
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
            emitUpdate(inc);
        }
    }

    private void correlated(Finding f) throws Exception {
        String first = f.relatedKinds.get(0);
        String second = f.relatedKinds.get(1);
        IncidentState a = incident(first);
        IncidentState b = incident(second);
        IncidentState primary = a != null && a.isOpen() ? a : b != null && b.isOpen() ? b : null;
        boolean fresh = primary == null;
        String primaryFamily;
        if (fresh) {
            primary = open(f, Finding.CORRELATED, first);
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
            effects.emit(primary.alert.copy());
        } else {
            emitUpdate(primary);
        }
        String other = primaryFamily.equals(first) ? second : first;
        IncidentState alias = new IncidentState();
        alias.aliasOf = primaryFamily;
        incidents.put(other, alias);
        incidents.put(primaryFamily, primary);
    }

    private void releaseRegression(Finding f) throws Exception {
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
            emitUpdate(inc);
            incidents.put(familyKey(inc), inc);
            return;
        }
        IncidentState fresh = open(f, Finding.RELEASE_REGRESSION, family);
        fresh.alert.release = f.release;
        fresh.alert.rootCauseHints.add(0, note);
        incidents.put(family, fresh);
        effects.emit(fresh.alert.copy());
    }

    /** Kibana id of the error groups dashboard (docker/kibana/dashboard-error-groups.ndjson). */
    static final String ERROR_GROUPS_DASHBOARD = "beaconflow-error-groups";

    /**
     * A new error after a release: its own incident per fingerprint (family {@code
     * new_error:<key>}), never merged into the error-rate incident (a new fingerprint is news even
     * when the error rate moves too). It resolves on the error group's quiet finding, not on
     * staleness: the metric series that keep other incidents alive do not carry it.
     */
    private void newError(Finding f) throws Exception {
        String family = Finding.NEW_ERROR + ":" + f.key;
        if (incidents.get(family) != null) {
            return; // one alert per fingerprint for as long as the family is remembered
        }
        IncidentState fresh = open(f, Finding.NEW_ERROR, family);
        fresh.alert.release = f.release;
        fresh.alert.severity = Alert.WARNING;
        // The error groups dashboard, filtered to the app and fingerprint.
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
        effects.emit(fresh.alert.copy());
    }

    private void recovered(Finding f) throws Exception {
        for (String family : incidents.families()) {
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
                resolve(inc, f.lastWindowEnd);
            }
            incidents.put(family, inc);
        }
    }

    private void resolve(IncidentState inc, long resolvedAt) throws Exception {
        inc.alert.state = AlertState.RESOLVED.wire;
        inc.alert.resolvedAt = resolvedAt;
        inc.alert.updateSeq++;
        inc.cooldownUntil = resolvedAt + config.cooldown.toMillis();
        effects.emit(inc.alert.copy());
        String family = familyKey(inc);
        List<String> aliases = new ArrayList<>();
        for (String k : incidents.families()) {
            if (family != null && family.equals(incidents.get(k).aliasOf)) {
                aliases.add(k);
            }
        }
        for (String k : aliases) {
            incidents.remove(k);
        }
    }

    private void emitUpdate(IncidentState inc) {
        inc.alert.state = AlertState.UPDATED.wire;
        inc.alert.updateSeq++;
        effects.emit(inc.alert.copy());
    }

    /** Stale incidents resolve; resolved ones leave after their cooldown. */
    private void expire(long ts) throws Exception {
        for (String family : incidents.families()) {
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
                effects.timerAt((ts / every + 1) * every);
                continue;
            }
            if (inc.isOpen() && staleAt <= ts) {
                inc.alert.rootCauseHints.add(
                        "resolved: no data from its series for " + config.staleAfter);
                resolve(inc, inc.lastActivity + 1);
                incidents.put(family, inc);
                effects.timerAt(Math.max(ts + 1, inc.cooldownUntil));
            } else if (inc.isOpen()) {
                effects.timerAt(staleAt);
            } else if (inc.cooldownUntil <= ts) {
                incidents.remove(family);
            } else {
                effects.timerAt(inc.cooldownUntil);
            }
        }
    }

    /**
     * Hints from the app's rows of the windows from the alert's first one up to the finding that
     * asks ({@code upTo}, its event time). Rows of later windows may or may not have arrived when
     * the watermark fires the finding, so reading them would make a replay's hints (and the
     * notification keys that depend on the alert version) differ from the first run's.
     */
    private List<String> hints(Alert a, String direction, long upTo) throws Exception {
        List<RowDigest> window = rows.between(a.firstWindow, upTo);
        // The alert's own dimension stays in: "browser=Safari carries 95 % of the extra
        // error_rate" on a Safari alert says the change is Safari's, not a broad one Safari shares.
        List<String> computed =
                RootCauseHints.compute(
                        hintMetric(a.metric),
                        direction,
                        window,
                        null,
                        config.minHintShare,
                        config.maxHints);
        List<String> kept = new ArrayList<>();
        for (String h : a.rootCauseHints) {
            if (!h.contains(" carries ")) {
                kept.add(h);
            }
        }
        kept.addAll(computed);
        return kept;
    }

    /**
     * The metric whose rows explain an alert: an error's sessions (an error surge, a new error)
     * have no per-segment rows of their own, and the segments that carry the app's extra error rate
     * in the same windows are where the error happens.
     */
    static String hintMetric(String metric) {
        return "error_sessions".equals(metric) ? "error_rate" : metric;
    }

    /** What every scorer-given hint says ({@code ErrorSurgeFunction}'s segment hints). */
    static final String OWN_HINT = " of the error's ";

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
