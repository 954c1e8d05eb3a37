package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.Beacons.batch;
import static io.beaconflow.jobs.testing.Beacons.pageView;
import static io.beaconflow.jobs.testing.Beacons.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * One Kafka partition, end to end through the production decoder, the source's watermark strategy
 * and the router, with a watermark emitted after every record (the worst case: in the job they are
 * periodic, so whether a bad record's watermark lands before the next record is luck). A record
 * that claims year 3000 must not send the normal traffic after it to the late output.
 */
class TrustedEventTimeTest {
    private static final Instant YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z");

    /** Decoder → timestamp assigner → watermark generator → router, record by record. */
    static final class Partition implements AutoCloseable {
        final BeaconDecoder decoder;
        final TimestampAssigner<IngestRecord> assigner;
        final WatermarkGenerator<IngestRecord> generator;
        final OneInputStreamOperatorTestHarness<IngestRecord, RumEvent> router;
        final List<Long> watermarks = new ArrayList<>();

        Partition(IngestConfig config) throws Exception {
            decoder = new BeaconDecoder(config);
            WatermarkStrategy<IngestRecord> strategy =
                    IngestWatermarks.forBounds(
                            config.outOfOrderness, Duration.ZERO, config.maxFuture);
            assigner = strategy.createTimestampAssigner(null);
            generator = strategy.createWatermarkGenerator(null);
            router =
                    new OneInputStreamOperatorTestHarness<>(
                            new ProcessOperator<>(
                                    new IngestRouter(
                                            config.allowedLateness,
                                            config.maxFuture,
                                            config.deadLetterPayloadBytes,
                                            config.privacy)));
            router.open();
        }

        void send(RawBeacon raw) throws Exception {
            List<IngestRecord> decoded = new ArrayList<>();
            decoder.decode(raw, decoded::add);
            WatermarkOutput out =
                    new WatermarkOutput() {
                        @Override
                        public void emitWatermark(Watermark w) {
                            long t = w.getTimestamp();
                            if (watermarks.isEmpty() || t > watermarks.get(watermarks.size() - 1)) {
                                watermarks.add(t);
                                try {
                                    router.processWatermark(
                                            new org.apache.flink.streaming.api.watermark.Watermark(
                                                    t));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        }

                        @Override
                        public void markIdle() {}

                        @Override
                        public void markActive() {}
                    };
            for (IngestRecord r : decoded) {
                long ts = assigner.extractTimestamp(r, raw.receivedAt);
                router.processElement(r, ts == TimestampAssigner.NO_TIMESTAMP ? 0 : ts);
                generator.onEvent(r, ts, out);
                generator.onPeriodicEmit(out);
            }
        }

        List<String> accepted() {
            List<String> ids = new ArrayList<>();
            for (RumEvent e : router.extractOutputValues()) ids.add(e.eventId);
            return ids;
        }

        int late() {
            var late = router.getSideOutput(IngestRouter.LATE);
            return late == null ? 0 : late.size();
        }

        @Override
        public void close() throws Exception {
            router.close();
        }
    }

    private static IngestConfig config() {
        return BeaconflowConfig.defaults().ingest;
    }

    /** Normal page views, one every 10 s from T0, arriving 1 s after they happen. */
    private static void normalTraffic(Partition p, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            Instant at = T0.plusSeconds(10L * i);
            p.send(
                    raw(
                            pageView("s" + i, at).id("normal-" + i).sentAt(at).single(),
                            at.plusSeconds(1)));
        }
    }

    @Test
    void aYear3000PayloadReceivedAtDoesNotSendTheFollowingNormalRecordsLate() throws Exception {
        try (Partition p = new Partition(config())) {
            normalTraffic(p, 0, 5);
            // The attack of issue 12: received_at (and the event) in year 3000, Kafka says now.
            Instant now = T0.plusSeconds(45);
            p.send(raw(batch(YEAR_3000, YEAR_3000, pageView("x", YEAR_3000).id("y3000")), now));
            p.send(
                    raw(
                            pageView("x", YEAR_3000)
                                    .id("y3000-single")
                                    .receivedAt(YEAR_3000)
                                    .single(),
                            now));
            normalTraffic(p, 5, 20);

            assertThat(p.late()).as("late events").isZero();
            for (int i = 0; i < 20; i++) {
                assertThat(p.accepted()).contains("normal-" + i);
            }
            assertThat(p.watermarks.get(p.watermarks.size() - 1))
                    .as("the watermark stays with the traffic")
                    .isLessThan(T0.plusSeconds(200).toEpochMilli());
        }
    }

    @Test
    void aFastClientClockWithoutSentAtIsRejectedAndMovesNothing() throws Exception {
        try (Partition p = new Partition(config())) {
            normalTraffic(p, 0, 3);
            p.send(raw(pageView("x", YEAR_3000).id("fast-clock").single(), T0.plusSeconds(25)));
            normalTraffic(p, 3, 10);
            assertThat(p.late()).isZero();
            assertThat(p.accepted()).doesNotContain("fast-clock").hasSize(10);
        }
    }
}
