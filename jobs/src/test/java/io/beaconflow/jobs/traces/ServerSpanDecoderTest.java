package io.beaconflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void malformedRecordsAreDeadLettersWithTheReason() {
        assertThat(reason("")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("{nope")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("[1]")).isEqualTo(RejectReason.WRONG_TYPE);
        assertThat(reason(GOOD.replace("server_span", "fetch")))
                .isEqualTo(RejectReason.UNKNOWN_EVENT_TYPE);
        assertThat(reason(GOOD.replace("\"schema_version\":1", "\"schema_version\":2")))
                .isEqualTo(RejectReason.UNKNOWN_SCHEMA_VERSION);
        assertThat(reason(GOOD.replace("\"service\":\"shop-api\",", "")))
                .isEqualTo(RejectReason.MISSING_FIELD);
        assertThat(reason(GOOD.replace("00f067aa0ba902b7", "00F067AA0BA902B7")))
                .isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(reason(GOOD.replace("0af7651916cd43dd8448eb211c80319c", "0af76519")))
                .isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(reason(GOOD.replace("\"status\":500", "\"status\":\"500\"")))
                .isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(reason(GOOD.replace("1502.25", "-1"))).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(reason(GOOD.replace("\"duration_ms\":1502.25", "\"duration_ms\":\"x\"")))
                .isEqualTo(RejectReason.WRONG_TYPE);
        // An hour after the collector received it: a backend clock far ahead.
        assertThat(reason(GOOD.replace("1790000099000", "1790003700000")))
                .isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);
        assertThat(reason(GOOD.replace("1790000099000", "1780000000000")))
                .isEqualTo(RejectReason.TIMESTAMP_TOO_OLD);
    }
}
