package io.beaconflow.jobs.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every record of a topic up to its end offsets at the time of reading (committed records only, so
 * an exactly-once sink's aborted transactions never count), grouped by key.
 */
final class TopicContent {
    /** One record: key, value and its {@code reason} header as text. */
    record Rec(String key, String value, String reason, int partition, long offset) {}

    final String topic;
    final List<Rec> records;
    final Map<String, List<Rec>> byKey;

    private TopicContent(String topic, List<Rec> records) {
        this.topic = topic;
        this.records = records;
        this.byKey =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        Rec::key, LinkedHashMap::new, Collectors.toList()));
    }

    /** Content given directly (unit tests of the comparisons). */
    static TopicContent of(String topic, List<Rec> records) {
        return new TopicContent(topic, records);
    }

    static TopicContent read(String bootstrap, String topic) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<Rec> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts =
                    consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Header reason = r.headers().lastHeader("reason");
                    out.add(
                            new Rec(
                                    r.key() == null
                                            ? null
                                            : new String(r.key(), StandardCharsets.UTF_8),
                                    new String(r.value(), StandardCharsets.UTF_8),
                                    reason == null
                                            ? null
                                            : new String(reason.value(), StandardCharsets.UTF_8),
                                    r.partition(),
                                    r.offset()));
                }
            }
        }
        return new TopicContent(topic, out);
    }

    private static boolean reachedEnd(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    long total() {
        return records.size();
    }

    long distinctKeys() {
        return byKey.size();
    }
}
