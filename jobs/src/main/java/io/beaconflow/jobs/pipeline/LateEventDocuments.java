package io.beaconflow.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;

/**
 * Late events as documents of the {@code rum-late} index: the reason and detail, how late the event
 * arrived ({@link Document#latenessMs}), and the fields to group by (type, release, environment,
 * session, page URL) read from the late record's payload, which the router already scrubbed like an
 * accepted event ({@code ingest.privacy}); the payload itself is kept, not indexed. Route and user
 * agent fields are not there: the router sends late events out before enrichment, so a late event
 * is never parsed further than the decoder did.
 *
 * <p>Lateness is {@code received_at - event_time}: how long after it happened the collector got it.
 * Not the distance to the watermark, which depends on when the router saw the record and so would
 * differ on a replay; this one is the same every time, like the document id ({@link
 * DeadLetter#documentId()}: app and event id, so an SDK retry of the same late event overwrites).
 */
public final class LateEventDocuments extends RejectedRecordDocuments {
    private static final long serialVersionUID = 1L;

    /** The late record's fields plus what was read from its payload. */
    public static class Document extends DeadLetter {
        /** Received minus event time, ms (0 when the clock said the event was from the future). */
        public long latenessMs;

        public String type;
        public String release;
        public String environment;
        public String sessionId;
        public String pageUrl;
    }

    public LateEventDocuments(String index) {
        super(index);
    }

    @Override
    public Document of(DeadLetter d) {
        if (d.reason != RejectReason.LATE) {
            throw new IllegalArgumentException("not a late event: " + d);
        }
        Document doc = withRecordFields(d, new Document());
        doc.detail = d.detail;
        doc.payload = d.payload;
        doc.latenessMs = d.eventTime < 0 ? 0 : Math.max(0, d.receivedAt - d.eventTime);
        JsonNode event = null;
        if (d.payload != null && !d.truncated) {
            try {
                event = mapper().readTree(d.payload);
            } catch (Exception unreadable) {
                // a cut or odd payload: the document keeps the common fields only
            }
        }
        if (event != null && event.isObject()) {
            doc.type = text(event, "type");
            doc.release = text(event, "release");
            doc.environment = text(event, "environment");
            doc.sessionId = text(event, "session_id");
            doc.pageUrl = text(event, "page_url");
        }
        return doc;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
