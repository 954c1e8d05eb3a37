package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.translate.SdkFixtures;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The collector of {@code ./beaconflow stack up} (scripts/stack.sh starts it after Kafka, with the
 * shipped {@code flink-conf/collector.yaml}; {@code stack env} prints {@code
 * BEACONFLOW_COLLECTOR_URL}): a captured Faro request posted to that URL, as the Faro SDK of the
 * shipped config's app sends it, is acknowledged and lands in the stack's {@code rum-raw}. The
 * request gets a session id of its own, so the record found is this run's even though other runs
 * write to the same topic.
 */
class StackCollectorITCase {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFaroRequestPostedToTheStacksCollectorLandsInRumRaw() throws Exception {
        String url = System.getenv("BEACONFLOW_COLLECTOR_URL");
        String bootstrap =
                System.getenv().getOrDefault("BEACONFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        assertThat(url)
                .as(
                        "BEACONFLOW_COLLECTOR_URL: run scripts/stack.sh up (it starts the"
                                + " collector), then eval \"$(scripts/stack.sh env)\"")
                .isNotBlank();
        HttpClient http = HttpClient.newHttpClient();
        int ready;
        try {
            ready =
                    http.send(
                                    HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode();
        } catch (java.net.ConnectException e) {
            ready = -1;
        }
        assertThat(ready)
                .as(
                        "the stack's collector at %s is ready: scripts/stack.sh up starts it (or"
                                + " scripts/stack.sh up collector)",
                        url)
                .isEqualTo(200);

        Captured faro = SdkFixtures.posts("faro").get(0);
        String original = faro.json().path("meta").path("session").path("id").asText();
        String session = "stack-" + UUID.randomUUID().toString().substring(0, 8);
        String body = faro.body().replace(original, session);

        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor("rum-raw")
                    .forEach(p -> parts.add(new TopicPartition("rum-raw", p.partition())));
            c.assign(parts);
            Map<TopicPartition, Long> start = c.endOffsets(parts);
            start.forEach(c::seek);

            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url + faro.path()))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .header("Content-Type", "application/json")
                                    .header("Origin", faro.header("origin"))
                                    .header("x-faro-session-id", session)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

            JsonNode found = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (found == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    JsonNode v = JSON.readTree(rec.value());
                    if (session.equals(v.path("events").path(0).path("session_id").asText())) {
                        found = v;
                    }
                }
            }
            assertThat(found).as("the posted request in rum-raw within 30 s").isNotNull();
            assertThat(found.path("events").size()).isPositive();
            for (JsonNode e : found.path("events")) {
                assertThat(e.path("app").asText()).isEqualTo("shop-web");
                assertThat(e.path("session_id").asText()).isEqualTo(session);
            }
            assertThat(found.path("received_at").asLong()).isPositive();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
