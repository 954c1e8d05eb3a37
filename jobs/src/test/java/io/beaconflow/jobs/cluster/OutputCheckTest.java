package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RejectReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counting behind the cluster ITCases' "expected vs found" lines. */
class OutputCheckTest {
    private static TopicContent.Rec rec(String key, String value, String reason) {
        return new TopicContent.Rec(key, value, reason, 0, 0);
    }

    /** Expected, records, distinct, lost, duplicated, unexpected, mismatched: in that order. */
    private static List<Long> counts(OutputCheck c) {
        return List.of(
                c.expected(),
                c.records(),
                c.distinct(),
                c.lost(),
                c.duplicated(),
                c.unexpected(),
                c.mismatched());
    }

    private static String body(String reason) {
        return "{\"reason\":\"" + reason + "\"}";
    }

    /** A dead letter of reason NOT_JSON under {@code key}, its body naming the reason. */
    private static TopicContent.Rec notJson(String key) {
        return rec(key, body("NOT_JSON"), "NOT_JSON");
    }

    /** The dead-letter topic holding {@code recs}. */
    private static TopicContent dlq(TopicContent.Rec... recs) {
        return TopicContent.of("dlq", List.of(recs));
    }

    @Test
    void aReplayedCopyIsADuplicateNotALossAndAMissingReasonIsALoss() {
        TopicContent found =
                dlq(
                        notJson("raw-0-1--1-not_json"),
                        notJson("raw-0-1--1-not_json"),
                        rec("raw-0-7--1-wrong_type", body("WRONG_TYPE"), "WRONG_TYPE"));
        OutputCheck c =
                OutputCheck.rejections(
                        "dead letters",
                        found,
                        Map.of(
                                RejectReason.NOT_JSON, 1L,
                                RejectReason.WRONG_TYPE, 1L,
                                RejectReason.INVALID_UTF8, 1L),
                        TopicContent.Rec::key,
                        TopicContent.Rec::value);
        assertThat(counts(c)).containsExactly(3L, 3L, 2L, 1L, 1L, 0L, 0L);
        assertThat(c.complete()).isFalse();
        assertThat(c.note()).contains("INVALID_UTF8=1");
    }

    @Test
    void copiesThatDisagreeAndRecordsOfNoProducedInputAreReported() {
        TopicContent found =
                dlq(
                        notJson("raw-0-1--1-not_json"),
                        rec("raw-0-1--1-not_json", "{\"changed\":1}", "NOT_JSON"),
                        notJson("elsewhere"));
        OutputCheck c =
                OutputCheck.rejections(
                        "dead letters",
                        found,
                        Map.of(RejectReason.NOT_JSON, 1L),
                        r -> r.key().startsWith("raw-") ? r.key() : null,
                        TopicContent.Rec::value);
        assertThat(c.mismatched()).isEqualTo(1);
        assertThat(c.unexpected()).isEqualTo(1);
        assertThat(c.lost()).isZero();
        assertThat(c.complete()).isFalse();
    }

    @Test
    void documentsComparedByIdCountLostUnexpectedDuplicatedAndDifferentValues() {
        OutputCheck c =
                OutputCheck.byId(
                        "sessions",
                        Map.of("a", 1, "b", 2, "c", 3),
                        Map.of("a", List.of(1, 1), "b", List.of(5), "x", List.of(9)));
        assertThat(counts(c)).containsExactly(3L, 4L, 3L, 1L, 1L, 1L, 1L);
        assertThat(c.complete()).isFalse();
        assertThat(c.note())
                .contains("first lost: c")
                .contains("first unexpected: x")
                .contains("first mismatch: b");
    }

    @Test
    void aDocumentStoredTwiceIsCompleteButNotExact() {
        OutputCheck once =
                OutputCheck.byId(
                        "alerts", Map.of("a", 1, "b", 2), Map.of("a", List.of(1), "b", List.of(2)));
        OutputCheck twice =
                OutputCheck.byId(
                        "alerts",
                        Map.of("a", 1, "b", 2),
                        Map.of("a", List.of(1, 1), "b", List.of(2)));
        assertThat(once.exact()).isTrue();
        assertThat(once.note()).isEmpty();
        assertThat(twice.complete()).isTrue();
        assertThat(twice.duplicated()).isEqualTo(1);
        assertThat(twice.exact()).isFalse();
    }

    @Test
    void storedDocumentsAreComparedWithoutTheFieldsThatLegitimatelyDiffer() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json =
                new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, com.fasterxml.jackson.databind.JsonNode> reference =
                Map.of(
                        "s1", json.readTree("{\"events\":3,\"update_seq\":4}"),
                        "s2", json.readTree("{\"events\":5,\"update_seq\":1}"));
        Map<String, List<EsIndices.Doc>> stored =
                Map.of(
                        "s1",
                        List.of(
                                new EsIndices.Doc(
                                        "i",
                                        "s1",
                                        json.readTree("{\"events\":3,\"update_seq\":2}"))),
                        "s2",
                        List.of(
                                new EsIndices.Doc(
                                        "i",
                                        "s2",
                                        json.readTree("{\"events\":6,\"update_seq\":1}"))));
        OutputCheck c =
                FoundOutputs.documents(
                        "sessions",
                        reference,
                        stored,
                        d -> FoundOutputs.without(d, java.util.Set.of("update_seq")),
                        "update_seq");
        assertThat(c.mismatched()).isEqualTo(1);
        assertThat(c.lost()).isZero();
        assertThat(c.note())
                .contains("first mismatch: s2: events expected 5 found 6")
                .contains("1 differ only in update_seq");
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static com.fasterxml.jackson.databind.JsonNode alert(
            String id, String metric, int seq, String hint, String... members) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode a = JSON.createObjectNode();
        a.put("alert_id", id)
                .put("app", "shop")
                .put("kind", "release_regression")
                .put("state", "resolved")
                .put("metric", metric)
                .put("first_window", 1000)
                .put("opened_at", 2000)
                .put("resolved_at", 9000)
                .put("update_seq", seq)
                .put("detected_at", System.nanoTime())
                .put("release", "shop@2");
        a.putArray("root_cause_hints").add(hint);
        com.fasterxml.jackson.databind.node.ArrayNode m = a.putArray("members");
        for (String s : members) m.add(s);
        return a;
    }

    @Test
    void alertsAreComparedPerIncidentAndAnOrphanOfTheFirstAttemptIsADuplicate() throws Exception {
        var reference =
                Map.of("a-lcp", alert("a-lcp", "lcp_p75", 30, "x carries 9%", "lcp", "ttfb"));
        // The same incident under another primary metric (another id), other hints, other
        // update_seq, members in another order: the same incident, not a mismatch.
        var sameIncident =
                Map.of(
                        "a-ttfb",
                        List.of(
                                new EsIndices.Doc(
                                        "i",
                                        "a-ttfb",
                                        alert(
                                                "a-ttfb",
                                                "ttfb_p75",
                                                32,
                                                "y carries 1%",
                                                "ttfb",
                                                "lcp"))));
        OutputCheck ok = FoundOutputs.alerts(reference, sameIncident);
        assertThat(ok.exact()).as(ok.line()).isTrue();
        assertThat(ok.note()).contains("alert ids as in the reference: 0 of 1");
        // Plus the first attempt's document under the reference's id, never resolved: an orphan.
        var withOrphan = new java.util.HashMap<>(sameIncident);
        com.fasterxml.jackson.databind.node.ObjectNode orphan =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        alert("a-lcp", "lcp_p75", 3, "x carries 9%", "lcp", "ttfb");
        orphan.put("state", "open").remove("resolved_at");
        withOrphan.put("a-lcp", List.of(new EsIndices.Doc("i", "a-lcp", orphan)));
        OutputCheck bad = FoundOutputs.alerts(reference, withOrphan);
        assertThat(bad.duplicated()).isEqualTo(1);
        assertThat(bad.mismatched()).isEqualTo(1);
        assertThat(bad.exact()).isFalse();
        // A member missing is a mismatch.
        OutputCheck fewer =
                FoundOutputs.alerts(
                        reference,
                        Map.of(
                                "a-lcp",
                                List.of(
                                        new EsIndices.Doc(
                                                "i",
                                                "a-lcp",
                                                alert("a-lcp", "lcp_p75", 30, "", "lcp")))));
        assertThat(fewer.mismatched()).isEqualTo(1);
        assertThat(fewer.note()).contains("members expected");
    }

    private static String body(String key, String event, String title) {
        return "{\"idempotency_key\":\""
                + key
                + "\",\"event\":\""
                + event
                + "\",\"title\":\""
                + title
                + "\",\"event_time_ms\":5,\"fields\":{\"app\":\"shop\",\"kind\":\"sustained\","
                + "\"first window\":\"2026-11-02T08:05:00Z\",\"alert id\":\"x\"}}";
    }

    @Test
    void notificationsAreMatchedPerIncidentAndTransitionSoAResendUnderAnotherKeyIsADuplicate() {
        ReferenceRun.Result ref =
                new ReferenceRun.Result(
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        Map.of(
                                "a1:opened:0", body("a1:opened:0", "opened", "lcp 3 s"),
                                "a1:resolved:7", body("a1:resolved:7", "resolved", "lcp 3 s")),
                        0,
                        java.time.Duration.ZERO);
        OutputCheck c =
                FoundOutputs.notifications(
                        ref,
                        Map.of(
                                // The same transition from another primary metric: equal.
                                "a2:opened:0",
                                List.of(body("a2:opened:0", "opened", "ttfb 1 s")),
                                "a1:resolved:7",
                                List.of(body("a1:resolved:7", "resolved", "lcp 3 s")),
                                // Resolved again under another key: a duplicate.
                                "a1:resolved:9",
                                List.of(body("a1:resolved:9", "resolved", "lcp 3 s"))));
        assertThat(counts(c)).containsExactly(2L, 3L, 2L, 0L, 1L, 0L, 0L);
        assertThat(c.note()).contains("idempotency keys as in the reference: 1 of 2");
        // Nothing received for the opened transition: lost.
        OutputCheck lost =
                FoundOutputs.notifications(
                        ref,
                        Map.of(
                                "a1:resolved:7",
                                List.of(body("a1:resolved:7", "resolved", "lcp 3 s"))));
        assertThat(lost.lost()).isEqualTo(1);
        assertThat(lost.exact()).isFalse();
    }
}
