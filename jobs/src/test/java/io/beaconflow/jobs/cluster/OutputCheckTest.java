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

    private static String body(String reason) {
        return "{\"reason\":\"" + reason + "\"}";
    }

    @Test
    void aReplayedCopyIsADuplicateNotALossAndAMissingReasonIsALoss() {
        TopicContent found =
                TopicContent.of(
                        "dlq",
                        List.of(
                                rec("raw-0-1--1-not_json", body("NOT_JSON"), "NOT_JSON"),
                                rec("raw-0-1--1-not_json", body("NOT_JSON"), "NOT_JSON"),
                                rec("raw-0-7--1-wrong_type", body("WRONG_TYPE"), "WRONG_TYPE")));
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
        assertThat(c)
                .extracting(
                        OutputCheck::expected,
                        OutputCheck::records,
                        OutputCheck::distinct,
                        OutputCheck::lost,
                        OutputCheck::duplicated,
                        OutputCheck::unexpected,
                        OutputCheck::mismatched)
                .containsExactly(3L, 3L, 2L, 1L, 1L, 0L, 0L);
        assertThat(c.complete()).isFalse();
        assertThat(c.note()).contains("INVALID_UTF8=1");
    }

    @Test
    void copiesThatDisagreeAndRecordsOfNoProducedInputAreReported() {
        TopicContent found =
                TopicContent.of(
                        "dlq",
                        List.of(
                                rec("raw-0-1--1-not_json", body("NOT_JSON"), "NOT_JSON"),
                                rec("raw-0-1--1-not_json", "{\"changed\":1}", "NOT_JSON"),
                                rec("elsewhere", body("NOT_JSON"), "NOT_JSON")));
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
        assertThat(c)
                .extracting(
                        OutputCheck::expected,
                        OutputCheck::records,
                        OutputCheck::distinct,
                        OutputCheck::lost,
                        OutputCheck::duplicated,
                        OutputCheck::unexpected,
                        OutputCheck::mismatched)
                .containsExactly(3L, 4L, 3L, 1L, 1L, 1L, 1L);
    }
}
