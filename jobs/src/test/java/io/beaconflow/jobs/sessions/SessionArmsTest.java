package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.compare.ComparedMetric;
import io.beaconflow.jobs.compare.SessionSummary;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import io.beaconflow.jobs.testing.EnrichedEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The per-session summary the comparison tests, now kept by the session assembler ({@link
 * SessionArms}) and sent on its side output: one per session and arm once event time passes the
 * session's last event + the gap, with the metric stage's counting rules, and nothing left behind.
 * The scenarios are those of the removed SessionSummarizer's test, with the same expectations.
 */
class SessionArmsTest {
    static final long T0 = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();
    static final Duration GAP = Duration.ofMinutes(30);

    static RumEvent event(String session, EventType type, long t) {
        RumEvent e =
                EnrichedEvents.enriched(
                        type, session + "-" + type + "-" + t, "shop", session, t, "/cart");
        e.release = "shop@1.0";
        Map<String, String> x = new TreeMap<>();
        x.put("checkout", "b");
        e.experiments = x;
        return e;
    }

    static RumEvent pageView(String session, long t, double loadMs) {
        RumEvent e = event(session, EventType.PAGE_VIEW, t);
        e.loadMs = loadMs;
        return e;
    }

    static RumEvent fetch(String session, long t, int status, double ms) {
        RumEvent e = event(session, EventType.FETCH, t);
        e.fetchUrl = "https://api.shop.example/cart";
        e.fetchMethod = "GET";
        e.fetchStatus = status;
        e.fetchDurationMs = ms;
        return e;
    }

    static RumEvent jsError(String session, long t) {
        RumEvent e = event(session, EventType.ERROR, t);
        e.errorType = "TypeError";
        e.errorMessage = "x is undefined";
        return e;
    }

    static SessionConfig config(int cache) {
        SessionConfig c = new SessionConfig();
        c.gap = GAP;
        c.stateCache = cache;
        return c;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> harness(
            int cache, OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SessionAssemblerOperator(
                                config(cache), new ArmRules(new MetricsConfig(), true)),
                        SessionKeys.bySession(),
                        Types.STRING);
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> harness()
            throws Exception {
        return harness(0, null);
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> h,
            RumEvent... events)
            throws Exception {
        for (RumEvent e : events) h.processElement(e, e.eventTime);
    }

    /** The summaries sent since the last call (the session records are not looked at here). */
    static List<StreamRecord<SessionSummary>> drain(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> h) {
        List<StreamRecord<SessionSummary>> out = new ArrayList<>();
        var side = h.getSideOutput(SessionAssembler.SUMMARIES);
        if (side != null) {
            out.addAll(side);
            side.clear();
        }
        return out;
    }

    @Test
    void aSessionIsSummedPerArmAndSentOnceItsGapHasPassedThenForgotten() throws Exception {
        for (int cache : new int[] {0, 10}) {
            try (var h = harness(cache, null)) {
                long last = T0 + 5 * 60_000;
                feed(
                        h,
                        pageView("s1", T0, 1000),
                        fetch("s1", T0 + 1000, 200, 100),
                        jsError("s1", T0 + 2000),
                        pageView("s1", T0 + 60_000, 4000),
                        fetch("s1", T0 + 61_000, 503, 400),
                        fetch("s1", last, 0, 50));
                RumEvent bot = pageView("s2", T0, 9000);
                bot.bot = true; // left out, as metrics.exclude-bots does for the metric rows
                feed(h, bot);
                // Open until last + gap.
                h.processWatermark(last + GAP.toMillis() - 1);
                assertThat(drain(h)).isEmpty();
                h.processWatermark(last + GAP.toMillis());
                List<StreamRecord<SessionSummary>> out = drain(h);
                // One summary for the release, one for the experiment, in key order; the bot
                // session none.
                assertThat(out)
                        .extracting(r -> r.getValue().value)
                        .containsExactly("shop@1.0", "checkout=b");
                for (StreamRecord<SessionSummary> r : out) {
                    SessionSummary s = r.getValue();
                    assertThat(r.getTimestamp()).isEqualTo(last + GAP.toMillis());
                    assertThat(s.end).isEqualTo(last + GAP.toMillis());
                    assertThat(s.start).isEqualTo(T0);
                    assertThat(s.app).isEqualTo("shop");
                    assertThat(s.session).isEqualTo("shop\u0000s1");
                    assertThat(s.views).isEqualTo(2);
                    assertThat(s.errors).isEqualTo(1);
                    assertThat(s.fetches).isEqualTo(3);
                    // 503 and a network error (0) fail by the default statuses; 200 does not.
                    assertThat(s.failures).isEqualTo(2);
                    // Geometric means of 1 + ms: sqrt(1001 * 4001) - 1, cbrt(101 * 401 * 51) - 1.
                    assertThat(s.latency(ComparedMetric.LOAD.latencyIndex))
                            .isCloseTo(Math.sqrt(1001.0 * 4001) - 1, within(1e-6));
                    assertThat(s.latency(ComparedMetric.FETCH.latencyIndex))
                            .isCloseTo(Math.cbrt(101.0 * 401 * 51) - 1, within(1e-6));
                    assertThat(s.latency(ComparedMetric.LCP.latencyIndex)).isNaN();
                }
                assertNothingLeft(h);
            }
        }
    }

    @Test
    void anEventAfterItsSessionClosedIsLeftOutNotASecondSession() throws Exception {
        try (var h = harness()) {
            feed(h, pageView("s1", T0, 1000));
            h.processWatermark(T0 + GAP.toMillis());
            assertThat(drain(h)).hasSize(2);
            h.processWatermark(T0 + 2 * GAP.toMillis());
            // Behind the watermark by more than the gap: its session was summarized already.
            feed(h, pageView("s1", T0 + 1, 1000));
            h.processWatermark(T0 + 3 * GAP.toMillis());
            assertThat(drain(h)).isEmpty();
            assertNothingLeft(h);
        }
    }

    @Test
    void aLaterEventMovesTheCloseAndKeepsOneTimer() throws Exception {
        try (var h = harness()) {
            feed(h, pageView("s1", T0, 1000));
            h.processWatermark(T0 + GAP.toMillis() - 1);
            feed(h, pageView("s1", T0 + GAP.toMillis() - 1, 3000));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(T0 + GAP.toMillis());
            assertThat(drain(h)).isEmpty();
            h.processWatermark(T0 + 2 * GAP.toMillis() - 1);
            List<StreamRecord<SessionSummary>> out = drain(h);
            assertThat(out).hasSize(2).allSatisfy(r -> assertThat(r.getValue().views).isEqualTo(2));
            assertNothingLeft(h);
        }
    }

    @Test
    void anOpenSessionsArmsSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(10, null)) {
            feed(h, pageView("s1", T0, 1000), fetch("s1", T0 + 1000, 503, 100));
            // As a checkpoint does: the write-behind cache is flushed before the barrier.
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, T0 + 2000);
        }
        try (var h = harness(10, snapshot)) {
            feed(h, jsError("s1", T0 + 2000));
            h.processWatermark(T0 + 2000 + GAP.toMillis());
            List<StreamRecord<SessionSummary>> out = drain(h);
            assertThat(out).hasSize(2);
            for (StreamRecord<SessionSummary> r : out) {
                SessionSummary s = r.getValue();
                assertThat(s.views).isEqualTo(1);
                assertThat(s.fetches).isEqualTo(1);
                assertThat(s.failures).isEqualTo(1);
                assertThat(s.errors).isEqualTo(1);
                assertThat(s.latency(ComparedMetric.LOAD.latencyIndex))
                        .isCloseTo(1000, within(1e-6));
            }
            assertNothingLeft(h);
        }
    }

    @Test
    void aStateWrittenBeforeTheArmsExistedReadsAsASessionWithoutSummaries() throws Exception {
        SessionRules plain = new SessionRules(config(0));
        SessionState old = SessionState.startingAt(T0);
        old.add(pageView("s1", T0, 1000), plain, false);
        DataOutputSerializer out = new DataOutputSerializer(256);
        SessionStateSerializer.INSTANCE.serialize(old, out);
        // Format 1, exactly as before the arms: nothing appended.
        assertThat(out.getSharedBuffer()[0]).isEqualTo((byte) 1);
        SessionState back =
                SessionStateSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.sameAs(old)).isTrue();
        assertThat(back.arms.tracked).isFalse();

        // A tracked piece writes format 2 and reads back its arms.
        SessionRules rules = new SessionRules(config(0), new ArmRules(new MetricsConfig(), true));
        SessionState s = SessionState.startingAt(T0);
        s.arms.tracked = true;
        RumEvent e = fetch("s1", T0 + 5, 503, 120);
        s.add(e, rules, false);
        assertThat(s.arms.add(e, e.eventTime, rules.arms, GAP.toMillis(), Long.MIN_VALUE))
                .isEqualTo(SessionArms.TAKEN);
        out.clear();
        SessionStateSerializer.INSTANCE.serialize(s, out);
        assertThat(out.getSharedBuffer()[0]).isEqualTo((byte) 2);
        SessionState s2 =
                SessionStateSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(s2.sameAs(s)).isTrue();
        assertThat(s2.arms.size).isEqualTo(2);
        assertThat(s2.arms.arms[0].start).isEqualTo(T0 + 5);
        assertThat(s2.copy().sameAs(s)).isTrue();
    }

    @Test
    void aSessionFromASavepointWithoutArmsSendsNoPartialSummaryAndNewSessionsDo() throws Exception {
        // A savepoint of the assembler before the arms existed writes format 1 (comparisons
        // were a separate operator, whose state the restore drops).
        OperatorSubtaskState before;
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SessionAssemblerOperator(config(0)),
                        SessionKeys.bySession(),
                        Types.STRING)) {
            h.open();
            feed(h, pageView("s1", T0, 1000));
            before = h.snapshot(1, T0 + 1);
        }
        try (var h = harness(0, before)) {
            feed(h, pageView("s1", T0 + 1000, 2000), pageView("s2", T0 + 1000, 3000));
            h.processWatermark(T0 + 1000 + GAP.toMillis());
            // s1's first view was counted by the dropped operator: no summary of half of it.
            assertThat(drain(h))
                    .extracting(r -> r.getValue().session)
                    .containsExactly("shop\u0000s2", "shop\u0000s2");
            assertNothingLeft(h);
        }
    }
}
