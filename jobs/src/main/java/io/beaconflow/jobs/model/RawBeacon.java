package io.beaconflow.jobs.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record as it arrived on the raw topic (or from the generator): the undecoded payload and
 * where it came from. The payload is either a single event or a batch envelope
 * (docs/rum-events.md).
 */
public class RawBeacon {
    /** Undecoded bytes, expected UTF-8 JSON. */
    public byte[] payload;

    /** Origin of the record, e.g. the Kafka topic or {@code "generator"}. */
    public String source;

    /** Kafka partition, or generator split index. */
    public int partition;

    /** Kafka offset, or generator sequence number within the split. */
    public long offset;

    /**
     * Trusted arrival time in epoch millis: the collector's {@code received-at} header or the Kafka
     * record timestamp, or the generator's simulated arrival time. Event time is bounded by it; a
     * payload {@code received_at} (sent by the browser side) can only move arrival earlier.
     */
    public long receivedAt;

    public RawBeacon() {}

    public RawBeacon(byte[] payload, String source, int partition, long offset, long receivedAt) {
        this.payload = payload;
        this.source = source;
        this.partition = partition;
        this.offset = offset;
        this.receivedAt = receivedAt;
    }

    /** {@code source/partition@offset}, used in dead letters and logs. */
    public String position() {
        return source + "/" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof RawBeacon)) return false;
        RawBeacon that = (RawBeacon) o;
        return partition == that.partition
                && offset == that.offset
                && receivedAt == that.receivedAt
                && Arrays.equals(payload, that.payload)
                && Objects.equals(source, that.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, partition, offset, receivedAt) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "RawBeacon{"
                + position()
                + ", "
                + (payload == null ? 0 : payload.length)
                + " bytes}";
    }
}
