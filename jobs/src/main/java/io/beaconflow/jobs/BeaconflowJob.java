package io.beaconflow.jobs;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchClients;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.elasticsearch.IndexTemplates;
import io.beaconflow.jobs.io.kafka.BeaconKafkaSource;
import io.beaconflow.jobs.io.kafka.DeadLetterKafkaSink;
import io.beaconflow.jobs.io.webhook.WebhookNotifierSink;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.traces.ServerSpanDecoder;
import io.beaconflow.jobs.traces.ServerSpanKafkaSource;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production job: Kafka in; dead letters and late events to Kafka topics; sessions, aggregates,
 * alerts and dead letters to Elasticsearch (every index name after {@code
 * elasticsearch.index-prefix}); alert notifications to the webhook when one is configured. Submit
 * the shaded jar with {@code flink run beaconflow-job.jar --config /path/beaconflow.yaml} (or
 * {@code ./beaconflow submit}); checkpointing, state backend and restarts come from the cluster's
 * {@code config.yaml}. This class only wires: the graph is {@link BeaconflowPipeline}, the sinks
 * {@link ElasticsearchOutputs} and {@code io.kafka}.
 */
public final class BeaconflowJob {
    private BeaconflowJob() {}

    public static void main(String[] args) throws Exception {
        String configPath = option(args, "--config", "flink-conf/beaconflow.yaml");
        String jobName = option(args, "--name", "beaconflow");
        BeaconflowConfig config = loadConfig(configPath, System::getenv);
        ElasticsearchSinkConfig es = config.elasticsearchSinkConfig(configPath);

        if (!"false".equals(option(args, "--install-templates", "true"))) {
            // Idempotent: only missing or older template versions are written. With an index
            // prefix, prefixed copies (the bundled patterns would not match prefixed indices).
            ElasticsearchClient client = ElasticsearchClients.create(es);
            try {
                IndexTemplates.installAll(client, es.indexPrefix());
            } finally {
                ElasticsearchClients.close(client);
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        wire(env, config, es);
        env.execute(jobName);
    }

    /**
     * The production graph for {@code config}: Kafka in, Kafka and Elasticsearch out, the webhook
     * when one is configured. Connects to nothing (sources and sinks open when the job runs), so a
     * test can build the graph from the shipped configuration file.
     */
    static void wire(
            StreamExecutionEnvironment env, BeaconflowConfig config, ElasticsearchSinkConfig es) {
        BeaconflowPipeline pipeline = fromKafka(env, config, false);
        BeaconflowPipeline.Sinks traceSinks = new BeaconflowPipeline.Sinks();
        if (config.traces.enabled) {
            traceSinks
                    .fetchTimings(ElasticsearchOutputs.fetchTimings(es, es.indexPrefix()))
                    .endpointTimings(ElasticsearchOutputs.endpointTimings(es, es.indexPrefix()));
        }
        pipeline.sinkTo(
                traceSinks
                        .deadLetters(
                                DeadLetterKafkaSink.create(
                                        config.kafka, config.kafka.deadLetterTopic))
                        .deadLetters(ElasticsearchOutputs.deadLetters(es))
                        .lateEvents(
                                DeadLetterKafkaSink.create(config.kafka, config.kafka.lateTopic))
                        .lateEvents(ElasticsearchOutputs.lateEvents(es))
                        .errorGroups(ElasticsearchOutputs.errorGroups(es))
                        .comparisons(ElasticsearchOutputs.comparisons(es))
                        .sessions(ElasticsearchOutputs.sessions(es))
                        .metrics(ElasticsearchOutputs.metrics(es))
                        .alerts(ElasticsearchOutputs.alerts(es))
                        .notifications(
                                config.notifications.webhook == null
                                        ? null
                                        : new WebhookNotifierSink(config.notifications.webhook)));
    }

    /**
     * The graph over the job's Kafka topics: the raw topic, and the server-spans topic when {@code
     * traces.enabled}. With {@code boundedAtLatest} both stop at the offsets that are latest when
     * the job starts (backfills and the end-to-end tests, which run this same wiring).
     */
    public static BeaconflowPipeline fromKafka(
            StreamExecutionEnvironment env, BeaconflowConfig config, boolean boundedAtLatest) {
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.build(
                        env,
                        BeaconKafkaSource.create(
                                config.kafka, new BeaconDecoder(config.ingest), boundedAtLatest),
                        "kafka",
                        config);
        if (config.traces.enabled) {
            pipeline.withServerSpans(
                    ServerSpanKafkaSource.create(
                            config.kafka, new ServerSpanDecoder(config.ingest), boundedAtLatest),
                    "kafka",
                    config);
        }
        return pipeline;
    }

    /**
     * The config file as the production job takes it: validated, and with the checks only
     * production needs (no public user-id salt), so a missing secret stops the job at submission
     * with the key and the fix instead of hashing user ids with a salt everyone knows.
     */
    static BeaconflowConfig loadConfig(String path, Function<String, String> env) {
        BeaconflowConfig config = BeaconflowConfig.load(Path.of(path), env);
        config.requireProductionSecrets(path);
        return config;
    }

    static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
