package io.beaconflow.jobs.traces;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static io.beaconflow.jobs.testing.Harnesses.sideOutput;
import static io.beaconflow.jobs.traces.TraceFixtures.OTHER_TRACE;
import static io.beaconflow.jobs.traces.TraceFixtures.T0;
import static io.beaconflow.jobs.traces.TraceFixtures.TRACE;
import static io.beaconflow.jobs.traces.TraceFixtures.fetch;
import static io.beaconflow.jobs.traces.TraceFixtures.serverSpan;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fetch ↔ server-span interval join through the operator harness: matching in both arrival
 * orders, the bounds, the app check, duplicates, unmatched fetches after the bound, the state
 * limit, and keyed state and timers back to zero once the watermark has passed every bound.
 */
class FetchServerJoinTest {
    static final Duration BEFORE = Duration.ofSeconds(30);
    static final Duration AFTER = Duration.ofMinutes(2);
    KeyedTwoInputStreamOperatorTestHarness<String, RumEvent, ServerSpan, FetchTiming> h;

    @BeforeEach
    void open() throws Exception {
        open(64);
    }

    void open(int maxPending) throws Exception {
        h =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new FetchServerJoin(BEFORE, AFTER, maxPending),
                        e -> e.traceId,
                        s -> s.traceId,
                        org.apache.flink.api.common.typeinfo.Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    void fetchArrives(RumEvent e) throws Exception {
        h.processElement1(e, e.eventTime);
    }

    void spanArrives(ServerSpan s) throws Exception {
        h.processElement2(s, s.startMs);
    }

    void watermark(long t) throws Exception {
        h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t));
    }

    List<FetchTiming> unmatched() {
        return sideOutput(h, FetchServerJoin.UNMATCHED);
    }

    /** The fetch most tests join: span 00f067aa0ba902b7 of {@code TRACE} at T0, 180 ms. */
    private static RumEvent theFetch() {
        return fetch(TRACE, "00f067aa0ba902b7", T0, 180);
    }

    /** A 100 ms server span, child of {@link #theFetch}'s span, starting at {@code start}. */
    private static ServerSpan itsSpan(long start) {
        return serverSpan(TRACE, "00f067aa0ba902b7", start, 100);
    }

    @Test
    void aFetchJoinsTheServerSpanWhoseParentIsItsSpanAndSplitsTheTime() throws Exception {
        fetchArrives(fetch(TRACE, "00f067aa0ba902b7", T0, 900));
        spanArrives(serverSpan(TRACE, "00f067aa0ba902b7", T0 + 40, 650));

        List<FetchTiming> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        FetchTiming t = out.get(0);
        assertThat(t.joined).isTrue();
        assertThat(t.id).isEqualTo("shop-web:span:" + TRACE + ":00f067aa0ba902b7");
        assertThat(t.clientMs).isEqualTo(900.0);
        assertThat(t.serverMs).isEqualTo(650.0);
        assertThat(t.networkMs).isEqualTo(250.0);
        assertThat(t.service).isEqualTo("shop-api");
        assertThat(t.serverRoute).isEqualTo("/api/checkout");
        assertThat(t.serverStartOffsetMs).isEqualTo(40L);

        watermark(T0 + AFTER.toMillis());
        assertThat(unmatched()).isEmpty();
        assertNothingLeft(h);
    }

    @Test
    void aServerSpanThatArrivesFirstWaitsForItsFetch() throws Exception {
        spanArrives(itsSpan(T0 + 40));
        watermark(T0);
        assertThat(h.extractOutputValues()).isEmpty();
        fetchArrives(theFetch());

        assertThat(h.extractOutputValues())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.serverMs).isEqualTo(100.0);
                            assertThat(t.networkMs).isEqualTo(80.0);
                        });
        watermark(T0 + AFTER.toMillis());
        assertNothingLeft(h);
    }

    @Test
    void aSpanOfAnotherFetchOrAnotherTraceDoesNotJoin() throws Exception {
        fetchArrives(theFetch());
        spanArrives(serverSpan(TRACE, "1111111111111111", T0 + 10, 100));
        spanArrives(serverSpan(OTHER_TRACE, "00f067aa0ba902b7", T0 + 10, 100));

        assertThat(h.extractOutputValues()).isEmpty();
        watermark(T0 + AFTER.toMillis());
        assertThat(unmatched()).singleElement().satisfies(t -> assertThat(t.joined).isFalse());
        assertNothingLeft(h);
    }

    @Test
    void aSpanOutsideTheIntervalOrOfAnotherAppDoesNotJoin() throws Exception {
        fetchArrives(theFetch());
        spanArrives(itsSpan(T0 - BEFORE.toMillis() - 1));
        ServerSpan otherApp = itsSpan(T0 + 5);
        otherApp.app = "admin-web";
        spanArrives(otherApp);
        assertThat(h.extractOutputValues()).isEmpty();

        // The lower bound is inclusive: a span exactly server-before-fetch early joins.
        spanArrives(itsSpan(T0 - BEFORE.toMillis()));
        assertThat(h.extractOutputValues()).hasSize(1);
        watermark(T0 + AFTER.toMillis());
        assertNothingLeft(h);
    }

    @Test
    void anUnmatchedFetchIsEmittedAndCountedOnlyAfterTheUpperBound() throws Exception {
        fetchArrives(theFetch());
        watermark(T0 + AFTER.toMillis() - 1);
        assertThat(unmatched()).isEmpty();
        // A span at the very end of the interval still joins...
        spanArrives(itsSpan(T0 + AFTER.toMillis()));
        assertThat(h.extractOutputValues()).hasSize(1);
        // ...and a second fetch with no span is reported once its bound has passed.
        fetchArrives(fetch(TRACE, "2222222222222222", T0 + 1000, 180));
        watermark(T0 + 1000 + AFTER.toMillis());
        assertThat(unmatched())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.spanId).isEqualTo("2222222222222222");
                            assertThat(t.serverMs).isNull();
                        });
        assertNothingLeft(h);
    }

    @Test
    void aResentSpanOrFetchIsADuplicateNotASecondJoin() throws Exception {
        fetchArrives(theFetch());
        spanArrives(itsSpan(T0 + 10));
        spanArrives(itsSpan(T0 + 10));
        fetchArrives(theFetch());
        assertThat(h.extractOutputValues()).hasSize(1);
        watermark(T0 + AFTER.toMillis());
        assertThat(unmatched()).isEmpty();
        assertNothingLeft(h);
    }

    @Test
    void aStraySpanIsDroppedOnceNoFetchCanStillJoinIt() throws Exception {
        spanArrives(itsSpan(T0));
        watermark(T0 + BEFORE.toMillis() - 1);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        watermark(T0 + BEFORE.toMillis());
        assertNothingLeft(h);
    }

    @Test
    void stateIsBoundedPerTrace() throws Exception {
        close();
        open(3);
        for (int i = 0; i < 5; i++) {
            fetchArrives(fetch(TRACE, String.format("%016x", i + 1), T0 + i, 100));
        }
        watermark(T0 + 10 + AFTER.toMillis());
        // Three were held (and reported unmatched); the two beyond the limit were dropped.
        assertThat(unmatched()).hasSize(3);
        assertNothingLeft(h);
    }
}
