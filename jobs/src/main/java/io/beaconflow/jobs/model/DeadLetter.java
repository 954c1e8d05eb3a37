package io.beaconflow.jobs.model;

/**
 * A record, or one event of a batch, that the job did not accept, with the reason and the raw
 * payload (truncated past a configured size), so it can be inspected and replayed. Late events use
 * the same shape with reason {@link RejectReason#LATE}.
 */
public class DeadLetter {
    public RejectReason reason;

    /** Human-readable detail: which field, what was wrong. */
    public String detail;

    /** Where it came from: {@code source/partition@offset}, plus {@code #index} inside a batch. */
    public String position;

    public String source;
    public int partition;
    public long offset;

    /** Index of the event inside its batch, or -1 for the whole record. */
    public int batchIndex = -1;

    /** Collector clock of the record. */
    public long receivedAt;

    /** Event time, when known (late events), else -1. */
    public long eventTime = -1;

    /** The payload as text (invalid UTF-8 replaced by U+FFFD), cut at the configured size. */
    public String payload;

    /** Size of the original payload in bytes. */
    public int payloadBytes;

    public boolean truncated;

    /** App and event id when they could be read, to help find the sender. */
    public String app;

    public String eventId;

    public DeadLetter() {}

    /**
     * A record that came later than the allowed lateness: the one shape events and server spans
     * share. No watermark distance in the text: a replayed copy must produce the same record.
     *
     * @param what what {@code time} is, first words of the detail ("event time")
     */
    public static DeadLetter late(
            String what,
            long time,
            long allowedLatenessMs,
            String source,
            String app,
            String eventId,
            long receivedAt) {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.LATE;
        d.detail =
                what
                        + " "
                        + time
                        + " is behind the watermark by more than the allowed lateness ("
                        + allowedLatenessMs
                        + " ms)";
        d.source = source;
        d.position = app + "/" + eventId;
        d.receivedAt = receivedAt;
        d.eventTime = time;
        d.app = app;
        d.eventId = eventId;
        return d;
    }

    /**
     * A deterministic id: the same input rejected again gets the same document id. Rejected records
     * are identified by their source position; late events (which were decoded fine) by app and
     * event id, so a replay, or an SDK retry of the same late event, overwrites.
     */
    public String documentId() {
        if (reason == RejectReason.LATE) {
            return "late-" + app + "-" + eventId;
        }
        if (reason == RejectReason.PROCESSING_ERROR) {
            // source holds the stage: one event can fail in more than one stage
            return "error-" + source + "-" + app + "-" + eventId;
        }
        return source
                + "-"
                + partition
                + "-"
                + offset
                + "-"
                + batchIndex
                + "-"
                + reason.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + " at " + position + ": " + detail + "}";
    }
}
