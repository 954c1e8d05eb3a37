package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestRouterTest {
    private static final long T = T0.toEpochMilli();
    private OneInputStreamOperatorTestHarness<IngestRecord, RumEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new IngestRouter(Duration.ofMinutes(5), 4096, privacy()));
    }

    static io.beaconflow.jobs.config.IngestConfig.PrivacyConfig privacy() {
        var p = new io.beaconflow.jobs.config.IngestConfig.PrivacyConfig();
        p.userIdSalt = "salt";
        return p;
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    static IngestRecord event(String id, long eventTime) {
        return event(id, eventTime, eventTime);
    }

    /** An event that happened at {@code eventTime} and reached Kafka at {@code receivedAt}. */
    static IngestRecord event(String id, long eventTime, long receivedAt) {
        RumEvent e = new RumEvent();
        e.eventId = id;
        e.app = "shop";
        e.sessionId = "s1";
        e.type = EventType.PAGE_VIEW;
        e.eventTime = eventTime;
        e.receivedAt = receivedAt;
        e.userId = "user-7";
        e.clientIp = "192.0.2.55";
        return IngestRecord.accepted(e);
    }

    @Test
    void acceptedEventsPassWithTheirTimestamps() throws Exception {
        harness.processElement(event("a", T), T);
        assertThat(harness.extractOutputValues()).extracting(e -> e.eventId).containsExactly("a");
        assertThat(harness.getOutput().peek()).hasFieldOrPropertyWithValue("timestamp", T);
    }

    @Test
    void deadLettersGoToTheirSideOutputNotTheMainStream() throws Exception {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.NOT_JSON;
        harness.processElement(IngestRecord.rejected(d), Long.MIN_VALUE);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(IngestRouter.DEAD_LETTERS)).hasSize(1);
    }

    @Test
    void anEventBehindTheWatermarkWithinAllowedLatenessStillPasses() throws Exception {
        harness.processWatermark(new Watermark(T + Duration.ofMinutes(4).toMillis()));
        harness.processElement(event("late-but-allowed", T), T);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.getSideOutput(IngestRouter.LATE)).isNull();
    }

    @Test
    void anEventBehindTheWatermarkByMoreThanAllowedLatenessGoesToTheLateOutput() throws Exception {
        harness.processWatermark(new Watermark(T + Duration.ofMinutes(6).toMillis()));
        harness.processElement(event("too-late", T), T);
        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter late = harness.getSideOutput(IngestRouter.LATE).poll().getValue();
        assertThat(late.reason).isEqualTo(RejectReason.LATE);
        assertThat(late.eventId).isEqualTo("too-late");
        assertThat(late.eventTime).isEqualTo(T);
        assertThat(late.detail).contains("behind the watermark by more than the allowed lateness");
        assertThat(late.documentId()).isEqualTo("late-shop-too-late");
        assertThat(late.payload)
                .contains("\"event_id\":\"too-late\"")
                .contains("\"client_ip\":\"192.0.2.0\"")
                .doesNotContain("user-7");
    }

    @Test
    void aLateEventReplayedAfterARestoreIsStillLateBeforeANewWatermarkArrives() throws Exception {
        harness.processWatermark(new Watermark(T + Duration.ofMinutes(6).toMillis()));
        harness.processElement(event("first", T + Duration.ofMinutes(6).toMillis()), T);
        var snapshot = harness.snapshot(1, T);
        harness.close();

        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new IngestRouter(Duration.ofMinutes(5), 4096, privacy()));
        harness.close();
        var router = new IngestRouter(Duration.ofMinutes(5), 4096, privacy());
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.ProcessOperator<>(router));
        harness.initializeState(snapshot);
        harness.open();
        // No watermark yet after the restore: the checkpointed one decides. (The replayed event
        // reached Kafka when it was already late, after the watermark had passed T + 6 min.)
        harness.processElement(event("too-late", T, T + Duration.ofMinutes(7).toMillis()), T);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(IngestRouter.LATE)).hasSize(1);
    }

    @Test
    void beforeAnyWatermarkNothingIsLate() throws Exception {
        harness.processElement(event("early-bird", 0), 0);
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aRestoredWatermarkFromTheFarFutureHealsOnTheFirstEventInsteadOfMakingAllTrafficLate()
            throws Exception {
        // A job that let a year-3000 record through checkpointed its watermark.
        long year3000 = java.time.Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
        harness.processWatermark(new Watermark(year3000));
        harness.processElement(event("poison", year3000), year3000);
        var snapshot = harness.snapshot(1, T);
        harness.close();

        var router =
                new IngestRouter(Duration.ofMinutes(5), Duration.ofMinutes(5), 4096, privacy());
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.ProcessOperator<>(router));
        harness.initializeState(snapshot);
        harness.open();
        // Normal traffic arriving now: the remembered watermark is capped at its arrival +
        // max-future, so it is on time (the cap equals the allowed lateness here: in this
        // restore gap an event is judged against its own arrival, until sources emit again).
        harness.processElement(event("normal", T, T), T);
        harness.processElement(event("next", T + 2_000, T + 2_000), T + 2_000);
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.eventId)
                .containsExactly("normal", "next");
        assertThat(harness.getSideOutput(IngestRouter.LATE)).isNullOrEmpty();
    }
}
