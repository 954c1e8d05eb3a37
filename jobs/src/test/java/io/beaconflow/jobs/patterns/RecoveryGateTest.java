package io.beaconflow.jobs.patterns;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecoveryGateTest {
    private static final long MIN = 60_000;
    private static final long T = 1_700_000_000_000L / MIN * MIN;
    private static final Duration FORGET = Duration.ofMinutes(30);

    private KeyedOneInputStreamOperatorTestHarness<String, AnomalySignal, AnomalySignal> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new RecoveryGate(FORGET)),
                        AnomalySignal::patternKey,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    static AnomalySignal signal(String series, int minute, boolean anomaly) {
        AnomalySignal s = new AnomalySignal();
        s.series = series;
        s.metric = "p75_load_ms";
        s.app = "shop";
        s.windowStart = T + minute * MIN;
        s.windowEnd = s.windowStart + MIN;
        s.anomaly = anomaly;
        return s;
    }

    private void send(String series, int minute, boolean anomaly) throws Exception {
        AnomalySignal s = signal(series, minute, anomaly);
        harness.processElement(s, s.windowEnd - 1);
    }

    private java.util.List<String> passed() {
        return harness.extractOutputValues().stream()
                .map(s -> s.series + "@" + (s.windowStart - T) / MIN + (s.anomaly ? "!" : ""))
                .toList();
    }

    @Test
    void normalsOfASeriesPassOnlyFromItsFirstAnomalyOn() throws Exception {
        send("a", 0, false);
        send("b", 0, false);
        send("a", 1, true);
        send("a", 2, false);
        send("b", 1, false);
        send("a", 3, false);
        assertThat(passed()).containsExactly("a@1!", "a@2", "a@3");
    }

    @Test
    void stateAndTimerAreGoneOnceTheWatermarkIsForgetAfterPastTheLastAnomaly() throws Exception {
        send("a", 0, true);
        send("a", 10, true); // moves the deadline; the first timer re-arms instead of clearing
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(new Watermark(T + MIN - 1 + FORGET.toMillis()));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        send("a", 35, false); // still remembered: 10 + 1 + 30 > 35
        assertThat(passed()).containsExactly("a@0!", "a@10!", "a@35");

        harness.processWatermark(new Watermark(T + 11 * MIN - 1 + FORGET.toMillis()));
        assertNothingLeft(harness);
        send("a", 45, false);
        assertThat(passed()).containsExactly("a@0!", "a@10!", "a@35");
    }

    @Test
    void aZeroForgetBoundIsRefused() {
        assertThatThrownBy(() -> new RecoveryGate(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
