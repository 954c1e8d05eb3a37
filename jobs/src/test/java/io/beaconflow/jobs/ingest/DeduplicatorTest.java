package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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

    /**
     * Sessions with seen ids plus sessions with a timer value, in the backend (heap or RocksDB).
     */
    private static long stateKeys(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h) {
        long n = 0;
        for (String state : java.util.List.of("dedup-seen", "dedup-timer")) {
            try (var keys =
                    h.getOperator()
                            .getKeyedStateBackend()
                            .getKeys(
                                    state, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    @Test
    void expiredIdsLeaveNoStateAndTheLaterOnesStayOnHeapAndRocksDb() throws Exception {
        var rocksDb =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Deduplicator(Duration.ofMillis(TTL))),
                        Deduplicator.key(),
                        Types.STRING);
        rocksDb.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
        rocksDb.open();
        try {
            for (var h : java.util.List.of(harness, rocksDb)) {
                h.processElement(event("shop", "s1", "e1", T), T);
                h.processElement(event("shop", "s1", "e2", T + 10 * 60_000), T + 10 * 60_000);
                h.processElement(event("shop", "s2", "e3", T), T);
                // e1 and e3 expire, e2 stays: s1 keeps a map and a timer, s2 nothing.
                h.processWatermark(new Watermark(T + TTL + 120_000));
                assertThat(stateKeys(h)).isEqualTo(2);
                assertThat(h.numEventTimeTimers()).isEqualTo(1);
                h.processElement(event("shop", "s1", "e2", T + TTL + 130_000), T + TTL + 130_000);
                h.processElement(event("shop", "s1", "e1", T + TTL + 130_000), T + TTL + 130_000);
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(stateKeys(h)).isZero();
                assertThat(h.numEventTimeTimers()).isZero();
                assertThat(h.extractOutputValues())
                        .extracting(e -> e.eventId)
                        .containsExactly("e1", "e2", "e3", "e1");
            }
        } finally {
            rocksDb.close();
        }
    }

    @Test
    void stateAndTimersAreGoneAfterTheTtlAndARepeatThenPasses() throws Exception {
        harness.processElement(event("shop", "s1", "e1", T), T);
        harness.processElement(event("shop", "s2", "e2", T + 1000), T + 1000);
        // Per session: the map of seen ids and the timer's time.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(new Watermark(T + TTL + 120_000));
        assertNothingLeft(harness);

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
}
