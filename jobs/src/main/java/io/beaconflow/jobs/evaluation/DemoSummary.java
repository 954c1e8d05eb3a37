package io.beaconflow.jobs.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.GenerationStats;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.ingest.Deduplicator;
import io.beaconflow.jobs.ingest.IngestRouter;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The demo's closing table: what went in, what came out, and the generator's ground truth. */
public final class DemoSummary {
    private final StringBuilder text = new StringBuilder();

    public static long longOf(Map<String, Object> acc, String name) {
        Object v = acc.get(name);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    public static DemoSummary of(
            Map<String, Object> acc,
            GenerationStats generated,
            List<IncidentTruth> incidents,
            Path out,
            double seconds,
            java.time.Duration window) {
        DemoSummary s = new DemoSummary();
        long accepted = longOf(acc, IngestRouter.ACC_ACCEPTED);
        long rejected = longOf(acc, IngestRouter.ACC_DEAD_LETTERS);
        long late = longOf(acc, IngestRouter.ACC_LATE);
        long duplicates = longOf(acc, Deduplicator.ACC_DUPLICATES);
        long maxTs = longOf(acc, IngestRouter.ACC_MAX_EVENT_TIME);

        s.line("");
        s.line("Beaconflow demo summary");
        s.line("=======================");
        s.row("wall time", String.format("%.1f s", seconds));
        s.row("event time reached", maxTs > 0 ? Instant.ofEpochMilli(maxTs).toString() : "-");
        s.row("records generated", generated.records());
        s.row(
                "events generated (incl. copies)",
                generated.uniqueEvents() + generated.duplicateEvents());
        s.row("events accepted", accepted);
        s.row(
                "  throughput",
                String.format("%,.0f events/s", seconds > 0 ? accepted / seconds : 0.0));
        s.row(
                "duplicates dropped",
                duplicates + "   (injected: " + generated.duplicateEvents() + ")");
        s.row("late events (kept)", late + "   (injected late: " + generated.lateEvents() + ")");
        s.row(
                "dead letters",
                rejected + "   (injected malformed records: " + generated.malformedRecords() + ")");
        for (Map.Entry<String, Long> r : reasons(out).entrySet()) {
            s.row("  " + r.getKey(), r.getValue());
        }
        s.row("bot events (flagged, kept)", generated.botEvents());
        List<Alert> alerts = readAll(out, "alerts", Alert.class);
        s.row("alert versions (open/updated/resolved)", (long) alerts.size());
        s.line("");
        s.line("Injected incidents (ground truth) and the alerts that matched them");
        IncidentMatcher.Result matched =
                IncidentMatcher.match(incidents, alerts, window, IncidentMatcher.grace(window));
        for (String line : IncidentMatcher.table(matched).split("\n")) {
            s.line("  " + line);
        }
        s.line("");
        s.line("Outputs in " + out.toAbsolutePath() + ":");
        for (String f : files(out)) {
            s.line("  " + f);
        }
        return s;
    }

    /** Dead letters by reason, read back from the NDJSON files (every file of that output). */
    public static Map<String, Long> reasons(Path dir) {
        Map<String, Long> counts = new TreeMap<>();
        for (DeadLetter d : readAll(dir, "dead-letters", DeadLetter.class)) {
            counts.merge(String.valueOf(d.reason), 1L, Long::sum);
        }
        return counts;
    }

    /** Every record of one NDJSON output (all its per-subtask files), read back as POJOs. */
    public static <T> List<T> readAll(Path dir, String name, Class<T> type) {
        ObjectMapper json =
                Json.newOutputMapper()
                        .configure(
                                com.fasterxml.jackson.databind.DeserializationFeature
                                        .FAIL_ON_UNKNOWN_PROPERTIES,
                                false);
        List<T> out = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String fn = f.getFileName().toString();
                if (!fn.startsWith(name) || !fn.endsWith(".ndjson")) continue;
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) out.add(json.readValue(line, type));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted()
                    .map(
                            f -> {
                                try {
                                    long lines;
                                    try (Stream<String> l = Files.lines(f)) {
                                        lines = l.count();
                                    }
                                    return String.format(
                                            "%-28s %,10d lines", f.getFileName(), lines);
                                } catch (IOException e) {
                                    return f.getFileName().toString();
                                }
                            })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void row(String label, Object value) {
        String v =
                value instanceof Long ? String.format("%,d", (Long) value) : String.valueOf(value);
        text.append(String.format("  %-34s %s%n", label, v));
    }

    private void line(String s) {
        text.append(s).append('\n');
    }

    public String table() {
        return text.toString();
    }
}
