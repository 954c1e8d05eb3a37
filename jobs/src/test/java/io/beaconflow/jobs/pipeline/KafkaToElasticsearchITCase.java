package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.BeaconflowJob;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.PacingClock;
import io.beaconflow.jobs.generator.TrafficToKafka;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production wiring end to end against real servers ({@code scripts/stack.sh up kafka es}):
 * generator beacons produced to a fresh Kafka topic come out of the job as session, metric and
 * alert documents in Elasticsearch, one per deterministic id, each equal to the job's final version
 * of that record. Prints the sustained events/s from Kafka to Elasticsearch.
 */
class KafkaToElasticsearchITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Test
    void eventsFromKafkaLandAsSessionMetricAndAlertDocumentsOncePerId() throws Exception {
        String bootstrap = env("BEACONFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        String esUrl = env("BEACONFLOW_ES_URL", "http://127.0.0.1:9200");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "it-e2e-" + run;
        String prefix = "it-" + run + "-";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        }
        GeneratorConfig gen = ShippedGenerator.withDemoIncidents("2h");
        long records;
        try (TrafficToKafka producer =
                new TrafficToKafka(
                        Map.of("bootstrap.servers", bootstrap),
                        topic,
                        gen,
                        5,
                        0,
                        PacingClock.system())) {
            records = producer.sendAll();
        }

        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.kafka.bootstrapServers = bootstrap;
        config.kafka.rawTopic = topic;
        config.kafka.groupId = "it-e2e-" + run;
        config.kafka.startFrom = "earliest";
        ElasticsearchSinkConfig es =
                ElasticsearchSinkConfig.parse("hosts: " + esUrl + "\n", "test");

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        flink.setParallelism(2);
        flink.enableCheckpointing(10_000);
        BeaconflowPipeline pipeline = BeaconflowJob.fromKafka(flink, config, true);
        pipeline.sinkTo(
                new BeaconflowPipeline.Sinks()
                        .sessions(ElasticsearchOutputs.sessions(es, prefix))
                        .metrics(ElasticsearchOutputs.metrics(es, prefix))
                        .alerts(ElasticsearchOutputs.alerts(es, prefix)));
        // The reference: every version the job emitted, collected next to the real sinks.
        pipeline.sessions().sinkTo(CollectingSink.named("e2e-sessions-" + run));
        pipeline.metrics().sinkTo(CollectingSink.named("e2e-metrics-" + run));
        pipeline.alerts().sinkTo(CollectingSink.named("e2e-alerts-" + run));
        JobExecutionResult result = flink.execute("kafka-to-elasticsearch-itcase");
        long events = (Long) result.getAllAccumulatorResults().get("events-accepted");
        double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;

        Map<String, SessionRecord> sessions =
                finals(
                        CollectingSink.results("e2e-sessions-" + run),
                        s -> s.sessionKey,
                        s -> s.updateSeq);
        Map<String, ScoredAggregate> metrics =
                finals(CollectingSink.results("e2e-metrics-" + run), m -> m.id, m -> m.updateSeq);
        Map<String, Alert> alerts =
                finals(
                        CollectingSink.results("e2e-alerts-" + run),
                        a -> a.alertId,
                        a -> a.updateSeq);

        HttpClient http = HttpClient.newHttpClient();
        refresh(http, esUrl, prefix + "*");
        long sessionDocs = count(http, esUrl, prefix + "rum-sessions-*");
        long metricDocs = count(http, esUrl, prefix + "rum-metrics-*");
        long alertDocs = count(http, esUrl, prefix + "rum-alerts");
        System.out.printf(
                "kafka→elasticsearch: %d records, %d events in %.1f s = %.0f events/s;"
                        + " sessions %d docs (expected %d), metrics %d (expected %d), alerts %d"
                        + " (expected %d)%n",
                records,
                events,
                seconds,
                events / seconds,
                sessionDocs,
                sessions.size(),
                metricDocs,
                metrics.size(),
                alertDocs,
                alerts.size());
        assertThat(sessionDocs).isEqualTo(sessions.size());
        assertThat(metricDocs).isEqualTo(metrics.size());
        assertThat(alertDocs).isEqualTo(alerts.size());
        assertThat(alerts).as("the demo incidents raise alerts").isNotEmpty();

        // Per document: what Elasticsearch holds is the job's final version of that id.
        ObjectMapper json = new ObjectMapper();
        for (SessionRecord s : sessions.values().stream().limit(300).toList()) {
            JsonNode doc =
                    source(
                            http,
                            json,
                            esUrl,
                            prefix + "rum-sessions-*",
                            "session_key",
                            s.sessionKey);
            assertThat(doc.path("events").asInt()).isEqualTo(s.events);
            assertThat(doc.path("closed").asBoolean()).isEqualTo(s.closed);
            assertThat(doc.path("update_seq").asInt()).isEqualTo(s.updateSeq);
        }
        for (Alert a : alerts.values()) {
            JsonNode doc = source(http, json, esUrl, prefix + "rum-alerts", "alert_id", a.alertId);
            assertThat(doc.path("state").asText()).isEqualTo(a.state);
            assertThat(doc.path("update_seq").asInt()).isEqualTo(a.updateSeq);
        }
        for (ScoredAggregate m : metrics.values().stream().limit(300).toList()) {
            JsonNode doc = source(http, json, esUrl, prefix + "rum-metrics-*", "id", m.id);
            assertThat(doc.path("events").asDouble()).isEqualTo(m.events);
            assertThat(doc.path("update_seq").asInt()).isEqualTo(m.updateSeq);
        }
        delete(
                http,
                esUrl,
                prefix + "rum-sessions-*," + prefix + "rum-metrics-*," + prefix + "rum-alerts");
    }

    /** The highest version of each id: what a sink that overwrites by id ends up holding. */
    static <T> Map<String, T> finals(
            List<T> versions, Function<T, String> id, Function<T, Integer> seq) {
        Map<String, T> out = new HashMap<>();
        for (T v : versions) {
            out.merge(id.apply(v), v, (a, b) -> seq.apply(a) >= seq.apply(b) ? a : b);
        }
        return out;
    }

    static void refresh(HttpClient http, String url, String index) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(url + "/" + index + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static long count(HttpClient http, String url, String index) throws Exception {
        String body =
                http.send(
                                HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        return new ObjectMapper().readTree(body).path("count").asLong(-1);
    }

    static JsonNode source(
            HttpClient http, ObjectMapper json, String url, String index, String field, String id)
            throws Exception {
        String query =
                json.writeValueAsString(
                        Map.of("query", Map.of("term", Map.of(field + ".keyword", id))));
        // Indices without our templates map strings as text + keyword: search the keyword.
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url + "/" + index + "/_search"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(query))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode hits = json.readTree(r.body()).path("hits").path("hits");
        assertThat(hits.size()).as("one document for %s=%s", field, id).isEqualTo(1);
        return hits.get(0).path("_source");
    }

    static void delete(HttpClient http, String url, String indices) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(url + "/" + indices)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
