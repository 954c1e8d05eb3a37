package io.beaconflow.jobs.ingest;

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
 * never a payload field alone: {@code BeaconDecoder#eventTime} applies this with that bound.
 */
public final class ClockSkew {
    private ClockSkew() {}

    /** Marks "the beacon carried no sent-at". */
    public static final long NO_SENT_AT = -1;
}
