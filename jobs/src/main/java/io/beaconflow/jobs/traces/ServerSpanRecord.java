package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.model.DeadLetter;

/**
 * What the server-span source emits per record: a decoded span or a dead letter (the {@link
 * io.beaconflow.jobs.model.IngestRecord} pattern), so decoding runs in the source and watermarks
 * see decoded span times per partition.
 */
public class ServerSpanRecord {
    public ServerSpan span;
    public DeadLetter deadLetter;

    public ServerSpanRecord() {}

    public static ServerSpanRecord accepted(ServerSpan span) {
        ServerSpanRecord r = new ServerSpanRecord();
        r.span = span;
        return r;
    }

    public static ServerSpanRecord rejected(DeadLetter deadLetter) {
        ServerSpanRecord r = new ServerSpanRecord();
        r.deadLetter = deadLetter;
        return r;
    }

    public boolean isAccepted() {
        return span != null;
    }

    @Override
    public String toString() {
        return isAccepted() ? span.toString() : String.valueOf(deadLetter);
    }
}
