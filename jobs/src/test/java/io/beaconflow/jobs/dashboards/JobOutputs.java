package io.beaconflow.jobs.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.DailyIndex;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.pipeline.LateEventDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The documents a demo run wrote ({@code ./beaconflow demo --out DIR}: {@code sessions*.ndjson},
 * {@code metrics*.ndjson}, {@code alerts*.ndjson}, {@code dead-letters*.ndjson}, one JSON document
 * per line, as the Elasticsearch sink writes them), turned into what Elasticsearch holds at one
 * moment of the run.
 *
 * <p>Why a moment and not the end: at the end of a bounded run every session is closed and most
 * alerts are resolved, so "live sessions" and "open alerts" would be empty; the dashboards are for
 * a running job. Sessions and alerts are versioned documents (same id, rising {@code update_seq}),
 * so the state at event time T is, per id, the latest version written by then. T is the latest
 * moment at which one alert is open and another resolved (an opening plus a minute, or a
 * resolution), so both the open and the resolved panels have documents.
 *
 * <p>The traces dashboard reads {@code rum-fetch-timings-*} and {@code rum-endpoint-timings-*},
 * which the demo cannot write: it has no backend exporting server spans (and its generated traffic
 * stays as it is). Those documents are {@link #TRACES}: what the production graph wrote to
 * Elasticsearch for the captured real-browser visits joined with their backend's OTLP server spans,
 * kept in step with the job by the collector's {@code ServerSpansToElasticsearchITCase}, which
 * compares them with what it writes.
 */
final class JobOutputs {
    /** One document: target index (without the test prefix), id (null: generated), source. */
    record Doc(String index, String id, JsonNode source) {}

    private static final long MINUTE = 60_000;

    /** Fetch and endpoint timing documents of the captured visits (see the class comment). */
    static final Path TRACES =
            SavedObjects.repoRoot().resolve("jobs/src/test/resources/dashboards/traces");

    final long snapshotMillis;
    final List<Doc> docs = new ArrayList<>();
    final Map<String, Integer> linesByKind = new HashMap<>();

    private JobOutputs(long snapshotMillis) {
        this.snapshotMillis = snapshotMillis;
    }

    static JobOutputs read(Path dir) {
        List<JsonNode> sessions = lines(dir, "sessions");
        List<JsonNode> metrics = lines(dir, "metrics");
        List<JsonNode> alerts = lines(dir, "alerts");
        List<JsonNode> deadLetters = lines(dir, "dead-letters");
        List<JsonNode> errorGroups = lines(dir, "error-groups");
        List<JsonNode> lateEvents = lines(dir, "late-events");
        List<JsonNode> comparisons = lines(dir, "comparisons");
        List<JsonNode> fetchTimings = lines(TRACES, "fetch-timings");
        List<JsonNode> endpointTimings = lines(TRACES, "endpoint-timings");

        long lastOpened = Long.MIN_VALUE;
        for (JsonNode a : alerts) lastOpened = Math.max(lastOpened, a.path("opened_at").asLong());
        long end = Long.MIN_VALUE;
        for (JsonNode s : sessions) end = Math.max(end, s.path("end").asLong());
        for (JsonNode m : metrics) end = Math.max(end, m.path("window_end").asLong());
        long t = alerts.isEmpty() ? end : snapshotWithOpenAndResolved(alerts, lastOpened + MINUTE);

        JobOutputs out = new JobOutputs(t);
        out.linesByKind.put("sessions", sessions.size());
        out.linesByKind.put("metrics", metrics.size());
        out.linesByKind.put("alerts", alerts.size());
        out.linesByKind.put("dead-letters", deadLetters.size());
        out.linesByKind.put("error-groups", errorGroups.size());
        out.linesByKind.put("late-events", lateEvents.size());
        out.linesByKind.put("comparisons", comparisons.size());
        out.linesByKind.put("fetch-timings", fetchTimings.size());
        out.linesByKind.put("endpoint-timings", endpointTimings.size());

        Map<String, JsonNode> latestSession =
                latest(sessions, "session_key", s -> s.path("end").asLong(), t);
        for (JsonNode s : latestSession.values()) {
            out.docs.add(daily("rum-sessions-", "start", "session_key", s));
        }
        Map<String, JsonNode> latestMetric =
                latest(metrics, "id", m -> m.path("window_end").asLong(), t);
        for (JsonNode m : latestMetric.values()) {
            out.docs.add(daily("rum-metrics-", "window_start", "id", m));
        }
        Map<String, JsonNode> latestAlert = latest(alerts, "alert_id", JobOutputs::alertTime, t);
        for (JsonNode a : latestAlert.values()) {
            out.docs.add(new Doc("rum-alerts", a.path("alert_id").asText(), a));
        }
        for (JsonNode d : deadLetters) out.docs.add(new Doc("rum-deadletter", null, d));
        Map<String, JsonNode> latestGroup =
                latest(errorGroups, "id", g -> g.path("updated_at").asLong(), t);
        for (JsonNode g : latestGroup.values()) {
            out.docs.add(new Doc("rum-error-groups", g.path("id").asText(), g));
        }
        // One document per comparison, metric and emission (id includes window_end): all of
        // those emitted by T.
        for (JsonNode c : comparisons) {
            if (c.path("window_end").asLong() <= t) {
                out.docs.add(new Doc("rum-comparisons", c.path("id").asText(), c));
            }
        }
        // Final documents (one per fetch, one per endpoint and window), as the sink names them.
        for (JsonNode f : fetchTimings) {
            out.docs.add(daily("rum-fetch-timings-", "event_time", "id", f));
        }
        for (JsonNode e : endpointTimings) {
            out.docs.add(daily("rum-endpoint-timings-", "window_start", "id", e));
        }
        // The demo writes late events as the job emits them; the index holds their documents.
        LateEventDocuments late = new LateEventDocuments("rum-late");
        com.fasterxml.jackson.databind.ObjectMapper snake = Json.newOutputMapper();
        for (JsonNode l : lateEvents) {
            try {
                DeadLetter d = snake.treeToValue(l, DeadLetter.class);
                out.docs.add(
                        new Doc(
                                "rum-late",
                                d.documentId(),
                                snake.readTree(snake.writeValueAsBytes(late.of(d)))));
            } catch (IOException e) {
                throw new UncheckedIOException("late event " + l, e);
            }
        }
        return out;
    }

    /**
     * {@code d} as a document of the daily index {@code prefix}<day of its {@code dayField}>, under
     * the id in its {@code idField}, as the sinks name them.
     */
    private static Doc daily(String prefix, String dayField, String idField, JsonNode d) {
        return new Doc(
                DailyIndex.name(prefix, d.path(dayField).asLong()), d.path(idField).asText(), d);
    }

    /**
     * The latest moment (an opening plus a minute, or a resolution) at which the alerts index holds
     * an open alert and a resolved one, so the alert dashboards' open and resolved panels both have
     * something to show; {@code fallback} when no moment has both (then one panel is empty, and the
     * test says which).
     */
    private static long snapshotWithOpenAndResolved(List<JsonNode> alerts, long fallback) {
        java.util.TreeSet<Long> candidates = new java.util.TreeSet<>();
        for (JsonNode a : alerts) {
            candidates.add(a.path("opened_at").asLong() + MINUTE);
            if (a.hasNonNull("resolved_at")) candidates.add(a.path("resolved_at").asLong());
        }
        for (Long t : candidates.descendingSet()) {
            boolean open = false;
            boolean resolved = false;
            for (JsonNode a : latest(alerts, "alert_id", JobOutputs::alertTime, t).values()) {
                if ("resolved".equals(a.path("state").asText())) resolved = true;
                else open = true;
            }
            if (open && resolved) return t;
        }
        return fallback;
    }

    /**
     * When an alert version was written, in event time: its resolution, else its opening. ({@code
     * detected_at} is processing time, the wall clock of the run, not comparable with the moment.)
     */
    private static long alertTime(JsonNode a) {
        if (a.hasNonNull("resolved_at")) return a.path("resolved_at").asLong();
        return a.path("opened_at").asLong();
    }

    private interface Time {
        long of(JsonNode n);
    }

    /** Per id, the version with the highest update_seq among those written by {@code t}. */
    private static Map<String, JsonNode> latest(
            List<JsonNode> docs, String idField, Time time, long t) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode d : docs) {
            if (time.of(d) > t) continue;
            String id = d.path(idField).asText();
            JsonNode prev = out.get(id);
            if (prev == null || d.path("update_seq").asLong() >= prev.path("update_seq").asLong()) {
                out.put(id, d);
            }
        }
        return out;
    }

    private static List<JsonNode> lines(Path dir, String kind) {
        List<JsonNode> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(
                                    f -> {
                                        String n = f.getFileName().toString();
                                        return n.endsWith(".ndjson")
                                                && (n.equals(kind + ".ndjson")
                                                        || n.startsWith(kind + "-"));
                                    })
                            .sorted()
                            .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) out.add(SavedObjects.JSON.readTree(line));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return out;
    }
}
