package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.model.RawBeacon;
import java.util.Iterator;

/**
 * One generator split's records in collector-arrival order, as {@link GeneratorSourceReader} reads
 * them: the browser beacons ({@link TrafficGenerator}) or the backends' server spans ({@link
 * ServerSpanTraffic}). A checkpoint stores {@link #position()}; restore regenerates and skips.
 */
interface GeneratedRecords extends Iterator<RawBeacon> {
    /** Collector time of the next record; only valid when {@link #hasNext()} is true. */
    long peekReceivedAt();

    /** Moves past up to {@code n} records without rendering them; returns how many. */
    long skip(long n);

    /** Records emitted or skipped so far = the offset of the next record. */
    long position();
}
