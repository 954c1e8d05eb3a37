package io.beaconflow.jobs.testing;

import static io.beaconflow.jobs.testing.Beacons.T0;

import io.beaconflow.jobs.config.KafkaConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients for the ITCases against a real broker (plain or SASL_SSL): configured as the
 * job's own clients are, from {@code kafka.bootstrap-servers} plus {@code kafka.properties}, but
 * independent of the code under test, so a test writes its input and reads the job's output with
 * them. Every wait is bounded by {@link #TIMEOUT}.
 */
public final class KafkaClients {
    private KafkaClients() {}

    /** Long enough for TLS + SCRAM on a loaded machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What the job's clients get: bootstrap servers plus the config file's properties. */
    public static Properties of(KafkaConfig kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers);
        p.putAll(kafka.properties);
        return p;
    }

    public static void createTopics(KafkaConfig kafka, NewTopic... topics) throws Exception {
        try (Admin admin = Admin.create(of(kafka))) {
            admin.createTopics(List.of(topics)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * How many records {@code topic} holds (end minus start offsets over its partitions): an exact
     * count that does not wait for a consumer group, for topics expected to stay empty.
     */
    public static long recordCount(KafkaConfig kafka, String topic) throws Exception {
        try (Admin admin = Admin.create(of(kafka))) {
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartitionInfo p :
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }
            return offsetSum(admin, latest) - offsetSum(admin, earliest);
        }
    }

    private static long offsetSum(Admin admin, Map<TopicPartition, OffsetSpec> specs)
            throws Exception {
        long sum = 0;
        for (var o :
                admin.listOffsets(specs)
                        .all()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        .values()) {
            sum += o.offset();
        }
        return sum;
    }

    /**
     * Writes {@code records} (UTF-8) to {@code topic}, alternating partitions 0 and 1, stamped
     * {@link Beacons#T0}, each acknowledged by all replicas before the next.
     */
    public static void produce(KafkaConfig kafka, String topic, List<String> records)
            throws Exception {
        Properties p = of(kafka);
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
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Every record of {@code topic} from the start, in a fresh group: polled until {@code expected}
     * arrived (or {@code within} passed), then twice more to catch any extra copies.
     */
    public static List<ConsumerRecord<byte[], byte[]>> consumeAll(
            KafkaConfig kafka, String topic, int expected, Duration within) {
        Properties p = of(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + within.toNanos();
            int extraPolls = 0;
            while (System.nanoTime() < deadline && extraPolls < 2) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
                if (out.size() >= expected) extraPolls++;
            }
        }
        return out;
    }
}
