package io.beaconflow.collector.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The stack's Kafka as the collector's ITCases use it ({@code scripts/stack.sh up kafka}; {@code
 * BEACONFLOW_KAFKA_BOOTSTRAP}): fresh topics per test, created and deleted here, and read back with
 * a plain consumer (independent of the code under test). Elasticsearch is the jobs module's {@code
 * io.beaconflow.jobs.testing.ElasticsearchIndices}.
 */
public final class Stack {
    private Stack() {}

    /** The bootstrap servers of the stack's plain listener. */
    public static final String KAFKA = env("BEACONFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092");

    /** The environment variable {@code name}, or {@code fallback} when it is unset or blank. */
    public static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * Creates {@code topics}, each with {@code partitions} partitions (one broker: replication 1).
     */
    public static void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(
                            java.util.Arrays.stream(topics)
                                    .map(t -> new NewTopic(t, partitions, (short) 1))
                                    .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    public static void deleteTopics(String... topics) throws Exception {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Records in {@code topic}: the sum of its {@code partitions} partitions' latest offsets. */
    public static long records(String topic, int partitions) throws Exception {
        long records = 0;
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++)
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            for (var o : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
                records += o.offset();
            }
        }
        return records;
    }

    /**
     * A consumer of raw records from the earliest offset, in a group of its own ({@code
     * <group>-<random>}), so every test reads its topic whole.
     */
    public static KafkaConsumer<byte[], byte[]> consumer(String group) {
        return consumer(group, new Properties());
    }

    /** {@link #consumer(String)} with {@code extra} settings (e.g. the isolation level). */
    public static KafkaConsumer<byte[], byte[]> consumer(String group, Properties extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(extra);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA));
    }
}
