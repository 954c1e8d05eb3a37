package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RejectReason;

/**
 * Client-clock correction. Browsers' clocks are often minutes (sometimes years) off, but the
 * difference between two readings of the same clock is reliable. A beacon that carries its send
 * time tells us how long ago, by the client's own clock, each event happened; the collector's clock
 * tells us when the beacon arrived. So:
 *
 * <pre>
 *   with sent-at:     event time = received-at − (sent-at − occurred-at)
 *   without sent-at:  event time = min(occurred-at, received-at)
 * </pre>
 *
 * The network transit time (sent → received) is ignored: it is milliseconds, while the skew it
 * corrects is often minutes. Without sent-at the client clock is all we have; an event cannot have
 * happened after it was received, so a fast clock is clamped to the arrival time.
 *
 * <p>"received-at" is the arrival time the job trusts (the collector's stamp on the Kafka record),
 * never a payload field alone: {@link #eventTime} applies this with that bound.
 */
public final class ClockSkew {
    private ClockSkew() {}

    /** Marks "the beacon carried no sent-at". */
    public static final long NO_SENT_AT = -1;

    /**
     * Event time, bounded by what the job can trust (max-future and max-age from {@code ingest}).
     * {@code trusted} is the arrival time that the collector stamped on the Kafka record (record
     * timestamp or {@code received-at} header, see {@code BeaconKafkaSource}); every field of the
     * payload came from the browser. A payload {@code received_at} is only a hint that may move the
     * arrival earlier (a collector that batched before writing to Kafka), never later than trusted
     * time. Then:
     *
     * <ul>
     *   <li>with {@code sent_at}: event time = arrival − (sent_at − occurred_at), the client's own
     *       "how long ago", which is reliable even when its clock is not;
     *   <li>without: event time = occurred_at, the client clock as it is.
     * </ul>
     *
     * An event time more than max-future after trusted time is {@code TIMESTAMP_IN_FUTURE}, more
     * than max-age before it {@code TIMESTAMP_TOO_OLD}; an accepted event time is clamped to the
     * arrival, so it is never after trusted time and no record can push a watermark past it. The
     * arithmetic cannot overflow: epoch fields are ≥ 0, so their difference fits a long, and an
     * "ago" outside [−max-future, max-age] is rejected before it is subtracted.
     */
    static long eventTime(
            long occurredAt,
            long sentAt,
            long hint,
            long trusted,
            long maxFutureMs,
            long maxAgeMs) {
        if (trusted < 0) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    "record has no arrival time (Kafka record timestamp or received-at header)");
        }
        long arrival = hint >= 0 ? Math.min(hint, trusted) : trusted;
        // behind = trusted time − unclamped event time
        long behind;
        if (sentAt == ClockSkew.NO_SENT_AT) {
            behind = trusted - occurredAt;
        } else {
            try {
                behind = Math.addExact(trusted - arrival, sentAt - occurredAt);
            } catch (ArithmeticException overflow) {
                behind = Long.MAX_VALUE; // both parts positive: absurdly old
            }
        }
        if (behind < -maxFutureMs) {
            throw new Reject(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "event time "
                            + -behind
                            + " ms after the arrival time (max-future "
                            + maxFutureMs
                            + " ms)");
        }
        if (behind > maxAgeMs) {
            throw new Reject(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "event time "
                            + (behind == Long.MAX_VALUE ? "far" : behind + " ms")
                            + " before the arrival time (max-age "
                            + maxAgeMs
                            + " ms)");
        }
        // Within tolerance, an event cannot have happened after it arrived.
        long eventTime = behind <= 0 ? arrival : Math.min(trusted - behind, arrival);
        if (trusted - eventTime > maxAgeMs) {
            // an old received_at hint pulled the arrival (and so the event) out of range
            throw new Reject(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "event time "
                            + (trusted - eventTime)
                            + " ms before the arrival time (max-age "
                            + maxAgeMs
                            + " ms)");
        }
        return eventTime;
    }
}
