package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class IngestWatermarksTest {
    private static final long T = T0.toEpochMilli();

    /** Records what a generator emits. */
    static final class Recorder implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermarks.add(w.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }

        long last() {
            return watermarks.isEmpty() ? Long.MIN_VALUE : watermarks.get(watermarks.size() - 1);
        }
    }

    static IngestRecord accepted(long eventTime) {
        RumEvent e = new RumEvent();
        e.eventTime = eventTime;
        e.receivedAt = eventTime;
        return IngestRecord.accepted(e);
    }

    static IngestRecord deadLetter() {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.NOT_JSON;
        return IngestRecord.rejected(d);
    }

    @Test
    void theWatermarkTrailsTheMaximumEventTimeByTheOutOfOrderness() {
        var gen = new IngestWatermarks.AcceptedOnly(Duration.ofSeconds(30));
        Recorder out = new Recorder();
        gen.onEvent(accepted(T + 60_000), T + 60_000, out);
        gen.onEvent(accepted(T + 10_000), T + 10_000, out); // out of order: does not move it back
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T + 60_000 - 30_000 - 1);
    }

    @Test
    void deadLettersNeitherGetATimestampNorMoveTheWatermark() {
        var gen = new IngestWatermarks.AcceptedOnly(Duration.ofSeconds(30));
        Recorder out = new Recorder();
        gen.onEvent(accepted(T), T, out);
        // A dead letter arrives with a far-future record timestamp.
        gen.onEvent(deadLetter(), T + 3_600_000, out);
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T - 30_000 - 1);
        assertThat(
                        new IngestWatermarks.EventTimeAssigner(300_000)
                                .extractTimestamp(deadLetter(), 99))
                .isEqualTo(TimestampAssigner.NO_TIMESTAMP);
        assertThat(
                        new IngestWatermarks.EventTimeAssigner(300_000)
                                .extractTimestamp(accepted(T), 99))
                .isEqualTo(T);
    }

    @Test
    void aSplitWithoutEventsForTheIdlenessTimeoutIsMarkedIdleAndWakesOnTheNextEvent() {
        ManualClock clock = new ManualClock();
        var gen =
                new WatermarksWithIdleness<>(
                        new IngestWatermarks.AcceptedOnly(Duration.ofSeconds(30)),
                        Duration.ofMinutes(1),
                        clock);
        Recorder out = new Recorder();
        gen.onEvent(accepted(T), T, out);
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();

        // Periodic emits every 10 s of wall time with no events: the split goes idle once a full
        // timeout has passed since the first quiet emit (Flink's idleness timer starts there).
        long quietMs = 0;
        while (!out.idle && quietMs < 300_000) {
            clock.advanceTime(Duration.ofSeconds(10));
            quietMs += 10_000;
            gen.onPeriodicEmit(out);
        }
        assertThat(quietMs).isEqualTo(80_000);

        gen.onEvent(accepted(T + 120_000), T + 120_000, out);
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.last()).isEqualTo(T + 120_000 - 30_001);
    }

    @Test
    void theStrategyFromConfigUsesTheConfiguredBounds() {
        var strategy = IngestWatermarks.forBounds(Duration.ofSeconds(10), Duration.ZERO);
        var gen = strategy.createWatermarkGenerator(null);
        Recorder out = new Recorder();
        gen.onEvent(accepted(T), T, out);
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T - 10_001);
    }

    @Test
    void noRecordMovesTheWatermarkBeyondItsTrustedArrivalPlusMaxFuture() {
        // An accepted record whose event time claims year 3000 (a decoder bug, another source):
        // its timestamp, and so the watermark, stop at arrival + max-future.
        RumEvent e = new RumEvent();
        e.receivedAt = T;
        e.eventTime = java.time.Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
        IngestRecord year3000 = IngestRecord.accepted(e);
        var strategy =
                IngestWatermarks.forBounds(
                        Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5));
        long ts = strategy.createTimestampAssigner(null).extractTimestamp(year3000, T);
        assertThat(ts).isEqualTo(T + 300_000);
        var gen = strategy.createWatermarkGenerator(null);
        Recorder out = new Recorder();
        gen.onEvent(year3000, ts, out);
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T + 300_000 - 30_001);
    }

    @Test
    void aTrustedArrivalNearTheEndOfTimeSaturatesInsteadOfOverflowing() {
        assertThat(IngestWatermarks.latestTrusted(Long.MAX_VALUE - 10, 300_000))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(IngestWatermarks.latestTrusted(T, 300_000)).isEqualTo(T + 300_000);
    }
}
