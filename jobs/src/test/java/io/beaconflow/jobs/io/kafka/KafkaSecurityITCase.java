package io.beaconflow.jobs.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.KafkaClients;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's Kafka source and dead-letter / late sinks against a real broker that accepts clients
 * only over SASL_SSL with SCRAM-SHA-512 ({@code scripts/stack.sh up kafka-secure}; where it is and
 * the credentials come from {@code scripts/stack.sh env}: {@code BEACONFLOW_KAFKA_SECURE_*}).
 * Security is configured exactly as a user would: plain Kafka client properties under {@code
 * kafka.properties} in a job config file, with the password and CA path as {@code ${ENV}}
 * references, read by {@link BeaconflowConfig#load}. The broker is shown to refuse a wrong password
 * and a plaintext client, so a pass is not a broker that accepts anyone.
 */
class KafkaSecurityITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final String BOOTSTRAP_ENV = "BEACONFLOW_KAFKA_SECURE_BOOTSTRAP";

    /** Security settings as in flink-conf/beaconflow.yaml's commented example. */
    static final String KAFKA_PROPERTIES =
            "  properties:\n"
                    + "    security.protocol: SASL_SSL\n"
                    + "    sasl.mechanism: SCRAM-SHA-512\n"
                    + "    sasl.jaas.config: 'org.apache.kafka.common.security.scram.ScramLoginModule"
                    + " required username=\"${BEACONFLOW_KAFKA_SECURE_USER}\""
                    + " password=\"${BEACONFLOW_KAFKA_SECURE_PASSWORD}\";'\n"
                    + "    ssl.truststore.type: PEM\n"
                    + "    ssl.truststore.location: ${BEACONFLOW_KAFKA_SECURE_CA_CERT}\n";

    @BeforeAll
    static void theSecureBrokerIsThere() {
        assertThat(System.getenv(BOOTSTRAP_ENV))
                .as(
                        BOOTSTRAP_ENV
                                + " is not set: run scripts/stack.sh up kafka-secure, then eval"
                                + " \"$(scripts/stack.sh env)\"")
                .isNotBlank();
    }

    @Test
    void theJobReadsAndWritesOverSaslSslWithSecretsFromTheEnvironment(@TempDir Path dir)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String raw = "it-secure-raw-" + run;
        String dlq = "it-secure-dlq-" + run;
        String late = "it-secure-late-" + run;
        Path file = dir.resolve("beaconflow.yaml");
        Files.writeString(
                file,
                "ingest:\n"
                        + "  idleness: 1s\n"
                        + "  privacy:\n"
                        + "    user-id-salt: kafka-security-itcase-salt\n"
                        + "kafka:\n"
                        + "  bootstrap-servers: ${"
                        + BOOTSTRAP_ENV
                        + "}\n"
                        + "  raw-topic: "
                        + raw
                        + "\n  group-id: it-secure-"
                        + run
                        + "\n  start-from: earliest\n"
                        + "  dead-letter-topic: "
                        + dlq
                        + "\n  late-topic: "
                        + late
                        + "\n"
                        + KAFKA_PROPERTIES
                        + "detection:\n  specs-file: "
                        + BeaconflowConfig.defaults().detection.specsFile
                        + "\n");
        BeaconflowConfig config = BeaconflowConfig.load(file);
        assertThat(config.kafka.properties.get("sasl.jaas.config"))
                .as("the password came from the environment")
                .contains("password=\"" + System.getenv("BEACONFLOW_KAFKA_SECURE_PASSWORD") + "\"");
        assertThat(config.kafka.redactedProperties().get("sasl.jaas.config")).isEqualTo("****");

        KafkaClients.createTopics(
                config.kafka,
                new NewTopic(raw, 2, (short) 1),
                new NewTopic(dlq, 1, (short) 1),
                new NewTopic(late, 1, (short) 1));
        List<String> records = KafkaIngestITCase.goodBatches("secure-s", 10);
        int goodEvents = 2 * records.size();
        records.add("not json at all");
        KafkaClients.produce(config.kafka, raw, records);

        String eventsName = "kafka-secure-it-events-" + run;
        KafkaIngestITCase.runIngest(
                config,
                config.kafka.deadLetterTopic,
                config.kafka.lateTopic,
                eventsName,
                "kafka-security-itcase");

        List<ConsumerRecord<byte[], byte[]>> dead =
                KafkaClients.consumeAll(config.kafka, dlq, 1, KafkaClients.TIMEOUT);
        long lateOnes = KafkaClients.recordCount(config.kafka, late);
        // Where the input went, if not to the events (one clean-clone run of ~30 read none of
        // them in 1.1 s): the dead letter shows whether the job read the topics at all, the late
        // topic whether the watermark ran ahead of a partition (ingest.idleness is 1 s here).
        String whereItWent =
                "events accepted; dead letters "
                        + dead.size()
                        + " (expected 1), late events "
                        + lateOnes
                        + " (expected 0)";
        assertThat(CollectingSink.<RumEvent>results(eventsName))
                .as(whereItWent)
                .hasSize(goodEvents);
        assertThat(lateOnes).as(whereItWent).isZero();
        assertThat(dead).as(whereItWent).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("reason").value(), UTF8))
                .isEqualTo("NOT_JSON");
        System.out.printf(
                "kafka security ITCase: %d events read and 1 dead letter written over SASL_SSL%n",
                goodEvents);
    }

    @Test
    void theBrokerRefusesAWrongPasswordAndAPlaintextClient() {
        Properties wrong = new Properties();
        wrong.putAll(securedClient(System.getenv("BEACONFLOW_KAFKA_SECURE_USER"), "not-it"));
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(90, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
        Properties plain = new Properties();
        plain.put("bootstrap.servers", System.getenv(BOOTSTRAP_ENV));
        plain.put("request.timeout.ms", "3000");
        plain.put("default.api.timeout.ms", "5000");
        try (Admin admin = Admin.create(plain)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .as("a plaintext client gets no metadata from a SASL_SSL listener")
                    .isNotNull();
        }
    }

    private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

    private static Properties securedClient(String user, String password) {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getenv(BOOTSTRAP_ENV));
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user
                        + "\" password=\""
                        + password
                        + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", System.getenv("BEACONFLOW_KAFKA_SECURE_CA_CERT"));
        // Long enough for TLS + SCRAM on a loaded machine: the call must end in the broker's
        // answer (authentication failed), not in a client timeout.
        p.put("request.timeout.ms", "30000");
        p.put("default.api.timeout.ms", "60000");
        return p;
    }
}
