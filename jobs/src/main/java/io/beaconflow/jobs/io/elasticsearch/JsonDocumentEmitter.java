package io.beaconflow.jobs.io.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import java.io.Serializable;
import java.util.Objects;
import java.util.function.Function;

/**
 * The usual emitter: JSON from {@link Json#newOutputMapper()} (public fields, snake_case, nulls
 * omitted, sorted map keys, so equal records give equal bytes), the index and id from two functions
 * of the record. Daily indices come from {@link DailyIndex}.
 *
 * <pre>{@code
 * JsonDocumentEmitter.of(
 *         (MetricAggregate m) -> DailyIndex.name("rum-metrics-", m.windowStart),
 *         m -> m.id)
 * }</pre>
 */
public final class JsonDocumentEmitter<T> implements DocumentEmitter<T> {
    private static final long serialVersionUID = 1L;

    /** A function that travels with the job graph. */
    @FunctionalInterface
    public interface SerializableFunction<A, B> extends Function<A, B>, Serializable {}

    private final SerializableFunction<T, String> index;
    private final SerializableFunction<T, String> id;
    private transient ObjectMapper mapper;

    private JsonDocumentEmitter(
            SerializableFunction<T, String> index, SerializableFunction<T, String> id) {
        this.index = Objects.requireNonNull(index, "index function");
        this.id = Objects.requireNonNull(id, "id function");
    }

    public static <T> JsonDocumentEmitter<T> of(
            SerializableFunction<T, String> index, SerializableFunction<T, String> id) {
        return new JsonDocumentEmitter<>(index, id);
    }

    /** Every record into one fixed index (alerts, dead letters). */
    public static <T> JsonDocumentEmitter<T> toIndex(
            String indexName, SerializableFunction<T, String> id) {
        Objects.requireNonNull(indexName, "index name");
        return new JsonDocumentEmitter<>(r -> indexName, id);
    }

    /**
     * Daily indices {@code <indexPrefix>YYYY.MM.DD} ({@link DailyIndex}) by each record's event
     * time in epoch millis (metrics, sessions, timings).
     */
    public static <T> JsonDocumentEmitter<T> daily(
            String indexPrefix,
            SerializableFunction<T, Long> epochMillis,
            SerializableFunction<T, String> id) {
        Objects.requireNonNull(indexPrefix, "index prefix");
        Objects.requireNonNull(epochMillis, "time function");
        return new JsonDocumentEmitter<>(
                r -> DailyIndex.name(indexPrefix, epochMillis.apply(r)), id);
    }

    @Override
    public void open() {
        mapper = Json.newOutputMapper();
    }

    @Override
    public ElasticsearchDocument emit(T element) throws Exception {
        if (mapper == null) open();
        return new ElasticsearchDocument(
                index.apply(element), id.apply(element), mapper.writeValueAsBytes(element));
    }
}
