package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.InstantiationUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sink V2 into Elasticsearch 8/9 on the official {@code elasticsearch-java} client (there is no
 * Flink Elasticsearch connector for Flink 2.x). At-least-once: every checkpoint waits until all
 * buffered documents are acknowledged; with the deterministic ids of a {@link DocumentEmitter}, a
 * replay overwrites and the results are effectively-once.
 *
 * <pre>{@code
 * stream.sinkTo(
 *         ElasticsearchSink.<MetricAggregate>builder()
 *                 .config(ElasticsearchSinkConfig.parse("hosts: https://es:9200", "my settings"))
 *                 .emitter(JsonDocumentEmitter.of(
 *                         m -> DailyIndex.name("rum-metrics-", m.windowStart), m -> m.id))
 *                 .build())
 *       .name("metrics to Elasticsearch").uid("es-metrics");
 * }</pre>
 *
 * <p>Bulk sizing, retries, failure classification and metrics: {@link ElasticsearchSinkWriter},
 * {@link FailureKind}, {@link RetryPolicy}; docs/DISCUSSION.md, section Elasticsearch.
 */
public final class ElasticsearchSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSink.class);

    private final ElasticsearchSinkConfig config;
    private final DocumentEmitter<T> emitter;

    private ElasticsearchSink(ElasticsearchSinkConfig config, DocumentEmitter<T> emitter) {
        this.config = config;
        this.emitter = emitter;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    public ElasticsearchSinkConfig config() {
        return config;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        // Secrets are read here, on the TaskManager, from the variables the config names.
        ElasticsearchSinkConfig.Credentials credentials = config.credentials(System::getenv);
        try {
            emitter.open();
        } catch (Exception e) {
            throw new IOException("the document emitter failed to open: " + e, e);
        }
        ElasticsearchClient client = ElasticsearchClients.create(config, credentials);
        if (context.getTaskInfo().getIndexOfThisSubtask() == 0) {
            LOG.info("Elasticsearch sink: {}", config);
        }
        return new ElasticsearchSinkWriter<>(
                config,
                emitter,
                client,
                credentials,
                context.getProcessingTimeService(),
                context.metricGroup(),
                System::nanoTime,
                Thread::sleep);
    }

    /** Collects the config and the emitter; {@link #build()} checks both early. */
    public static final class Builder<T> {
        private ElasticsearchSinkConfig config;
        private DocumentEmitter<T> emitter;

        private Builder() {}

        /** Hosts, auth, TLS, bulk and retry settings; defaults in ElasticsearchSinkConfig. */
        public Builder<T> config(ElasticsearchSinkConfig config) {
            this.config = config == null ? null : config.checked("Elasticsearch sink config");
            return this;
        }

        /** Element → (index, deterministic id, JSON). */
        public Builder<T> emitter(DocumentEmitter<T> emitter) {
            this.emitter = emitter;
            return this;
        }

        public ElasticsearchSink<T> build() {
            if (config == null) {
                throw new IllegalArgumentException(
                        "ElasticsearchSink: no config. Fix: call"
                                + " .config(ElasticsearchSinkConfig.parse(\"hosts: https://es:9200\","
                                + " \"my settings\"))");
            }
            if (emitter == null) {
                throw new IllegalArgumentException(
                        "ElasticsearchSink: no emitter. Fix: call"
                                + " .emitter(JsonDocumentEmitter.of(indexFunction, idFunction))");
            }
            try {
                InstantiationUtil.serializeObject(emitter);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "ElasticsearchSink: the emitter is not serializable ("
                                + e
                                + "). Fix: make it a lambda or static class that captures only"
                                + " serializable values (no ObjectMapper: create it in open())",
                        e);
            }
            return new ElasticsearchSink<>(config, Objects.requireNonNull(emitter));
        }
    }
}
