package io.beaconflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.jobs.model.RejectReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the job actually wrote, read back after the run, and its comparison with {@link
 * ExpectedOutputs}: the dead-letter and late-event Kafka topics; with {@link #read(ClusterRun,
 * WebhookEndpoint)} also the run's Elasticsearch indices (sessions, metrics, alerts, dead letters;
 * every document of {@code <run prefix>rum-*}, grouped by id across indices) and the requests the
 * test's webhook received, grouped by idempotency key.
 */
final class FoundOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    final TopicContent deadLetters;
    final TopicContent lateEvents;

    /** Documents by id per index family (null when not read). */
    final Map<String, List<EsIndices.Doc>> esSessions;

    final Map<String, List<EsIndices.Doc>> esMetrics;
    final Map<String, List<EsIndices.Doc>> esAlerts;
    final Map<String, List<EsIndices.Doc>> esDeadLetters;

    /** Webhook request bodies by idempotency key (null when not read). */
    final Map<String, List<String>> notifications;

    private FoundOutputs(
            TopicContent deadLetters,
            TopicContent lateEvents,
            Map<String, List<EsIndices.Doc>> esSessions,
            Map<String, List<EsIndices.Doc>> esMetrics,
            Map<String, List<EsIndices.Doc>> esAlerts,
            Map<String, List<EsIndices.Doc>> esDeadLetters,
            Map<String, List<String>> notifications) {
        this.deadLetters = deadLetters;
        this.lateEvents = lateEvents;
        this.esSessions = esSessions;
        this.esMetrics = esMetrics;
        this.esAlerts = esAlerts;
        this.esDeadLetters = esDeadLetters;
        this.notifications = notifications;
    }

    static FoundOutputs read(ClusterRun run) {
        return new FoundOutputs(
                TopicContent.read(run.stack.kafkaBootstrap, run.deadLetterTopic),
                TopicContent.read(run.stack.kafkaBootstrap, run.lateTopic),
                null,
                null,
                null,
                null,
                null);
    }

    /** The Kafka topics, the run's Elasticsearch indices and what {@code webhook} received. */
    static FoundOutputs read(ClusterRun run, WebhookEndpoint webhook) {
        EsIndices es = new EsIndices(run.stack.elasticsearchUrl);
        String p = run.indexPrefix;
        // Patterns wider than the job's index names on purpose: a copy of a document in any
        // other index of the run (another day, a stray name) is counted as a duplicate.
        return new FoundOutputs(
                TopicContent.read(run.stack.kafkaBootstrap, run.deadLetterTopic),
                TopicContent.read(run.stack.kafkaBootstrap, run.lateTopic),
                es.documentsById(p + "rum-sessions*"),
                es.documentsById(p + "rum-metrics*"),
                es.documentsById(p + "rum-alerts*"),
                es.documentsById(p + "rum-deadletter*"),
                webhook.bodiesByKey());
    }

    List<OutputCheck> compare(ExpectedOutputs expected, ClusterRun run) {
        // Dead-letter keys are DeadLetter.documentId():
        // <raw topic>-<partition>-<offset>-<batch index>-<reason>; each must point at a record that
        // was produced.
        Pattern key =
                Pattern.compile(Pattern.quote(run.rawTopic) + "-(\\d+)-(\\d+)-(-?\\d+)-[a-z0-9_]+");
        Map<Integer, Long> end = run.rawEndOffsets();
        Function<TopicContent.Rec, String> producedPosition =
                r -> {
                    if (r.key() == null) return null;
                    Matcher m = key.matcher(r.key());
                    if (!m.matches()) return null;
                    Long e = end.get(Integer.parseInt(m.group(1)));
                    return e != null && Long.parseLong(m.group(2)) < e ? r.key() : null;
                };
        List<OutputCheck> checks = new ArrayList<>();
        checks.add(
                OutputCheck.rejections(
                        "dead letters",
                        deadLetters,
                        expected.deadLettersByReason,
                        producedPosition,
                        TopicContent.Rec::value));
        checks.add(
                // A late event stands for one generated event: app/event id, its "position".
                // Copies must name the same event. Copies also come from SDK retries of a late
                // beacon (the generator counts first deliveries; the router runs before dedup),
                // whose payload differs in sent_at/received_at, and "detail" (the distance to the
                // watermark at the time) differs between a first run and a replay: neither is
                // compared.
                OutputCheck.rejections(
                        "late events",
                        lateEvents,
                        Map.of(RejectReason.LATE, expected.lateEvents),
                        r -> field(r, "position"),
                        r ->
                                field(r, "reason")
                                        + "|"
                                        + field(r, "app")
                                        + "|"
                                        + field(r, "event_id")));
        if (esSessions == null || expected.reference == null) return checks;

        // Elasticsearch: the ingest dead letters by id (= the Kafka key), against the truth.
        List<TopicContent.Rec> deadLetterDocs = new ArrayList<>();
        esDeadLetters.forEach(
                (id, docs) ->
                        docs.forEach(
                                d ->
                                        deadLetterDocs.add(
                                                new TopicContent.Rec(
                                                        id,
                                                        d.source().toString(),
                                                        d.source().path("reason").asText(null),
                                                        d.source().path("partition").asInt(),
                                                        d.source().path("offset").asLong()))));
        checks.add(
                OutputCheck.rejections(
                        "es deadletter",
                        TopicContent.of(run.indexPrefix + "rum-deadletter", deadLetterDocs),
                        expected.deadLettersByReason,
                        producedPosition,
                        TopicContent.Rec::value));

        ReferenceRun.Result ref = expected.reference;
        // Fields that differ between two correct runs, left out of the comparison:
        // - update_seq of sessions counts early-update emissions: SessionAssembler skips an update
        //   when the watermark has jumped past the close or the session is unchanged, so the count
        //   follows the watermark's cadence (paced here, catching up after the restore, at full
        //   speed in the reference). The document is the closed one either way (closed, end_reason
        //   and every aggregate are compared).
        // - update_seq of metric rows counts window firings, which depends on which events reach
        //   the window behind its watermark, i.e. on timing (docs/DISCUSSION.md, "Late data");
        //   the final row's values do not.
        // How many documents differ only in what is left out is printed in the note.
        checks.add(
                documents(
                        "es sessions",
                        ref.sessions(),
                        esSessions,
                        d -> without(d, Set.of("update_seq")),
                        "update_seq"));
        checks.add(
                documents(
                        "es metrics",
                        ref.metrics(),
                        esMetrics,
                        d -> without(d, Set.of("update_seq")),
                        "update_seq"));
        checks.add(alerts(ref.alerts(), esAlerts));
        checks.add(alertIds(ref.alerts(), esAlerts));
        checks.add(notifications(ref, notifications));
        checks.add(notificationKeys(ref, notifications));
        return checks;
    }

    /*
     * Alerts and notifications are compared twice: per INCIDENT (app, kind, first anomalous
     * window: state, opened/resolved, release and members) and per alert id / idempotency key
     * (the whole document, wall clock aside). The per-id comparison became possible once two
     * sources of run-to-run difference in the detection stage were fixed: CEP ordered findings
     * tied in event time by arrival (so a release regression's primary metric, and its alert id,
     * depended on timing; now FindingTieOrder), and AlertManager.hints read rows of windows after
     * the finding (now bounded by its event time). Orphans count in both: a document the first
     * attempt wrote before the kill under another id is "unexpected" by id and a duplicate of
     * its incident.
     */

    /**
     * Alert documents by alert id, whole (wall clock aside), against the reference: with ties in
     * event time ordered (FindingTieOrder) and hints read only up to their finding, a replay must
     * give the very documents an uninterrupted run gives, and a first attempt's document under
     * another id is "unexpected".
     */
    static OutputCheck alertIds(
            Map<String, JsonNode> reference, Map<String, List<EsIndices.Doc>> stored) {
        Set<String> wallClock = Set.of("detected_at", "lag_ms");
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        reference.forEach((id, doc) -> expected.put(id, without(doc, wallClock)));
        Map<String, List<JsonNode>> found = new LinkedHashMap<>();
        stored.forEach(
                (id, docs) -> {
                    for (EsIndices.Doc d : docs) {
                        found.computeIfAbsent(id, k -> new ArrayList<>())
                                .add(without(d.source(), wallClock));
                    }
                });
        return OutputCheck.byId("es alert ids", expected, found, FoundOutputs::diff);
    }

    /** Webhook requests by idempotency key against the reference's notifications. */
    static OutputCheck notificationKeys(
            ReferenceRun.Result ref, Map<String, List<String>> received) {
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        ref.notifications()
                .forEach((key, body) -> expected.put(key, notificationView(parse(body))));
        Map<String, List<JsonNode>> found = new LinkedHashMap<>();
        received.forEach(
                (key, bodies) -> {
                    for (String body : bodies) {
                        found.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(notificationView(parse(body)));
                    }
                });
        return OutputCheck.byId("notification keys", expected, found, FoundOutputs::diff);
    }

    /** {@code app|kind|first_window} of an alert document: one incident. */
    static String incident(JsonNode alert) {
        return alert.path("app").asText()
                + "|"
                + alert.path("kind").asText()
                + "|"
                + alert.path("first_window").asLong();
    }

    /** What two correct runs agree on about an incident's alert (see above). */
    static JsonNode incidentView(JsonNode alert) {
        ObjectNode v = JSON.createObjectNode();
        for (String f :
                List.of("app", "kind", "state", "first_window", "opened_at", "resolved_at")) {
            if (alert.has(f)) v.set(f, alert.get(f));
        }
        if (alert.has("release")) v.set("release", alert.get("release"));
        List<String> members = new ArrayList<>();
        alert.path("members").forEach(m -> members.add(m.asText()));
        ArrayNode sorted = v.putArray("members");
        members.stream().sorted().forEach(sorted::add);
        return v;
    }

    static OutputCheck alerts(
            Map<String, JsonNode> reference, Map<String, List<EsIndices.Doc>> stored) {
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        long sharedIncident = 0;
        for (JsonNode a : reference.values()) {
            if (expected.put(incident(a), incidentView(a)) != null) sharedIncident++;
        }
        Map<String, List<JsonNode>> found = new LinkedHashMap<>();
        long sameId = 0;
        long sameDocument = 0;
        for (Map.Entry<String, List<EsIndices.Doc>> e : stored.entrySet()) {
            JsonNode ref = reference.get(e.getKey());
            if (ref != null) sameId++;
            for (EsIndices.Doc d : e.getValue()) {
                found.computeIfAbsent(incident(d.source()), k -> new ArrayList<>())
                        .add(incidentView(d.source()));
                Set<String> wallClock = Set.of("detected_at", "lag_ms");
                if (ref != null && without(ref, wallClock).equals(without(d.source(), wallClock))) {
                    sameDocument++;
                }
            }
        }
        return OutputCheck.byId("es alerts", expected, found, FoundOutputs::diff)
                .withNote(
                        "per incident; alert ids as in the reference: "
                                + sameId
                                + " of "
                                + reference.size()
                                + ", whole documents (wall clock aside): "
                                + sameDocument)
                .withNote(
                        sharedIncident == 0
                                ? ""
                                : "REFERENCE has "
                                        + sharedIncident
                                        + " alerts sharing an incident key: make the key finer");
    }

    /**
     * Webhook requests against the reference's notifications, per incident and transition
     * (opened/resolved; see above), compared on event, event time, app, kind, first window,
     * resolution and release: a transition received twice is a duplicate, whatever keys the two
     * requests carry. The note says how many exact idempotency keys matched the reference.
     */
    static OutputCheck notifications(ReferenceRun.Result ref, Map<String, List<String>> received) {
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        long sharedTransition = 0;
        for (String body : ref.notifications().values()) {
            JsonNode n = parse(body);
            if (expected.put(transition(n), notificationView(n)) != null) sharedTransition++;
        }
        Map<String, List<JsonNode>> found = new LinkedHashMap<>();
        long sameKey = 0;
        for (Map.Entry<String, List<String>> e : received.entrySet()) {
            if (ref.notifications().containsKey(e.getKey())) sameKey++;
            for (String body : e.getValue()) {
                JsonNode n = parse(body);
                found.computeIfAbsent(transition(n), k -> new ArrayList<>())
                        .add(notificationView(n));
            }
        }
        return OutputCheck.byId("notifications", expected, found, FoundOutputs::diff)
                .withNote(
                        "per incident and transition; idempotency keys as in the reference: "
                                + sameKey
                                + " of "
                                + ref.notifications().size())
                .withNote(
                        sharedTransition == 0
                                ? ""
                                : "REFERENCE has "
                                        + sharedTransition
                                        + " notifications sharing a transition key")
                .withNote(
                        ref.notificationCopies() == 0
                                ? ""
                                : "the reference emitted "
                                        + ref.notificationCopies()
                                        + " repeated keys");
    }

    /**
     * {@code app|kind|first window|event} of a JSON notification body ({@code
     * WebhookPayloads.json}); a body that is not one stands for itself.
     */
    static String transition(JsonNode body) {
        JsonNode f = body.path("fields");
        if (!body.isObject() || !f.isObject()) return "not a JSON notification: " + body;
        return f.path("app").asText()
                + "|"
                + f.path("kind").asText()
                + "|"
                + f.path("first window").asText()
                + "|"
                + body.path("event").asText();
    }

    private static JsonNode notificationView(JsonNode body) {
        if (!body.isObject()) return body;
        ObjectNode v = JSON.createObjectNode();
        v.set("event", body.path("event"));
        v.set("event_time_ms", body.path("event_time_ms"));
        JsonNode f = body.path("fields");
        for (String k : List.of("app", "kind", "first window", "resolved at", "release")) {
            if (f.has(k)) v.set(k, f.get(k));
        }
        return v;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    /**
     * Reference documents against the stored ones, by id, both through {@code normalize} (which
     * leaves out what legitimately differs, named by {@code ignored}); the note counts documents
     * that differ only there.
     */
    static OutputCheck documents(
            String output,
            Map<String, JsonNode> reference,
            Map<String, List<EsIndices.Doc>> stored,
            UnaryOperator<JsonNode> normalize,
            String ignored) {
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        reference.forEach((id, doc) -> expected.put(id, normalize.apply(doc)));
        Map<String, List<JsonNode>> found = new LinkedHashMap<>();
        long differOnlyInIgnored = 0;
        for (Map.Entry<String, List<EsIndices.Doc>> e : stored.entrySet()) {
            List<JsonNode> docs = new ArrayList<>();
            for (EsIndices.Doc d : e.getValue()) {
                JsonNode normalized = normalize.apply(d.source());
                docs.add(normalized);
                JsonNode ref = reference.get(e.getKey());
                if (ref != null
                        && normalized.equals(expected.get(e.getKey()))
                        && !ref.equals(d.source())) {
                    differOnlyInIgnored++;
                }
            }
            found.put(e.getKey(), docs);
        }
        return OutputCheck.byId(output, expected, found, FoundOutputs::diff)
                .withNote(
                        differOnlyInIgnored == 0
                                ? ""
                                : differOnlyInIgnored + " differ only in " + ignored);
    }

    static JsonNode without(JsonNode doc, Set<String> fields) {
        ObjectNode copy = doc.deepCopy();
        copy.remove(fields);
        return copy;
    }

    /** The top-level fields that differ, with both values (shortened). */
    static String diff(JsonNode expected, JsonNode found) {
        Set<String> names = new TreeSet<>();
        expected.fieldNames().forEachRemaining(names::add);
        found.fieldNames().forEachRemaining(names::add);
        List<String> out = new ArrayList<>();
        for (String n : names) {
            JsonNode a = expected.get(n);
            JsonNode b = found.get(n);
            if (a == null ? b != null : !a.equals(b)) {
                out.add(n + " expected " + shorten(a) + " found " + shorten(b));
            }
        }
        return String.join(", ", out);
    }

    private static String shorten(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Distinct Kafka keys among the late events (a compacted topic keeps one record per key). */
    long lateEventKeys() {
        return lateEvents.distinctKeys();
    }

    private static String field(TopicContent.Rec r, String name) {
        try {
            JsonNode n = JSON.readTree(r.value()).path(name);
            return n.isMissingNode() || n.isNull() ? null : n.asText();
        } catch (Exception e) {
            return null;
        }
    }
}
