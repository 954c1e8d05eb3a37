package io.beaconflow.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.DocumentEmitter;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchDocument;
import io.beaconflow.jobs.model.DeadLetter;

/**
 * What the two indexes of records the job did not process ({@link DeadLetterDocuments}, {@link
 * LateEventDocuments}) share: one index, the record's own id ({@link DeadLetter#documentId()}, so a
 * replay or an SDK retry overwrites), the job's output mapper, and the record fields both documents
 * keep as they came. Each subclass decides what else goes in (the dead letter scrubs its detail and
 * drops the payload by default; the late event keeps both, the router already scrubbed them).
 */
abstract class RejectedRecordDocuments implements DocumentEmitter<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String index;
    private transient ObjectMapper mapper;

    RejectedRecordDocuments(String index) {
        this.index = index;
    }

    @Override
    public void open() {
        mapper();
    }

    /**
     * The job's output mapper, made on first use: in {@link #open()} on a sink writer, or here when
     * {@link #of} is called outside a sink (tests, tools).
     */
    final ObjectMapper mapper() {
        if (mapper == null) mapper = Json.newOutputMapper();
        return mapper;
    }

    @Override
    public ElasticsearchDocument emit(DeadLetter d) throws Exception {
        return new ElasticsearchDocument(index, d.documentId(), mapper().writeValueAsBytes(of(d)));
    }

    /** The document for {@code d} (a copy; {@code d} is not changed). */
    public abstract DeadLetter of(DeadLetter d);

    /**
     * Copies into {@code doc} the fields of {@code d} that both indexes keep unchanged: reason,
     * position, source, arrival and event time, payload size and cut, app and event id. Detail,
     * payload and the Kafka coordinates are each subclass's choice.
     */
    static <T extends DeadLetter> T withRecordFields(DeadLetter d, T doc) {
        doc.reason = d.reason;
        doc.position = d.position;
        doc.source = d.source;
        doc.receivedAt = d.receivedAt;
        doc.eventTime = d.eventTime;
        doc.payloadBytes = d.payloadBytes;
        doc.truncated = d.truncated;
        doc.app = d.app;
        doc.eventId = d.eventId;
        return doc;
    }
}
