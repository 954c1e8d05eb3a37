package io.beaconflow.jobs.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.IncidentTruth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of {@code ./beaconflow evaluate}: per run (scenario file × seed), per file and in
 * total, incidents alerted of injected, alert delay in windows after onset (median, max), alerts
 * matching no incident and false alerts per simulated day. Every figure comes from {@link
 * IncidentMatcher}'s verdicts; this class only counts and formats them.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * One run: a scenario file with one generator seed, what the matcher made of it, and how
     * strongly each incident showed in its own series ({@link IncidentEvidence}, by incident id;
     * empty when the rows were not read).
     */
    public record Run(
            String scenario,
            long seed,
            double simulatedDays,
            IncidentMatcher.Result result,
            long eventsAccepted,
            double wallSeconds,
            Map<String, IncidentEvidence.Finding> evidence) {

        public Run(
                String scenario,
                long seed,
                double simulatedDays,
                IncidentMatcher.Result result,
                long eventsAccepted,
                double wallSeconds) {
            this(scenario, seed, simulatedDays, result, eventsAccepted, wallSeconds, Map.of());
        }

        public Figures figures() {
            return Figures.of(List.of(this));
        }
    }

    /** Counts over one or more runs. */
    public record Figures(
            int runs,
            int injected,
            int alerted,
            List<Double> delays,
            int unmatched,
            double simulatedDays,
            long eventsAccepted,
            double wallSeconds) {

        public static Figures of(List<Run> runs) {
            int injected = 0;
            int alerted = 0;
            int unmatched = 0;
            double days = 0;
            long events = 0;
            double wall = 0;
            List<Double> delays = new ArrayList<>();
            for (Run r : runs) {
                for (IncidentMatcher.Row row : r.result().rows()) {
                    injected++;
                    if (row.alerted()) {
                        alerted++;
                        delays.add(row.delayWindows());
                    }
                }
                unmatched += r.result().unmatched().size();
                days += r.simulatedDays();
                events += r.eventsAccepted();
                wall += r.wallSeconds();
            }
            return new Figures(
                    runs.size(), injected, alerted, delays, unmatched, days, events, wall);
        }

        /** Median of the delays, or null when nothing was alerted. */
        Double medianDelay() {
            return median(delays);
        }

        Double maxDelay() {
            return delays.stream().max(Double::compare).orElse(null);
        }

        double falseAlertsPerDay() {
            return simulatedDays > 0 ? unmatched / simulatedDays : 0;
        }
    }

    public static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A delay in windows: whole numbers as such, else one decimal; "-" when there is none. */
    public static String windows(Double w) {
        if (w == null) {
            return "-";
        }
        if (w == Math.rint(w)) {
            return String.format(Locale.ROOT, "%.0f", w);
        }
        return String.format(Locale.ROOT, "%.1f", w);
    }

    private static final String ROW = "%-28s %-6s %-9s %-12s %-9s %-10s %-10s %s%n";

    /** The table: one row per run, one per scenario file (seed "all") and the total. */
    public static String table(List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        ROW,
                        "scenario",
                        "seed",
                        "alerted",
                        "median delay",
                        "max delay",
                        "unmatched",
                        "false/day",
                        "events, wall time"));
        Map<String, List<Run>> byScenario = new LinkedHashMap<>();
        for (Run r : runs) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Run>> e : byScenario.entrySet()) {
            for (Run r : e.getValue()) {
                row(sb, r.scenario(), Long.toString(r.seed()), r.figures());
            }
            if (e.getValue().size() > 1) {
                row(sb, e.getKey(), "all", Figures.of(e.getValue()));
            }
        }
        row(sb, "total", "", Figures.of(runs));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String scenario, String seed, Figures f) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        ROW,
                        scenario,
                        seed,
                        f.alerted() + "/" + f.injected(),
                        windows(f.medianDelay()),
                        windows(f.maxDelay()),
                        f.unmatched(),
                        String.format(Locale.ROOT, "%.2f", f.falseAlertsPerDay()),
                        String.format(
                                Locale.ROOT,
                                "%,d events, %.0f s",
                                f.eventsAccepted(),
                                f.wallSeconds())));
    }

    /**
     * The incidents whose own series show at least {@code threshold} standard errors (a test that
     * knows where and when to look; {@link IncidentEvidence}), how many of those were alerted, and
     * the ones missed with their evidence. Null when a run with incidents has no evidence (its rows
     * were not read) or no run has an incident.
     */
    public static String evidenceSummary(List<Run> runs, double threshold) {
        int injected = 0;
        int reachable = 0;
        int reachableFound = 0;
        int foundBelow = 0;
        StringBuilder missed = new StringBuilder();
        for (Run r : runs) {
            if (r.result().rows().isEmpty()) {
                continue; // a file without incidents (none.yaml) has nothing to show
            }
            if (r.evidence().isEmpty()) {
                return null;
            }
            for (IncidentMatcher.Row row : r.result().rows()) {
                injected++;
                IncidentEvidence.Finding f = r.evidence().get(row.incident().id());
                boolean strong = f != null && f.z() >= threshold;
                if (strong) {
                    reachable++;
                    if (row.alerted()) reachableFound++;
                } else if (row.alerted()) {
                    foundBelow++;
                }
                if (!row.alerted()) {
                    missed.append(
                            String.format(
                                    Locale.ROOT,
                                    "  missed %s seed %d %s: evidence %s%n",
                                    r.scenario(),
                                    r.seed(),
                                    row.incident().id(),
                                    describe(f)));
                }
            }
        }
        if (injected == 0) {
            return null;
        }
        return String.format(
                        Locale.ROOT,
                        "evidence: %d/%d incidents show z >= %.2f in their own series (a test that"
                                + " knows where and when); alerted %d of those, and %d of the"
                                + " others%n",
                        reachable,
                        injected,
                        threshold,
                        reachableFound,
                        foundBelow)
                + missed;
    }

    private static String describe(IncidentEvidence.Finding f) {
        if (f == null || Double.isNaN(f.z())) {
            return "none (no rows of its series)";
        }
        return String.format(Locale.ROOT, "z %.1f (%s on %s)", f.z(), f.metric(), f.series());
    }

    /** The closing line, exactly in the form the issue asks for. */
    public static String lastLine(List<Run> runs) {
        Figures f = Figures.of(runs);
        Double median = f.medianDelay();
        return String.format(
                Locale.ROOT,
                "evaluation: recall %d/%d, false alerts per day %.2f, median delay %s windows",
                f.alerted(),
                f.injected(),
                f.falseAlertsPerDay(),
                median == null ? "n/a" : windows(median));
    }

    /** The same figures as JSON: every run with its incidents and unmatched alerts, and totals. */
    public static void writeJson(List<Run> runs, Path file) {
        Map<String, Object> doc = new LinkedHashMap<>();
        List<Object> runDocs = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> d = figures(r.figures());
            d.put("scenario", r.scenario());
            d.put("seed", r.seed());
            List<Object> incidents = new ArrayList<>();
            for (IncidentMatcher.Row row : r.result().rows()) {
                IncidentTruth t = row.incident();
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("id", t.id());
                i.put("kind", t.kind());
                i.put("app", t.app());
                i.put("dimension", t.dimension());
                i.put("value", t.value());
                i.put("start_millis", t.startMillis());
                i.put("end_millis", t.endMillis());
                i.put("alerted", row.alerted());
                i.put("alerts", row.alertCount());
                i.put("delay_windows", row.delayWindows());
                i.put("alert", row.alerted() ? alert(row.alert()) : null);
                IncidentEvidence.Finding f = r.evidence().get(t.id());
                if (f != null && !Double.isNaN(f.z())) {
                    i.put("evidence_z", f.z());
                    i.put("evidence_series", f.series());
                    i.put("evidence_metric", f.metric());
                }
                incidents.add(i);
            }
            d.put("incidents", incidents);
            List<Object> unmatched = new ArrayList<>();
            for (Alert a : r.result().unmatched()) unmatched.add(alert(a));
            d.put("unmatched_alerts", unmatched);
            runDocs.add(d);
        }
        doc.put("runs", runDocs);
        Map<String, Object> scenarios = new LinkedHashMap<>();
        Map<String, List<Run>> byScenario = new LinkedHashMap<>();
        for (Run r : runs) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        byScenario.forEach((k, v) -> scenarios.put(k, figures(Figures.of(v))));
        doc.put("scenarios", scenarios);
        doc.put("total", figures(Figures.of(runs)));
        doc.put("last_line", lastLine(runs));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> figures(Figures f) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("runs", f.runs());
        d.put("injected", f.injected());
        d.put("alerted", f.alerted());
        d.put("median_delay_windows", f.medianDelay());
        d.put("max_delay_windows", f.maxDelay());
        d.put("unmatched_alerts", f.unmatched());
        d.put("simulated_days", f.simulatedDays());
        d.put("false_alerts_per_day", f.falseAlertsPerDay());
        d.put("events_accepted", f.eventsAccepted());
        d.put("wall_seconds", f.wallSeconds());
        return d;
    }

    private static Map<String, Object> alert(Alert a) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("alert_id", a.alertId);
        d.put("kind", a.kind);
        d.put("severity", a.severity);
        d.put("series", a.series);
        d.put("metric", a.metric);
        d.put("opened_at", a.openedAt);
        d.put("resolved_at", a.resolvedAt);
        d.put("root_cause_hints", a.rootCauseHints);
        return d;
    }
}
