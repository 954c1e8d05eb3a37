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
import io.beaconflow.jobs.testing.KafkaClients;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.kafka.bootstrapServers = bootstrap();
        config.kafka.rawTopic = raw;
        config.kafka.groupId = "it-" + run;
        config.kafka.startFrom = "earliest";
        config.ingest.idleness = Duration.ofSeconds(1);
        KafkaClients.createTopics(
                config.kafka,
                new NewTopic(raw, 2, (short) 1),
                new NewTopic(dlq, 1, (short) 1),
                new NewTopic(late, 1, (short) 1));

        List<String> records = goodBatches("s", 20);
        int goodEvents = 2 * records.size();
        records.add("<html>502 Bad Gateway</html>");
        records.add(
                pageView("s-v2", T0)
                        .single()
                        .replace("\"schema_version\":1", "\"schema_version\":2"));
        KafkaClients.produce(config.kafka, raw, records);

        runIngest(config, dlq, late, "kafka-it-events-" + run, "kafka-ingest-itcase");

        assertThat(CollectingSink.<RumEvent>results("kafka-it-events-" + run)).hasSize(goodEvents);

        List<ConsumerRecord<byte[], byte[]>> dead =
                KafkaClients.consumeAll(config.kafka, dlq, 2, Duration.ofSeconds(30));
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

    /** {@code sessions} batches, each a page view and a click of its own session. */
    static List<String> goodBatches(String sessionPrefix, int sessions) {
        List<String> records = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String session = sessionPrefix + s;
            records.add(
                    batch(
                            T0.plusSeconds(s * 10L + 5),
                            T0.plusSeconds(s * 10L + 6),
                            pageView(session, T0.plusSeconds(s * 10L)),
                            click(session, T0.plusSeconds(s * 10L + 1), "#buy")));
        }
        return records;
    }

    /**
     * The production graph from the job's Kafka source (bounded at the latest offsets) into the
     * collecting sink {@code eventsName}, dead letters and late events into their Kafka topics.
     */
    static void runIngest(
            BeaconflowConfig config, String dlq, String late, String eventsName, String job)
            throws Exception {
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        BeaconflowPipeline.build(
                        env,
                        BeaconKafkaSource.create(
                                config.kafka, new BeaconDecoder(config.ingest), true),
                        "kafka",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named(eventsName))
                                .deadLetters(DeadLetterKafkaSink.create(config.kafka, dlq))
                                .lateEvents(DeadLetterKafkaSink.create(config.kafka, late)));
        env.execute(job);
    }
}
