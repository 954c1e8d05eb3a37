package io.beaconflow.jobs.detection;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The production control stream: a compacted Kafka topic whose record value is the whole detector
 * spec file (key: any constant, e.g. {@code detectors}, so compaction keeps only the newest). Read
 * from the earliest offset, so a fresh job sees the newest spec; the version is the record
 * timestamp, so a replay of an older record after a restore is rejected as stale, never applied. A
 * tombstone (null value) is ignored: deleting the spec does not disable detection.
 */
public final class SpecKafkaSource {
    private SpecKafkaSource() {}

    public static KafkaSource<SpecUpdate> create(
            String bootstrapServers, String topic, String groupId, Map<String, String> properties) {
        var builder =
                KafkaSource.<SpecUpdate>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new SpecRecordDeserializer());
        properties.forEach(builder::setProperty);
        return builder.build();
    }

    /** Value = YAML text; source = topic/partition@offset; version = record timestamp. */
    static final class SpecRecordDeserializer
            implements KafkaRecordDeserializationSchema<SpecUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SpecUpdate> out) {
            if (record.value() == null) {
                return;
            }
            out.collect(
                    new SpecUpdate(
                            record.topic() + "/" + record.partition() + "@" + record.offset(),
                            new String(record.value(), StandardCharsets.UTF_8),
                            record.timestamp()));
        }

        @Override
        public TypeInformation<SpecUpdate> getProducedType() {
            return TypeInformation.of(SpecUpdate.class);
        }
    }
}
