package io.beaconflow.jobs.model;

/**
 * What a source emits after decoding one raw record: exactly one of an accepted event or a dead
 * letter. A union type so that decoding can happen inside the source (watermarks on decoded event
 * time, per Kafka partition) while rejects still reach the dead-letter output.
 */
public class IngestRecord {
    public RumEvent event;
    public DeadLetter deadLetter;

    public IngestRecord() {}

    public static IngestRecord accepted(RumEvent event) {
        IngestRecord r = new IngestRecord();
        r.event = event;
        return r;
    }

    public static IngestRecord rejected(DeadLetter deadLetter) {
        IngestRecord r = new IngestRecord();
        r.deadLetter = deadLetter;
        return r;
    }

    public boolean isAccepted() {
        return event != null;
    }

    @Override
    public String toString() {
        return isAccepted() ? event.toString() : String.valueOf(deadLetter);
    }
}
