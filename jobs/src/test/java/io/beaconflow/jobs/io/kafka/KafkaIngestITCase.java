package io.beaconflow.jobs.io.kafka;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.Beacons.batch;
import static io.beaconflow.jobs.testing.Beacons.click;
import static io.beaconflow.jobs.testing.Beacons.pageView;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Against a real Kafka broker (started by {@code scripts/stack.sh up kafka}; address from {@code
 * BEACONFLOW_KAFKA_BOOTSTRAP}): beacons produced to a fresh raw topic are decoded by the job's
 * Kafka source, and poison records land in the dead-letter topic with their reason as a header.
 */
class KafkaIngestITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static String bootstrap() {
        String b = System.getenv("BEACONFLOW_KAFKA_BOOTSTRAP");
        return b == null || b.isBlank() ? "127.0.0.1:9092" : b;
    }

    @Test
    void poisonRecordsLandInTheDeadLetterTopicWithTheirReasonAndGoodEventsPass() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String raw = "it-raw-" + run;
        String dlq = "it-dlq-" + run;
        String late = "it-late-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(raw, 2, (short) 1),
                                    new NewTopic(dlq, 1, (short) 1),
                                    new NewTopic(late, 1, (short) 1)))
                    .all()
                    .get();
        }

        List<String> records = new ArrayList<>();
        int goodEvents = 0;
        for (int s = 0; s < 20; s++) {
            String session = "s" + s;
            records.add(
                    batch(
                            T0.plusSeconds(s * 10L + 5),
                            T0.plusSeconds(s * 10L + 6),
                            pageView(session, T0.plusSeconds(s * 10L)),
                            click(session, T0.plusSeconds(s * 10L + 1), "#buy")));
            goodEvents += 2;
        }
        records.add("<html>502 Bad Gateway</html>");
        records.add(
                pageView("s-v2", T0)
                        .single()
                        .replace("\"schema_version\":1", "\"schema_version\":2"));
        produce(raw, records);

        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.kafka.bootstrapServers = bootstrap();
        config.kafka.rawTopic = raw;
        config.kafka.groupId = "it-" + run;
        config.kafka.startFrom = "earliest";
        config.ingest.idleness = Duration.ofSeconds(1);

        StreamExecutionEnvironment env = MiniClusters.environment(2);
        CollectingSink<RumEvent> events = CollectingSink.named("kafka-it-events-" + run);
        BeaconflowPipeline.build(
                        env,
                        BeaconKafkaSource.create(
                                config.kafka, new BeaconDecoder(config.ingest), true),
                        "kafka",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(events)
                                .deadLetters(DeadLetterKafkaSink.create(config.kafka, dlq))
                                .lateEvents(DeadLetterKafkaSink.create(config.kafka, late)));
        env.execute("kafka-ingest-itcase");

        assertThat(CollectingSink.<RumEvent>results("kafka-it-events-" + run)).hasSize(goodEvents);

        List<ConsumerRecord<byte[], byte[]>> dead = consumeAll(dlq, 2);
        assertThat(dead).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String header =
                    new String(r.headers().lastHeader("reason").value(), StandardCharsets.UTF_8);
            JsonNode body = json.readTree(r.value());
            assertThat(body.path("reason").asText()).isEqualTo(header);
            assertThat(body.path("position").asText()).startsWith(raw + "/");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).startsWith(raw + "-");
            reasons.add(header);
        }
        System.out.printf(
                "kafka ITCase: %d events accepted (expected %d), dead letters %s%n",
                goodEvents, goodEvents, reasons);
        assertThat(reasons).containsExactlyInAnyOrder("NOT_JSON", "UNKNOWN_SCHEMA_VERSION");
    }

    static void produce(String topic, List<String> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            int i = 0;
            for (String r : records) {
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        i++ % 2,
                                        T0.toEpochMilli(),
                                        null,
                                        r.getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Poll until the expected records arrived, then once more to catch any extra copies.
            int extraPolls = 0;
            while (System.nanoTime() < deadline && extraPolls < 2) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
                if (out.size() >= expected) extraPolls++;
            }
        }
        return out;
    }
}
