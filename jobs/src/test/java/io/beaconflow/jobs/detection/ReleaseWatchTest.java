package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.detection.Rows.MINUTE;
import static io.beaconflow.jobs.detection.Rows.T0;
import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ReleaseWatchTest {
    static final Duration TTL = Duration.ofHours(2);

    static KeyedOneInputStreamOperatorTestHarness<String, ScoredAggregate, Finding> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new ReleaseWatch(Duration.ofMinutes(60), Duration.ofMinutes(10), TTL)),
                r -> r.app,
                Types.STRING);
    }

    static ScoredAggregate total(int minute) {
        return ScoredAggregate.of(Rows.total("shop", minute, 100, 0.02));
    }

    static ScoredAggregate release(String release, int minute) {
        return ScoredAggregate.of(Rows.row("shop", "release", release, minute, 50, 0.02));
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, ScoredAggregate, Finding> h,
            ScoredAggregate row)
            throws Exception {
        h.processElement(row, row.windowEnd - 1);
    }

    @Test
    void aNewReleaseIsSeenOnceAndAnAppWithoutRowsForTheTtlLeavesNoStateOrTimers() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int m = 0; m < 15; m++) feed(h, total(m));
            feed(h, release("shop@2.0", 15));
            feed(h, total(15));
            feed(h, release("shop@2.0", 16));
            feed(h, total(16));
            h.processWatermark(T0 + 17 * MINUTE);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.kind).isEqualTo(Finding.RELEASE_SEEN);
                                assertThat(f.release).isEqualTo("shop@2.0");
                            });
            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the cleanup timer alone

            h.processWatermark(T0 + 17 * MINUTE + TTL.toMillis());
            assertNothingLeft(h);
        }
    }

    @Test
    void aReleaseWithoutRowsForTheTtlIsForgottenWhileTheAppGoesOn() throws Exception {
        try (var h = harness()) {
            h.open();
            int m = 0;
            for (; m < 15; m++) feed(h, total(m));
            feed(h, release("shop@2.0", m));
            feed(h, total(m++));
            // The app keeps reporting for longer than the TTL; shop@2.0 does not.
            int end = m + (int) (TTL.toMinutes()) + 5;
            for (; m < end; m++) feed(h, total(m));
            h.processWatermark(T0 + m * MINUTE);
            // Back after the TTL: new again.
            feed(h, release("shop@2.0", m));
            feed(h, total(m++));
            h.processWatermark(T0 + m * MINUTE);
            assertThat(h.extractOutputValues())
                    .extracting(f -> f.release)
                    .containsExactly("shop@2.0", "shop@2.0");
            h.processWatermark(Long.MAX_VALUE);
            assertNothingLeft(h);
        }
    }

    @Test
    void theOtherBucketOfReleasesBeyondTheBudgetIsNeverANewRelease() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int m = 0; m < 15; m++) feed(h, total(m));
            feed(h, release("other", 15));
            feed(h, release("shop@3.0", 15));
            feed(h, total(15));
            h.processWatermark(T0 + 16 * MINUTE);
            assertThat(h.extractOutputValues())
                    .extracting(f -> f.release)
                    .containsExactly("shop@3.0");
        }
    }
}
