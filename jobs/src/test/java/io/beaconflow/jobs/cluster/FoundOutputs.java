package io.beaconflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.model.RejectReason;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the job actually wrote, read back after the run, and its comparison with {@link
 * ExpectedOutputs}. Today: the dead-letter and late-event Kafka topics. Elasticsearch indices
 * (sessions, metrics, alerts) are read here by id once the job writes them, and added to {@link
 * #compare}.
 */
final class FoundOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    final TopicContent deadLetters;
    final TopicContent lateEvents;

    private FoundOutputs(TopicContent deadLetters, TopicContent lateEvents) {
        this.deadLetters = deadLetters;
        this.lateEvents = lateEvents;
    }

    static FoundOutputs read(ClusterRun run) {
        return new FoundOutputs(
                TopicContent.read(run.stack.kafkaBootstrap, run.deadLetterTopic),
                TopicContent.read(run.stack.kafkaBootstrap, run.lateTopic));
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
        return List.of(
                OutputCheck.rejections(
                        "dead letters",
                        deadLetters,
                        expected.deadLettersByReason,
                        producedPosition,
                        TopicContent.Rec::value),
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
