package io.beaconflow.jobs.io.elasticsearch;

import java.io.Serializable;

/**
 * Maps a stream element to the document the sink indexes: index name, deterministic id, JSON
 * source. Serializable because it travels with the sink to the TaskManagers; {@link #open()} runs
 * there once per writer, for state that is not serializable (a JSON mapper).
 *
 * <p>Contract: the same element gives the same index, id and bytes (so replays overwrite), and the
 * id is at most {@link ElasticsearchDocument#MAX_ID_BYTES} bytes of UTF-8.
 */
@FunctionalInterface
public interface DocumentEmitter<T> extends Serializable {
    ElasticsearchDocument emit(T element) throws Exception;

    default void open() throws Exception {}
}
