package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.surge.SurgeSpec;
import io.beaconflow.jobs.errors.ErrorGroupTracker;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErrorSurgeFunctionTest {
    static final long T0 = Rows.T0;
    static final long MINUTE = Rows.MINUTE;

    KeyedOneInputStreamOperatorTestHarness<String, ErrorWindowCount, AnomalySignal> h;

    @BeforeEach
    void setUp() throws Exception {
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ErrorSurgeFunction(
                                        SurgeSpec.of(6, 5, 3, 32, 1.0 / 1440, 60),
                                        Duration.ofMinutes(1),
                                        Duration.ofHours(2))),
                        c -> c.app,
                        Types.STRING);
        h.open();
    }

    /** Minute {@code i}'s count of one error, stamped as the error groups stamp it. */
    void count(String fingerprint, int i, long sessions) throws Exception {
        ErrorWindowCount c = new ErrorWindowCount();
        c.app = "shop";
        c.fingerprint = fingerprint;
        c.windowStart = T0 + i * MINUTE;
        c.windowEnd = c.windowStart + MINUTE;
        c.newSessions = sessions;
        h.processElement(c, c.windowEnd - 1);
    }

    void watermarkAfter(int minute) throws Exception {
        h.processWatermark(T0 + (minute + 1) * MINUTE - 1);
    }

    List<AnomalySignal> signals(String fingerprint) {
        return h.extractOutputValues().stream()
                .filter(s -> s.dimensionValue.equals(fingerprint))
                .toList();
    }

    /** An old error at 1-2 new sessions a minute, from the job's start. */
    void oldError(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            count("old", i, 1 + i % 2);
        }
    }

    @Test
    void aNewErrorAfterTheWarmUpAlertsOnItsFifthSessionAndAnOldOneNever() throws Exception {
        oldError(0, 100);
        watermarkAfter(99);
        // a new error from minute 100: one session every other minute
        for (int i = 100; i < 120; i++) {
            count("old", i, 1 + i % 2);
            if (i % 2 == 0) count("new", i, 1);
            watermarkAfter(i);
        }
        assertThat(signals("old")).noneMatch(s -> s.anomaly);
        List<AnomalySignal> fresh = signals("new");
        // decided every window from its first, the windows without a session too
        assertThat(fresh).hasSize(20);
        AnomalySignal first = fresh.stream().filter(s -> s.anomaly).findFirst().orElseThrow();
        assertThat(first.windowStart).isEqualTo(T0 + 108 * MINUTE); // its fifth session
        assertThat(first.observed).isEqualTo(5);
        assertThat(first.series).isEqualTo("shop|error_fingerprint|new");
        assertThat(first.metric).isEqualTo(ErrorGroupTracker.METRIC);
        assertThat(first.metricKind).isEqualTo("error_rate");
        assertThat(first.score).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void errorsSeenWhileTheAppWarmsUpOnlyLearn() throws Exception {
        // an error that starts at minute 10 at 3 sessions a minute: the app is 10 minutes old
        oldError(0, 10);
        for (int i = 10; i < 80; i++) {
            count("old", i, 1 + i % 2);
            count("early", i, 3);
            watermarkAfter(i);
        }
        assertThat(signals("early")).isNotEmpty().noneMatch(s -> s.anomaly);
    }

    @Test
    void aWindowIsDecidedAtItsEndAndLateCountsAreNotScoredAgain() throws Exception {
        oldError(0, 5);
        watermarkAfter(3);
        assertThat(h.extractOutputValues()).allMatch(s -> s.windowStart <= T0 + 3 * MINUTE);
        watermarkAfter(4);
        assertThat(signals("old")).hasSize(5);
        count("old", 2, 4); // minute 2 was decided
        watermarkAfter(5);
        assertThat(signals("old").stream().filter(s -> s.windowStart == T0 + 2 * MINUTE))
                .hasSize(1);
    }

    @Test
    void quietErrorsStopBeingScoredAndTheirStateAndTimersGo() throws Exception {
        oldError(0, 10);
        watermarkAfter(9);
        // 32 windows after its last session the error is dormant: no more signals
        h.processWatermark(T0 + 100 * MINUTE - 1);
        long scored = signals("old").size();
        assertThat(scored).isEqualTo(9 + 32);
        // after the idle TTL (2 h) its state and every timer are gone
        h.processWatermark(T0 + 200 * MINUTE);
        assertThat(signals("old")).hasSize((int) scored);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
    }
}
