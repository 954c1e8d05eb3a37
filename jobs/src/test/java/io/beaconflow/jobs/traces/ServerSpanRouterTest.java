package io.beaconflow.jobs.traces;

import static io.beaconflow.jobs.testing.Harnesses.sideOutput;
import static io.beaconflow.jobs.traces.TraceFixtures.T0;
import static io.beaconflow.jobs.traces.TraceFixtures.TRACE;
import static io.beaconflow.jobs.traces.TraceFixtures.serverSpan;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.pipeline.LateEventDocuments;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Server spans: rejects to the dead-letter output, spans too far behind to the late output. */
class ServerSpanRouterTest {
    @Test
    void rejectsAndLateSpansLeaveWithTheirReasonAndTheRestGoesOn() throws Exception {
        OneInputStreamOperatorTestHarness<ServerSpanRecord, ServerSpan> h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new ServerSpanRouter(Duration.ofMinutes(5)));
        DeadLetter bad = new DeadLetter();
        bad.reason = RejectReason.NOT_JSON;
        bad.detail = "server span: empty record";
        h.processElement(ServerSpanRecord.rejected(bad), Long.MIN_VALUE);
        h.processWatermark(new Watermark(T0 + Duration.ofMinutes(10).toMillis()));
        ServerSpan late = serverSpan(TRACE, "00f067aa0ba902b7", T0, 100);
        h.processElement(ServerSpanRecord.accepted(late), late.startMs);
        ServerSpan onTime = serverSpan(TRACE, "1111111111111111", T0 + 300_000, 100);
        h.processElement(ServerSpanRecord.accepted(onTime), onTime.startMs);

        assertThat(h.extractOutputValues())
                .extracting(s -> s.parentSpanId)
                .containsExactly("1111111111111111");
        assertThat(sideOutput(h, ServerSpanRouter.DEAD_LETTERS))
                .extracting(d -> d.reason)
                .containsExactly(RejectReason.NOT_JSON);
        List<DeadLetter> lateOut = sideOutput(h, ServerSpanRouter.LATE);
        assertThat(lateOut)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(RejectReason.LATE);
                            assertThat(d.app).isEqualTo("shop-web");
                            assertThat(d.eventId)
                                    .isEqualTo("server-span:" + TRACE + ":" + late.spanId);
                            assertThat(d.documentId()).isEqualTo("late-shop-web-" + d.eventId);
                            // The rum-late document says what it was.
                            assertThat(new LateEventDocuments("rum-late").of(d).type)
                                    .isEqualTo("server_span");
                        });
        h.close();
    }
}
