package io.beaconflow.jobs.pipeline;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.compare.Comparison;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.errors.ErrorGroup;
import io.beaconflow.jobs.io.elasticsearch.DocumentEmitter;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSink;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.elasticsearch.JsonDocumentEmitter;
import io.beaconflow.jobs.io.elasticsearch.JsonDocumentEmitter.SerializableFunction;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.traces.EndpointTiming;
import io.beaconflow.jobs.traces.FetchTiming;

/**
 * The Elasticsearch sinks of the job's outputs, with their index names and deterministic document
 * ids (a replay overwrites, never duplicates): daily {@code rum-metrics-YYYY.MM.DD} by window
 * start, daily {@code rum-sessions-YYYY.MM.DD} by session start, {@code rum-alerts} by alert id,
 * {@code rum-deadletter} by source position, {@code rum-error-groups} by app and fingerprint,
 * {@code rum-late} by app and event id, {@code rum-comparisons} by comparison, metric and point in
 * event time. Every name starts with the config's {@code elasticsearch.index-prefix} ({@link
 * ElasticsearchSinkConfig#indexPrefix()}, empty by default).
 */
public final class ElasticsearchOutputs {
    private ElasticsearchOutputs() {}

    public static final String METRICS_PREFIX = "rum-metrics-";
    public static final String SESSIONS_PREFIX = "rum-sessions-";
    public static final String ALERTS_INDEX = "rum-alerts";
    public static final String ERROR_GROUPS_INDEX = "rum-error-groups";
    public static final String LATE_INDEX = "rum-late";
    public static final String COMPARISONS_INDEX = "rum-comparisons";

    /**
     * One document per comparison, metric and emission ({@link Comparison#id}: app, kind,
     * experiment, variant, metric, window end), so a replay overwrites and the index keeps the
     * history of each comparison.
     */
    public static ElasticsearchSink<Comparison> comparisons(ElasticsearchSinkConfig config) {
        return comparisons(config, config.indexPrefix());
    }

    public static ElasticsearchSink<Comparison> comparisons(
            ElasticsearchSinkConfig config, String prefix) {
        return toIndex(config, prefix + COMPARISONS_INDEX, c -> c.id);
    }

    public static final String FETCH_TIMINGS_PREFIX = "rum-fetch-timings-";
    public static final String ENDPOINT_TIMINGS_PREFIX = "rum-endpoint-timings-";

    /** Joined fetches, daily by fetch time, id {@code <app>:<fetch event id>}. */
    public static ElasticsearchSink<FetchTiming> fetchTimings(
            ElasticsearchSinkConfig config, String prefix) {
        return daily(config, prefix + FETCH_TIMINGS_PREFIX, t -> t.eventTime, t -> t.id);
    }

    /** Per endpoint and window, daily by window start, id {@code app|endpoint|window start}. */
    public static ElasticsearchSink<EndpointTiming> endpointTimings(
            ElasticsearchSinkConfig config, String prefix) {
        return daily(config, prefix + ENDPOINT_TIMINGS_PREFIX, t -> t.windowStart, t -> t.id);
    }

    /**
     * One document per app and error fingerprint ({@link ErrorGroup#id}); each new version
     * overwrites it, so the index always holds the latest state of every group.
     */
    public static ElasticsearchSink<ErrorGroup> errorGroups(ElasticsearchSinkConfig config) {
        return errorGroups(config, config.indexPrefix());
    }

    public static ElasticsearchSink<ErrorGroup> errorGroups(
            ElasticsearchSinkConfig config, String prefix) {
        return toIndex(config, prefix + ERROR_GROUPS_INDEX, g -> g.id);
    }

    /**
     * Late events ({@link LateEventDocuments}: reason, lateness, scrubbed payload) into one index,
     * by app and event id, so a retried late event overwrites.
     */
    public static ElasticsearchSink<DeadLetter> lateEvents(ElasticsearchSinkConfig config) {
        return lateEvents(config, config.indexPrefix());
    }

    public static ElasticsearchSink<DeadLetter> lateEvents(
            ElasticsearchSinkConfig config, String prefix) {
        return sink(config, new LateEventDocuments(prefix + LATE_INDEX));
    }

    public static ElasticsearchSink<ScoredAggregate> metrics(ElasticsearchSinkConfig config) {
        return metrics(config, config.indexPrefix());
    }

    /**
     * With {@code prefix} before every index name instead of the config's {@code index-prefix}
     * (tests that build the sink config in code).
     */
    public static ElasticsearchSink<ScoredAggregate> metrics(
            ElasticsearchSinkConfig config, String prefix) {
        return daily(config, prefix + METRICS_PREFIX, m -> m.windowStart, m -> m.id);
    }

    /** Indexed by session start; early updates and the closed record share the document id. */
    public static ElasticsearchSink<SessionRecord> sessions(ElasticsearchSinkConfig config) {
        return sessions(config, config.indexPrefix());
    }

    public static ElasticsearchSink<SessionRecord> sessions(
            ElasticsearchSinkConfig config, String prefix) {
        return daily(config, prefix + SESSIONS_PREFIX, s -> s.start, s -> s.sessionKey);
    }

    /** One document per alert; each new version (updated, resolved) overwrites it. */
    public static ElasticsearchSink<Alert> alerts(ElasticsearchSinkConfig config) {
        return alerts(config, config.indexPrefix());
    }

    public static ElasticsearchSink<Alert> alerts(ElasticsearchSinkConfig config, String prefix) {
        return toIndex(config, prefix + ALERTS_INDEX, a -> a.alertId);
    }

    /**
     * Into {@link ElasticsearchSinkConfig#deadLetterIndex()} (which carries the prefix), without
     * the raw payload unless {@code dead-letter.raw-payloads} is on ({@link DeadLetterDocuments}).
     */
    public static ElasticsearchSink<DeadLetter> deadLetters(ElasticsearchSinkConfig config) {
        return sink(
                config,
                new DeadLetterDocuments(
                        config.deadLetterIndex(), config.deadLetter().rawPayloads()));
    }

    /** Into daily indices {@code <index>YYYY.MM.DD} by each record's {@code epochMillis}. */
    private static <T> ElasticsearchSink<T> daily(
            ElasticsearchSinkConfig config,
            String index,
            SerializableFunction<T, Long> epochMillis,
            SerializableFunction<T, String> id) {
        return sink(config, JsonDocumentEmitter.daily(index, epochMillis, id));
    }

    /** Every record into the one index {@code index}. */
    private static <T> ElasticsearchSink<T> toIndex(
            ElasticsearchSinkConfig config, String index, SerializableFunction<T, String> id) {
        return sink(config, JsonDocumentEmitter.toIndex(index, id));
    }

    /** A sink with {@code config}'s connection, bulk and retry settings. */
    private static <T> ElasticsearchSink<T> sink(
            ElasticsearchSinkConfig config, DocumentEmitter<T> emitter) {
        return ElasticsearchSink.<T>builder().config(config).emitter(emitter).build();
    }
}
