package io.beaconflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Server-span records: a good one decodes; each kind of bad one is a dead letter with a reason. */
class ServerSpanDecoderTest {
    static final long RECEIVED = 1_790_000_100_000L;
    static final String GOOD =
            "{\"type\":\"server_span\",\"schema_version\":1,\"app\":\"shop-web\","
                    + "\"service\":\"shop-api\",\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
                    + "\"span_id\":\"b7ad6b7169203331\",\"parent_span_id\":\"00f067aa0ba902b7\","
                    + "\"method\":\"POST\",\"route\":\"/api/checkout\",\"status\":500,\"error\":true,"
                    + "\"start_ms\":1790000099000,\"duration_ms\":1502.25,\"received_at\":1}";

    static ServerSpanRecord decode(String json) {
        List<ServerSpanRecord> out = new ArrayList<>();
        new ServerSpanDecoder(new IngestConfig())
                .decode(
                        new RawBeacon(
                                json.getBytes(StandardCharsets.UTF_8),
                                "rum-server-spans",
                                2,
                                41,
                                RECEIVED),
                        out::add);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    static RejectReason reason(String json) {
        ServerSpanRecord r = decode(json);
        assertThat(r.span).as("accepted " + json).isNull();
        assertThat(r.deadLetter.position).isEqualTo("rum-server-spans/2@41");
        assertThat(r.deadLetter.detail).startsWith("server span: ");
        return r.deadLetter.reason;
    }

    @Test
    void aCollectorRecordDecodesWithTheKafkaReceiveTime() {
        ServerSpan s = decode(GOOD).span;
        assertThat(s.app).isEqualTo("shop-web");
        assertThat(s.service).isEqualTo("shop-api");
        assertThat(s.parentSpanId).isEqualTo("00f067aa0ba902b7");
        assertThat(s.status).isEqualTo(500);
        assertThat(s.error).isTrue();
        assertThat(s.startMs).isEqualTo(1_790_000_099_000L);
        assertThat(s.durationMs).isEqualTo(1502.25);
        assertThat(s.receivedAt).isEqualTo(RECEIVED);
    }

    @Test
    void recordsThatAreNoJsonObjectAreDeadLettersWithTheReason() {
        assertThat(reason("")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("{nope")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("[1]")).isEqualTo(RejectReason.WRONG_TYPE);
    }

    /** Each row: the good record with one piece replaced, and the reason it is a dead letter. */
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(
            textBlock =
                    """
                    server_span,                      fetch,                UNKNOWN_EVENT_TYPE
                    '"schema_version":1',             '"schema_version":2', UNKNOWN_SCHEMA_VERSION
                    '"service":"shop-api",',          '',                   MISSING_FIELD
                    00f067aa0ba902b7,                 00F067AA0BA902B7,     INVALID_VALUE
                    0af7651916cd43dd8448eb211c80319c, 0af76519,             INVALID_VALUE
                    '"status":500',                   '"status":"500"',     INVALID_VALUE
                    1502.25,                          -1,                   INVALID_VALUE
                    '"duration_ms":1502.25',          '"duration_ms":"x"',  WRONG_TYPE
                    # An hour after the collector received it: a backend clock far ahead.
                    1790000099000,                    1790003700000,        TIMESTAMP_IN_FUTURE
                    1790000099000,                    1780000000000,        TIMESTAMP_TOO_OLD
                    """)
    void malformedRecordsAreDeadLettersWithTheReason(
            String replaced, String replacement, RejectReason expected) {
        assertThat(reason(GOOD.replace(replaced, replacement))).isEqualTo(expected);
    }
}
