package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The per-session summary the comparison tests: one per session and arm once event time passes the
 * session's last event + the gap, with the metric stage's counting rules, and nothing left behind.
 */
class SessionSummarizerTest {
    static final long T0 = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();
    static final Duration GAP = Duration.ofMinutes(30);

    static RumEvent event(String session, EventType type, long t) {
        RumEvent e = new RumEvent();
        e.schemaVersion = 1;
        e.eventId = session + "-" + type + "-" + t;
        e.type = type;
        e.app = "shop";
        e.release = "shop@1.0";
        e.sessionId = session;
        e.occurredAt = t;
        e.receivedAt = t;
        e.eventTime = t;
        e.route = "/cart";
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

    static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionSummary> harness()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SessionSummarizer(new MetricsConfig(), GAP, true)),
                        SessionKeys.bySession(),
                        Types.STRING);
        h.open();
        return h;
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionSummary> h,
            RumEvent... events)
            throws Exception {
        for (RumEvent e : events) h.processElement(e, e.eventTime);
    }

    static List<StreamRecord<SessionSummary>> drain(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionSummary> h) {
        List<StreamRecord<SessionSummary>> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) out.add((StreamRecord<SessionSummary>) o);
        }
        h.getOutput().clear();
        return out;
    }

    @Test
    void aSessionIsSummedPerArmAndSentOnceItsGapHasPassedThenForgotten() throws Exception {
        try (var h = harness()) {
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
            // One summary for the release, one for the experiment, in key order.
            assertThat(out)
                    .extracting(r -> r.getValue().value)
                    .containsExactly("shop@1.0", "checkout=b");
            for (StreamRecord<SessionSummary> r : out) {
                SessionSummary s = r.getValue();
                assertThat(r.getTimestamp()).isEqualTo(last + GAP.toMillis());
                assertThat(s.end).isEqualTo(last + GAP.toMillis());
                assertThat(s.app).isEqualTo("shop");
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
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
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
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
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
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
