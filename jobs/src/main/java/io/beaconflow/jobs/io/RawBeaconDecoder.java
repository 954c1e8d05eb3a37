package io.beaconflow.jobs.io;

import io.beaconflow.jobs.model.RawBeacon;
import java.io.Serializable;
import java.util.function.Consumer;

/**
 * Turns one raw record into zero or more output records inside a source, so that watermarks are
 * generated at the source on decoded event time (per Kafka partition or generator split).
 *
 * <p>Implementations never throw on bad input: a bad record becomes an output record that says so
 * (see {@code BeaconDecoder}).
 */
@FunctionalInterface
public interface RawBeaconDecoder<T> extends Serializable {
    void decode(RawBeacon raw, Consumer<T> out);

    /** The identity decoder, for sources whose consumer wants the raw records. */
    static RawBeaconDecoder<RawBeacon> identity() {
        return (raw, out) -> out.accept(raw);
    }
}
