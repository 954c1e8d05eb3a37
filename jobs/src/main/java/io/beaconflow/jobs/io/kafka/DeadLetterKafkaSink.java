package io.beaconflow.jobs.io.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.KafkaConfig;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters and late events to Kafka topics: key = the record's deterministic id (so a compacted
 * topic keeps one copy per rejected record), value = the JSON dead letter, and headers {@code
 * reason} and {@code position} so consumers can route without parsing the body. At-least-once; with
 * the deterministic key a replay duplicates only until compaction.
 */
public final class DeadLetterKafkaSink {
    private DeadLetterKafkaSink() {}

    public static KafkaSink<DeadLetter> create(KafkaConfig config, String topic) {
        Properties props = new Properties();
        props.putAll(config.properties);
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(config.bootstrapServers)
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new Serializer(topic))
                .build();
    }

    static final class Serializer implements KafkaRecordSerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient ObjectMapper json;

        Serializer(String topic) {
            this.topic = topic;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
            json = Json.newOutputMapper();
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                DeadLetter d, KafkaSinkContext context, Long timestamp) {
            if (json == null) json = Json.newOutputMapper();
            byte[] value;
            try {
                value = json.writeValueAsBytes(d);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("dead letter not serializable: " + d, e);
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add("reason", d.reason.name().getBytes(StandardCharsets.UTF_8));
            if (d.position != null) {
                headers.add("position", d.position.getBytes(StandardCharsets.UTF_8));
            }
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    d.documentId().getBytes(StandardCharsets.UTF_8),
                    value,
                    headers);
        }
    }
}
