package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    private static final long T = T0.toEpochMilli();
    private static final long TTL = Duration.ofMinutes(30).toMillis();
    private KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Deduplicator(Duration.ofMillis(TTL))),
                        Deduplicator.key(),
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    static RumEvent event(String app, String id, long t) {
        return event(app, "s1", id, t);
    }

    static RumEvent event(String app, String session, String id, long t) {
        RumEvent e = new RumEvent();
        e.app = app;
        e.sessionId = session;
        e.eventId = id;
        e.type = EventType.PAGE_VIEW;
        e.eventTime = t;
        return e;
    }

    @Test
    void aRetriedEventIdIsDroppedWithinTheTtl() throws Exception {
        harness.processElement(event("shop", "e1", T), T);
        harness.processElement(event("shop", "e1", T + 2000), T + 2000);
        harness.processElement(event("shop", "e2", T), T);
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.eventId)
                .containsExactly("e1", "e2");
    }

    @Test
    void theSameEventIdInAnotherAppIsNotADuplicate() throws Exception {
        harness.processElement(event("shop", "e1", T), T);
        harness.processElement(event("blog", "e1", T), T);
        assertThat(harness.extractOutputValues()).hasSize(2);
    }

    @Test
    void stateAndTimersAreGoneAfterTheTtlAndARepeatThenPasses() throws Exception {
        harness.processElement(event("shop", "s1", "e1", T), T);
        harness.processElement(event("shop", "s2", "e2", T + 1000), T + 1000);
        // Per session one value: its seen ids and its timer's time.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(new Watermark(T + TTL + 120_000));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        harness.processElement(event("shop", "s1", "e1", T + TTL + 130_000), T + TTL + 130_000);
        assertThat(harness.extractOutputValues()).hasSize(3);
    }

    @Test
    void aSessionHasOneTimerWhateverItsNumberOfEventsAndItReArmsForTheLaterIds() throws Exception {
        harness.processElement(event("shop", "s1", "e1", T), T);
        harness.processElement(event("shop", "s1", "e2", T + 10 * 60_000), T + 10 * 60_000);
        harness.processElement(event("shop", "s1", "e3", T + 20 * 60_000), T + 20 * 60_000);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        // Past e1's expiry only: e1 is forgotten, e2 and e3 still dropped as repeats.
        harness.processWatermark(new Watermark(T + TTL + 60_000));
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processElement(event("shop", "s1", "e2", T + TTL + 61_000), T + TTL + 61_000);
        harness.processElement(event("shop", "s1", "e1", T + TTL + 62_000), T + TTL + 62_000);
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.eventId)
                .containsExactly("e1", "e2", "e3", "e1");
    }

    @Test
    void dedupStateSurvivesASnapshotAndRestore() throws Exception {
        harness.processElement(event("shop", "e1", T), T);
        var snapshot = harness.snapshot(1L, T);
        harness.close();

        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Deduplicator(Duration.ofMillis(TTL))),
                        Deduplicator.key(),
                        Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(event("shop", "e1", T + 10), T + 10);
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    /** The same operator on RocksDB, where a read returns a copy and a value is one entry. */
    private static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> onRocksDb()
            throws Exception {
        var r =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Deduplicator(Duration.ofMillis(TTL))),
                        Deduplicator.key(),
                        Types.STRING);
        r.setStateBackend(new EmbeddedRocksDBStateBackend());
        r.open();
        return r;
    }

    /** RocksDB entries of all states (the harness counts only heap state). */
    private static int entries(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> r) {
        return ((RocksDBKeyedStateBackend<?>) r.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void onRocksDbASessionIsOneEntryWhateverItsNumberOfIdsAndItIsGoneAfterTheTtl()
            throws Exception {
        try (var r = onRocksDb()) {
            for (int i = 0; i < 40; i++) {
                r.processElement(event("shop", "s1", "e" + i, T + i * 60_000L), T + i * 60_000L);
            }
            r.processElement(event("shop", "s1", "e7", T + 50 * 60_000), T + 50 * 60_000);
            r.processElement(event("shop", "s2", "x1", T + 1000), T + 1000);
            // A map entry per id would be 41 entries plus a timer value per session.
            assertThat(entries(r)).isEqualTo(2);
            assertThat(r.numEventTimeTimers()).isEqualTo(2);
            assertThat(r.extractOutputValues()).hasSize(41);

            // e0 and e1 expired, e2..e39 not yet: s1's timer re-arms for them, s2 is gone.
            r.processWatermark(new Watermark(T + TTL + 60_000));
            assertThat(r.numEventTimeTimers()).isEqualTo(1);
            assertThat(entries(r)).isEqualTo(1);
            r.processElement(event("shop", "s1", "e39", T + TTL + 61_000), T + TTL + 61_000);
            r.processElement(event("shop", "s1", "e0", T + TTL + 62_000), T + TTL + 62_000);
            assertThat(r.extractOutputValues()).hasSize(42);

            r.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(entries(r)).isZero();
            assertThat(r.numEventTimeTimers()).isZero();
        }
    }

    /** Writes a session's ids as versions before {@code dedup-ids} did, with their timer. */
    static final class LegacyDedupLayout extends KeyedProcessFunction<String, RumEvent, RumEvent> {
        @Override
        public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out)
                throws Exception {
            MapState<String, Long> seen =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            Deduplicator.LEGACY_SEEN, Types.STRING, Types.LONG));
            ValueState<Long> timer =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            Deduplicator.LEGACY_TIMER, Types.LONG));
            long expiry = e.eventTime + TTL;
            seen.put(e.eventId, expiry);
            if (timer.value() == null) {
                long at = (expiry / 60_000 + 1) * 60_000;
                ctx.timerService().registerEventTimeTimer(at);
                timer.update(at);
            }
        }
    }

    @Test
    void aSavepointWithTheOlderLayoutKeepsDroppingItsIdsAndIsCleanedUpByItsOwnTimers()
            throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState old;
        try (var legacy =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new LegacyDedupLayout()),
                        Deduplicator.key(),
                        Types.STRING)) {
            legacy.open();
            legacy.processElement(event("shop", "s1", "e1", T), T);
            legacy.processElement(event("shop", "s1", "e2", T + 120_000), T + 120_000);
            legacy.processElement(event("shop", "s2", "x1", T), T);
            old = legacy.snapshot(1, T);
        }
        harness.close();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Deduplicator(Duration.ofMillis(TTL))),
                        Deduplicator.key(),
                        Types.STRING);
        harness.initializeState(old);
        harness.open();
        // s1 moves to the new layout on its next event; s2 only when its old timer fires.
        harness.processElement(event("shop", "s1", "e1", T + 5_000), T + 5_000);
        harness.processElement(event("shop", "s1", "e3", T + 6_000), T + 6_000);
        assertThat(harness.extractOutputValues()).extracting(e -> e.eventId).containsExactly("e3");
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(new Watermark(T + TTL + 60_000));
        harness.processElement(event("shop", "s1", "e2", T + TTL + 61_000), T + TTL + 61_000);
        harness.processElement(event("shop", "s2", "x1", T + TTL + 61_000), T + TTL + 61_000);
        // e1 and x1 expired with the first timers, e2 (two minutes younger) is still remembered.
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.eventId)
                .containsExactly("e3", "x1");

        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aSessionWithMoreIdsThanTheValueHoldsKeepsTheRestInTheOverflowAndDropsTheirRetriesToo()
            throws Exception {
        int n = Deduplicator.MAX_IDS_IN_VALUE + 44;
        try (var r = onRocksDb()) {
            for (var x : List.of(harness, r)) {
                for (int i = 0; i < n; i++) {
                    x.processElement(event("shop", "bot", "b" + i, T + i * 1000L), T + i * 1000L);
                }
                x.processElement(event("shop", "bot", "b5", T + n * 1000L), T + n * 1000L);
                x.processElement(event("shop", "bot", "b" + (n - 3), T + n * 1000L), T + n * 1000L);
                assertThat(x.extractOutputValues())
                        .as("retries of a value id and an overflow id")
                        .hasSize(n);
                assertThat(x.numEventTimeTimers()).isEqualTo(1);

                x.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(x == r ? entries(r) : x.numKeyedStateEntries()).isZero();
                assertThat(x.numEventTimeTimers()).isZero();
            }
        }
    }
}
