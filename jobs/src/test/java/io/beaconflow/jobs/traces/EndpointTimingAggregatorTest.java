package io.beaconflow.jobs.traces;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static io.beaconflow.jobs.traces.TraceFixtures.T0;
import static io.beaconflow.jobs.traces.TraceFixtures.TRACE;
import static io.beaconflow.jobs.traces.TraceFixtures.fetch;
import static io.beaconflow.jobs.traces.TraceFixtures.serverSpan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-endpoint windows of joined and unmatched fetches: one document per window, after the close
 * delay, with percentiles of client, server and network time; state and timers cleaned up.
 */
class EndpointTimingAggregatorTest {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration DELAY = Duration.ofMinutes(3);
    KeyedOneInputStreamOperatorTestHarness<String, FetchTiming, EndpointTiming> h;

    @BeforeEach
    void open() throws Exception {
        h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new EndpointTimingAggregator(WINDOW, DELAY, true),
                        EndpointTimingAggregator.key(),
                        Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static FetchTiming joined(int i, double clientMs, double serverMs) {
        String span = String.format("%016x", i + 1);
        FetchTiming t = FetchServerJoin.pending(fetch(TRACE, span, T0 + i * 100L, clientMs));
        ServerSpan s = serverSpan(TRACE, span, T0 + i * 100L, serverMs);
        t.joined = true;
        t.service = s.service;
        t.serverMs = serverMs;
        t.networkMs = Math.max(0, clientMs - serverMs);
        return t;
    }

    @Test
    void oneDocumentPerEndpointWindowSaysWhereTheTimeWent() throws Exception {
        for (int i = 0; i < 100; i++) {
            FetchTiming t = joined(i, 1000 + i, 800 + i);
            h.processElement(t, t.eventTime);
        }
        FetchTiming unmatched = FetchServerJoin.pending(fetch(TRACE, "aaaaaaaaaaaaaaaa", T0, 5));
        h.processElement(unmatched, unmatched.eventTime);
        FetchTiming bot = joined(200, 1, 1);
        bot.bot = true;
        h.processElement(bot, bot.eventTime);

        h.processWatermark(new Watermark(T0 + WINDOW.toMillis() + DELAY.toMillis() - 2));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(T0 + WINDOW.toMillis() + DELAY.toMillis() - 1));

        assertThat(h.extractOutputValues())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.id).isEqualTo("shop-web|POST /api/checkout|" + T0);
                            assertThat(d.fetches).isEqualTo(101);
                            assertThat(d.joined).isEqualTo(100);
                            assertThat(d.unmatched).isEqualTo(1);
                            assertThat(d.service).isEqualTo("shop-api");
                            assertThat(d.clientP50).isCloseTo(1049.5, within(1049.5 * 0.02));
                            assertThat(d.serverP50).isCloseTo(849.5, within(849.5 * 0.02));
                            assertThat(d.networkP50).isCloseTo(200, within(200 * 0.02));
                            assertThat(d.serverP99).isCloseTo(898, within(898 * 0.02));
                            assertThat(d.serverShare).isCloseTo(84950.0 / 104950, within(1e-3));
                        });
        assertNothingLeft(h);
    }

    @Test
    void aTimingForAClosedWindowIsDroppedNotReopened() throws Exception {
        h.processWatermark(new Watermark(T0 + WINDOW.toMillis() + DELAY.toMillis()));
        FetchTiming t = joined(0, 100, 50);
        h.processElement(t, t.eventTime);
        assertNothingLeft(h);
        assertThat(h.extractOutputValues()).isEmpty();
    }
}
