package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
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
        harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(router));
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
        harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(router));
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

    // ------------------------------------------------------------ the remembered watermark's state

    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    /** Subtask {@code index} of {@code parallelism}, restored from {@code state} when not null. */
    private static OneInputStreamOperatorTestHarness<IngestRecord, RumEvent> router(
            int parallelism, int index, OperatorSubtaskState state) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new IngestRouter(Duration.ofMinutes(5), 4096, privacy())),
                        128,
                        parallelism,
                        index);
        if (state != null) h.initializeState(state);
        h.open();
        return h;
    }

    /** A router subtask that saw watermark {@code w}, snapshotted. */
    private static OperatorSubtaskState sawWatermark(int parallelism, int index, long w)
            throws Exception {
        try (var h = router(parallelism, index, null)) {
            h.processWatermark(new Watermark(w));
            h.processElement(event("seen-" + index, w), w);
            return h.snapshot(1, w);
        }
    }

    /** What {@code of} says of each operator-state entry in {@code state}, by state name. */
    private static <V> Map<String, V> byStateName(
            OperatorSubtaskState state, Function<OperatorStateHandle.StateMetaInfo, V> of) {
        return state.getManagedOperatorState().stream()
                .flatMap(h -> h.getStateNameToPartitionOffsets().entrySet().stream())
                .collect(Collectors.toMap(Map.Entry::getKey, e -> of.apply(e.getValue())));
    }

    /** Two router subtasks that saw watermarks 10 and 20 minutes after T, snapshotted together. */
    private static OperatorSubtaskState twoSubtasksSawWatermarks() throws Exception {
        return AbstractStreamOperatorTestHarness.repackageState(
                sawWatermark(2, 0, T + 10 * MINUTE), sawWatermark(2, 1, T + 20 * MINUTE));
    }

    /** Subtask {@code index} of {@code parallelism}, restored from the state of two subtasks. */
    private static OneInputStreamOperatorTestHarness<IngestRecord, RumEvent> rescaledRouter(
            OperatorSubtaskState ofTwo, int parallelism, int index) throws Exception {
        return router(
                parallelism,
                index,
                AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        ofTwo, 128, 2, parallelism, index));
    }

    /** Whether an event at {@code eventTime}, arriving at {@code arrival}, comes out late. */
    private static boolean late(
            OneInputStreamOperatorTestHarness<IngestRecord, RumEvent> h,
            long eventTime,
            long arrival)
            throws Exception {
        int before =
                h.getSideOutput(IngestRouter.LATE) == null
                        ? 0
                        : h.getSideOutput(IngestRouter.LATE).size();
        h.processElement(event("probe-" + eventTime, eventTime, arrival), eventTime);
        var lateOut = h.getSideOutput(IngestRouter.LATE);
        return lateOut != null && lateOut.size() > before;
    }

    @Test
    void theRememberedWatermarkIsSplitListStateSoAStopWithSavepointMayPartlyFinishTheSourceChain()
            throws Exception {
        var state = sawWatermark(1, 0, T + 10 * MINUTE);

        var modes = byStateName(state, OperatorStateHandle.StateMetaInfo::getDistributionMode);
        // Union list state in the source's chain fails a stop-with-savepoint whenever one source
        // subtask is backpressured and another is not (StopWithSavepointITCase).
        assertThat(modes)
                .containsExactly(
                        Map.entry(
                                IngestRouter.WATERMARK_STATE,
                                OperatorStateHandle.Mode.SPLIT_DISTRIBUTE));
    }

    @Test
    void restoredWithTheSameParallelismEachSubtaskGetsItsOwnWatermarkBack() throws Exception {
        var state = twoSubtasksSawWatermarks();
        long arrival = T + 30 * MINUTE;
        try (var s0 = rescaledRouter(state, 2, 0);
                var s1 = rescaledRouter(state, 2, 1)) {
            // 12 minutes before subtask 1's watermark: late there (allowed lateness 5 minutes),
            // and on time for subtask 0, whose watermark was 10 minutes earlier.
            assertThat(late(s1, T + 8 * MINUTE, arrival)).as("late for subtask 1").isTrue();
            assertThat(late(s0, T + 8 * MINUTE, arrival)).as("on time for subtask 0").isFalse();
        }
    }

    @Test
    void restoredAtALowerParallelismARouterTakesTheLowestOfTheWatermarksItGets() throws Exception {
        var state = twoSubtasksSawWatermarks();
        long arrival = T + 30 * MINUTE;
        try (var only = rescaledRouter(state, 1, 0)) {
            assertThat(late(only, T + 8 * MINUTE, arrival))
                    .as("within 5 min of the lowest")
                    .isFalse();
            assertThat(late(only, T + 4 * MINUTE, arrival)).as("6 min behind the lowest").isTrue();
        }
    }

    /** Writes the router's state as versions before the split state did: union list state. */
    static final class LegacyRouterState extends ProcessFunction<IngestRecord, RumEvent>
            implements CheckpointedFunction {
        private final long watermark;
        private transient ListState<Long> union;

        LegacyRouterState(long watermark) {
            this.watermark = watermark;
        }

        @Override
        public void processElement(IngestRecord r, Context ctx, Collector<RumEvent> out) {}

        @Override
        public void snapshotState(FunctionSnapshotContext c) throws Exception {
            union.update(List.of(watermark));
        }

        @Override
        public void initializeState(FunctionInitializationContext c) throws Exception {
            union =
                    c.getOperatorStateStore()
                            .getUnionListState(
                                    new ListStateDescriptor<>(
                                            IngestRouter.LEGACY_UNION_STATE, Types.LONG));
        }
    }

    @Test
    void aSavepointOfAnOlderVersionWithTheWatermarkInUnionStateIsStillHonoured() throws Exception {
        OperatorSubtaskState old;
        try (var h =
                new OneInputStreamOperatorTestHarness<IngestRecord, RumEvent>(
                        new ProcessOperator<>(new LegacyRouterState(T + 10 * MINUTE)))) {
            h.open();
            old = h.snapshot(1, T);
        }
        try (var restored = router(1, 0, old)) {
            long arrival = T + 30 * MINUTE;
            assertThat(late(restored, T + 6 * MINUTE, arrival)).isFalse();
            assertThat(late(restored, T + 4 * MINUTE, arrival)).isTrue();
            // What it checkpoints from now on is the split state (the union entry stays empty).
            var next = restored.snapshot(2, T);
            var lists = byStateName(next, info -> info.getOffsets().length);
            assertThat(lists)
                    .containsEntry(IngestRouter.WATERMARK_STATE, 1)
                    .containsEntry(IngestRouter.LEGACY_UNION_STATE, 0);
        }
    }
}
