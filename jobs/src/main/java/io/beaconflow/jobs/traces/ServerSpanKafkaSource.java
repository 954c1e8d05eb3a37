package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.config.KafkaConfig;
import io.beaconflow.jobs.model.RawBeacon;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The server-spans topic ({@code kafka.server-spans-topic}) as a source, decoding in the source
 * ({@link ServerSpanDecoder}) like the raw topic. Same group id with a {@code -server-spans} suffix
 * and the same start position and client properties as the raw topic.
 */
public final class ServerSpanKafkaSource {
    private ServerSpanKafkaSource() {}

    public static KafkaSource<ServerSpanRecord> create(
            KafkaConfig config, ServerSpanDecoder decoder, boolean boundedAtLatest) {
        var builder =
                KafkaSource.<ServerSpanRecord>builder()
                        .setBootstrapServers(config.bootstrapServers)
                        .setTopics(config.serverSpansTopic)
                        .setGroupId(config.groupId + "-server-spans")
                        .setStartingOffsets(startingOffsets(config))
                        .setDeserializer(new Deserializer(decoder))
                        .setProperty(
                                "partition.discovery.interval.ms",
                                String.valueOf(config.partitionDiscovery.toMillis()))
                        .setProperty("commit.offsets.on.checkpoint", "true");
        config.properties.forEach(builder::setProperty);
        if (boundedAtLatest) builder.setBounded(OffsetsInitializer.latest());
        return builder.build();
    }

    private static OffsetsInitializer startingOffsets(KafkaConfig config) {
        String s = config.startFrom.toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("timestamp:")) {
            return OffsetsInitializer.timestamp(Long.parseLong(s.substring(10)));
        }
        switch (s) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(
                        "latest".equalsIgnoreCase(config.resetTo)
                                ? org.apache.kafka.clients.consumer.OffsetResetStrategy.LATEST
                                : org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST);
        }
    }

    static final class Deserializer implements KafkaRecordDeserializationSchema<ServerSpanRecord> {
        private static final long serialVersionUID = 1L;
        private final ServerSpanDecoder decoder;

        Deserializer(ServerSpanDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<ServerSpanRecord> out) {
            decoder.decode(
                    new RawBeacon(
                            record.value(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp()),
                    out::collect);
        }

        @Override
        public TypeInformation<ServerSpanRecord> getProducedType() {
            return TypeInformation.of(ServerSpanRecord.class);
        }
    }
}
