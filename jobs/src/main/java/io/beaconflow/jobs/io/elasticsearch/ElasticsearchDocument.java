package io.beaconflow.jobs.io.elasticsearch;

import java.util.Objects;

/**
 * One document to index: target index, deterministic id and the JSON source (a single line of UTF-8
 * JSON, as {@link io.beaconflow.jobs.io.Json} writes it).
 *
 * <p>The id must be a function of the record's content key (e.g. session key + app), never of
 * arrival order or wall-clock time: a replay after a failure then overwrites the same documents
 * instead of adding copies, which turns at-least-once delivery into effectively-once results.
 */
public final class ElasticsearchDocument {
    /** Elasticsearch rejects longer ids (HTTP 400), so the emitter must keep ids under this. */
    public static final int MAX_ID_BYTES = 512;

    private final String index;
    private final String id;
    private final byte[] source;

    public ElasticsearchDocument(String index, String id, byte[] source) {
        this.index = Objects.requireNonNull(index, "index");
        this.id = Objects.requireNonNull(id, "id: documents need deterministic ids");
        this.source = Objects.requireNonNull(source, "source");
    }

    public String index() {
        return index;
    }

    public String id() {
        return id;
    }

    public byte[] source() {
        return source;
    }

    @Override
    public String toString() {
        return index + "/" + id + " (" + source.length + " bytes)";
    }
}
