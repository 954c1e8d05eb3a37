package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.IngestRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The source's watermark strategy: bounded out-of-orderness over the skew-corrected event time of
 * accepted events, plus idleness, both from config. Applied at the source so that Kafka partitions
 * (and generator splits) get their own watermarks and the slowest one holds the stream back.
 *
 * <p>Dead letters carry no trustworthy event time: they get no timestamp and do not move the
 * watermark, so a flood of garbage cannot push the watermark ahead and make good events late.
 */
public final class IngestWatermarks {
    private IngestWatermarks() {}

    public static WatermarkStrategy<IngestRecord> forConfig(IngestConfig config) {
        return forBounds(config.outOfOrderness, config.idleness, config.maxFuture);
    }

    public static WatermarkStrategy<IngestRecord> forBounds(
            Duration outOfOrderness, Duration idleness) {
        return forBounds(outOfOrderness, idleness, IngestConfig.DEFAULT_MAX_FUTURE);
    }

    /**
     * @param maxFuture no record's timestamp (and so no watermark) goes beyond its trusted arrival
     *     time plus this
     */
    public static WatermarkStrategy<IngestRecord> forBounds(
            Duration outOfOrderness, Duration idleness, Duration maxFuture) {
        long maxFutureMs = maxFuture.toMillis();
        WatermarkStrategy<IngestRecord> strategy =
                WatermarkStrategy.<IngestRecord>forGenerator(
                                (WatermarkGeneratorSupplier<IngestRecord>)
                                        ctx -> new AcceptedOnly(outOfOrderness))
                        .withTimestampAssigner(
                                (TimestampAssignerSupplier<IngestRecord>)
                                        ctx -> new EventTimeAssigner(maxFutureMs));
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /**
     * Accepted events: their corrected event time, but never beyond their trusted arrival time plus
     * max-future. The decoder already guarantees that; this second bound holds for every source and
     * decoder, because one record with a far-future timestamp would move its partition's watermark
     * there for good and make all later traffic late. Dead letters: no timestamp.
     */
    static final class EventTimeAssigner implements TimestampAssigner<IngestRecord> {
        private final long maxFutureMs;

        EventTimeAssigner(long maxFutureMs) {
            this.maxFutureMs = maxFutureMs;
        }

        @Override
        public long extractTimestamp(IngestRecord r, long recordTimestamp) {
            if (!r.isAccepted()) {
                return TimestampAssigner.NO_TIMESTAMP;
            }
            return Math.min(r.event.eventTime, latestTrusted(r.event.receivedAt, maxFutureMs));
        }
    }

    /** Trusted arrival + max-future, saturating instead of overflowing. */
    static long latestTrusted(long receivedAt, long maxFutureMs) {
        long t = receivedAt + maxFutureMs;
        return t < receivedAt ? Long.MAX_VALUE : t;
    }

    /** Bounded out-of-orderness that only looks at accepted events. */
    static final class AcceptedOnly implements WatermarkGenerator<IngestRecord> {
        private final BoundedOutOfOrdernessWatermarks<IngestRecord> delegate;

        AcceptedOnly(Duration outOfOrderness) {
            this.delegate = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        }

        @Override
        public void onEvent(IngestRecord r, long eventTimestamp, WatermarkOutput output) {
            if (r.isAccepted()) {
                delegate.onEvent(r, eventTimestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            delegate.onPeriodicEmit(output);
        }
    }

    /** For tests: the watermark a bounded out-of-orderness generator emits after {@code maxTs}. */
    static Watermark expected(long maxTs, Duration outOfOrderness) {
        return new Watermark(maxTs - outOfOrderness.toMillis() - 1);
    }
}
