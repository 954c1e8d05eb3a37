package io.beaconflow.jobs.evaluation;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares alerts with the ground truth of injected incidents: which incident was alerted, when,
 * with which hint, and which alerts match no incident (false alerts). Used by the demo's closing
 * table and by the detection ITCase.
 *
 * <p>An alert matches an incident when the app agrees, the alert opened within {@code [start, end +
 * grace]}, and the incident's dimension value is the alert's series, one of its member series, or
 * named by a root-cause hint, or the alert's release is the incident's release, or the alert is on
 * the app total. Ground-truth routes are generator templates ({@code /product/{id}}); each {@code
 * {placeholder}} matches one path segment of the job's normalized route ({@code /product/:id}). The
 * alert's metric must be one the incident kind moves (a latency incident or drift is not matched by
 * an error-rate alert; an api_failure only by {@code fetch_error_rate}, a backend_slow only by a
 * fetch latency percentile ({@code fetch_p95}), a partial outage only by {@code error_rate}, a
 * vital_regression only by that vital's percentile). Each alert counts for one incident: the one it
 * names (else the earliest overlapping one). A {@code new_error} alert (an error group first seen
 * on a new release) matches like any alert, but counts for an incident only when no anomaly alert
 * does.
 */
public final class IncidentMatcher {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Windows after an incident's end in which an alert may still open for it (demo, evaluate). */
    public static final int GRACE_WINDOWS = 10;

    private IncidentMatcher() {}

    /** The grace the demo and {@code ./beaconflow evaluate} use: {@link #GRACE_WINDOWS} windows. */
    public static Duration grace(Duration window) {
        return window.multipliedBy(GRACE_WINDOWS);
    }

    /** One injected incident and what the detection made of it. */
    public record Row(
            IncidentTruth incident,
            int alertCount,
            Alert alert,
            Double delayWindows,
            List<Alert> alerts) {
        public boolean alerted() {
            return alert != null;
        }
    }

    public record Result(List<Row> rows, List<Alert> unmatched) {}

    /**
     * @param alerts every alert version (the latest version of each alert id is used)
     * @param window the metrics window, the unit of the delay
     * @param grace how long after an incident's end an alert may still open for it
     */
    public static Result match(
            List<IncidentTruth> incidents, List<Alert> alerts, Duration window, Duration grace) {
        List<Alert> latest = latest(alerts);
        Map<String, List<Alert>> byIncident = new LinkedHashMap<>();
        for (IncidentTruth t : incidents) {
            byIncident.put(t.id(), new ArrayList<>());
        }
        List<Alert> unmatched = new ArrayList<>();
        for (Alert a : latest) {
            IncidentTruth best = null;
            boolean bestSpecific = false;
            for (IncidentTruth t : incidents) {
                if (!a.app.equals(t.app())
                        || a.openedAt < t.startMillis()
                        || a.openedAt > t.endMillis() + grace.toMillis()) {
                    continue;
                }
                if (!fits(a.metric, t)) {
                    continue;
                }
                boolean specific = names(a, t);
                boolean general = Dimension.ALL.configName().equals(a.dimension);
                if (!specific && !general) {
                    continue;
                }
                if (best == null || (specific && !bestSpecific)) {
                    best = t;
                    bestSpecific = specific;
                }
            }
            if (best == null) {
                unmatched.add(a);
            } else {
                byIncident.get(best.id()).add(a);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (IncidentTruth t : incidents) {
            List<Alert> matched = byIncident.get(t.id());
            // A new-error alert announces an error group; it comes next to the anomaly alert of
            // the same incident (the error rate), not instead of it, so it counts (and is the
            // row's alert) only when no anomaly alert matched.
            List<Alert> anomalies =
                    matched.stream().filter(a -> !Finding.NEW_ERROR.equals(a.kind)).toList();
            List<Alert> counted = anomalies.isEmpty() ? matched : anomalies;
            Alert first = counted.isEmpty() ? null : counted.get(0);
            Double delay =
                    first == null
                            ? null
                            : (first.openedAt - t.startMillis()) / (double) window.toMillis();
            rows.add(new Row(t, counted.size(), first, delay, matched));
        }
        return new Result(rows, unmatched);
    }

    /** The latest version of each alert, ordered by opening time then id. */
    public static List<Alert> latest(List<Alert> versions) {
        Map<String, Alert> last = new LinkedHashMap<>();
        for (Alert a : versions) {
            Alert seen = last.get(a.alertId);
            if (seen == null || a.updateSeq > seen.updateSeq) {
                last.put(a.alertId, a);
            }
        }
        List<Alert> out = new ArrayList<>(last.values());
        out.sort(Comparator.comparingLong((Alert a) -> a.openedAt).thenComparing(a -> a.alertId));
        return out;
    }

    /** The alert's metric is one the incident moves. */
    static boolean fits(String metric, IncidentTruth incident) {
        if (metric == null) {
            return true;
        }
        switch (incident.kind()) {
            case "latency_regression":
            case "latency_drift":
                // Percentiles, and the good-experience shares the slower values pull down.
                return metric.matches(".*_p\\d\\d") || metric.endsWith("_good_share");
            case "error_spike":
                return metric.endsWith("error_rate") || metric.equals("error_sessions");
            case "partial_outage":
                // JS errors on every view of the hit sessions: the error rate, not fetches.
                return metric.equals("error_rate") || metric.equals("error_sessions");
            case "new_error":
                // The new-error alert (sessions hit by the new fingerprint), or its error rate.
                return metric.equals("error_sessions") || metric.equals("error_rate");
            case "api_failure":
                return metric.equals("fetch_error_rate") || metric.equals("fetch_failure_rate");
            case "backend_slow":
                // One endpoint's server time: its fetch latency percentiles, nothing else.
                return metric.matches("fetch_p\\d\\d");
            case "vital_regression":
                // Only the regressed vital's percentiles (inp_p75 for web_vital.INP).
                for (String m : incident.metrics()) {
                    if (m.startsWith(IncidentTruth.VITAL_PREFIX)) {
                        String vital = m.substring(IncidentTruth.VITAL_PREFIX.length());
                        if (metric.matches(
                                Pattern.quote(vital.toLowerCase(Locale.ROOT))
                                        + "_(p\\d\\d|good_share)")) {
                            return true;
                        }
                    }
                }
                return false;
            case "traffic_drop":
                return metric.equals("page_views")
                        || metric.equals("page_view_share")
                        || metric.equals("events")
                        || metric.equals("fetches");
            default:
                return true;
        }
    }

    /** The alert names the incident's dimension value (series, member, hint or release). */
    static boolean names(Alert a, IncidentTruth t) {
        if (t.release() != null && t.release().equals(a.release)) {
            return true;
        }
        if (matches(t.dimension(), t.value(), a.dimension, a.dimensionValue)) {
            return true;
        }
        if (namesEndpoint(t, a.dimension, a.dimensionValue)) {
            return true;
        }
        for (String m : a.members) {
            String[] p = m.split("\\|", -1);
            if (p.length >= 3 && namesEndpoint(t, p[1], p[2])) {
                return true;
            }
            if (p.length >= 3 && matches(t.dimension(), t.value(), p[1], p[2])) {
                return true;
            }
            if (t.release() != null
                    && p.length >= 3
                    && "release".equals(p[1])
                    && t.release().equals(p[2])) {
                return true;
            }
        }
        for (String h : a.rootCauseHints) {
            int eq = h.indexOf('=');
            // "dim=value carries ...": an endpoint value has a space of its own (GET /x).
            int carries = h.indexOf(" carries ", eq);
            int sp = carries > eq ? carries : h.indexOf(' ', eq);
            if (eq > 0 && sp > eq) {
                String dim = h.substring(0, eq);
                String value = h.substring(eq + 1, sp);
                if (matches(t.dimension(), t.value(), dim, value)) {
                    return true;
                }
                if (namesEndpoint(t, dim, value)) {
                    return true;
                }
                if (t.release() != null && "release".equals(dim) && t.release().equals(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * An api_failure's endpoint ({@code GET /api/v2/products/{id}/reviews?page=1}, from the
     * generator) is the series {@code endpoint = GET /api/v2/products/:id/reviews}: the job drops
     * the query and templates the path as it does routes.
     */
    static boolean namesEndpoint(IncidentTruth t, String dimension, String value) {
        if (!"endpoint".equals(dimension) || value == null) {
            return false;
        }
        for (String m : t.metrics()) {
            if (m.startsWith(IncidentTruth.ENDPOINT_PREFIX)) {
                String endpoint = m.substring(IncidentTruth.ENDPOINT_PREFIX.length());
                int q = endpoint.indexOf('?');
                if (q >= 0) {
                    endpoint = endpoint.substring(0, q);
                }
                if (routePattern(endpoint).matcher(value).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean matches(
            String truthDimension, String truthValue, String dimension, String value) {
        if (!truthDimension.equals(dimension) || value == null) {
            return false;
        }
        if ("browser".equals(truthDimension)) {
            return parsedBrowser(truthValue).equals(value);
        }
        if (!"route".equals(truthDimension)) {
            return truthValue.equals(value);
        }
        return routePattern(truthValue).matcher(value).matches();
    }

    /**
     * The name the job's user-agent parser (Yauaa's AgentName) gives a generator browser family:
     * the generator sends Samsung Internet's real user agent, which parses as "SamsungBrowser", so
     * an incident on browser "Samsung Internet" is the series {@code browser=SamsungBrowser}. The
     * same segment under two names, not a looser match: without this every alert on that series
     * counted as false and the incident as missed. {@code generator.BrowserNamesTest} parses every
     * family's generated user agents with the job's classifier and checks this table.
     */
    public static String parsedBrowser(String generatorFamily) {
        return PARSED_BROWSER.getOrDefault(generatorFamily, generatorFamily);
    }

    private static final java.util.Map<String, String> PARSED_BROWSER =
            java.util.Map.of("Samsung Internet", "SamsungBrowser");

    /** A generator route template as a pattern over normalized routes: {x} = one segment. */
    static Pattern routePattern(String template) {
        StringBuilder re = new StringBuilder();
        Matcher m = Pattern.compile("\\{[^}]*}").matcher(template);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(template.substring(last, m.start()))).append("[^/]+");
            last = m.end();
        }
        re.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(re.toString());
    }

    /** The result as a text table (times in UTC). */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-32s %-19s %-11s %-7s %-11s %-7s %-11s %s%n",
                        "incident",
                        "kind",
                        "onset",
                        "alerted",
                        "opened",
                        "delay",
                        "resolved",
                        "alert / root-cause hint"));
        for (Row row : r.rows()) {
            IncidentTruth t = row.incident();
            Alert a = row.alert();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-32s %-19s %-11s %-7s %-11s %-7s %-11s %s%n",
                            t.id(),
                            t.kind(),
                            TIME.format(Instant.ofEpochMilli(t.startMillis())),
                            a == null
                                    ? "NO"
                                    : row.alertCount() == 1 ? "yes" : "yes x" + row.alertCount(),
                            a == null ? "-" : TIME.format(Instant.ofEpochMilli(a.openedAt)),
                            a == null
                                    ? "-"
                                    : String.format(Locale.ROOT, "%.0fw", row.delayWindows()),
                            a == null || a.resolvedAt == null
                                    ? "-"
                                    : TIME.format(Instant.ofEpochMilli(a.resolvedAt)),
                            a == null ? "" : describe(a)));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "alerts matching no injected incident: %d%n",
                        r.unmatched().size()));
        for (Alert a : r.unmatched()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %s %s %s%n",
                            TIME.format(Instant.ofEpochMilli(a.openedAt)),
                            a.resolvedAt == null
                                    ? "(open)"
                                    : "→ " + TIME.format(Instant.ofEpochMilli(a.resolvedAt)),
                            describe(a)));
        }
        return sb.toString();
    }

    private static String describe(Alert a) {
        String hint = a.rootCauseHints.isEmpty() ? "" : " — " + a.rootCauseHints.get(0);
        return a.kind + " " + a.severity + " " + a.series + " " + a.metric + hint;
    }
}
