package io.beaconflow.jobs.io.kafka;

import io.beaconflow.jobs.config.KafkaConfig;
import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The raw-topic source. Records are decoded inside the source ({@link DecodingDeserializer}) so
 * that the watermark strategy sees decoded event time per partition.
 */
public final class BeaconKafkaSource {
    private BeaconKafkaSource() {}

    public static KafkaSource<IngestRecord> create(
            KafkaConfig config, RawBeaconDecoder<IngestRecord> decoder) {
        return create(config, decoder, false);
    }

    /**
     * With {@code boundedAtLatest}, the source stops at the offsets that are latest when the job
     * starts: for backfills and tests.
     */
    public static KafkaSource<IngestRecord> create(
            KafkaConfig config, RawBeaconDecoder<IngestRecord> decoder, boolean boundedAtLatest) {
        var builder =
                KafkaSource.<IngestRecord>builder()
                        .setBootstrapServers(config.bootstrapServers)
                        .setTopics(config.rawTopic)
                        .setGroupId(config.groupId)
                        .setStartingOffsets(startingOffsets(config))
                        .setDeserializer(new DecodingDeserializer(decoder))
                        .setProperty(
                                "partition.discovery.interval.ms",
                                String.valueOf(config.partitionDiscovery.toMillis()))
                        // Offsets are committed on checkpoints (consumer-group lag stays visible).
                        .setProperty("commit.offsets.on.checkpoint", "true");
        config.properties.forEach(builder::setProperty);
        if (boundedAtLatest) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    static OffsetsInitializer startingOffsets(KafkaConfig config) {
        String s = config.startFrom.toLowerCase(Locale.ROOT);
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
                                ? OffsetResetStrategy.LATEST
                                : OffsetResetStrategy.EARLIEST);
        }
    }

    /** Kafka record → {@link RawBeacon} (position, record timestamp) → decoder. */
    static final class DecodingDeserializer
            implements KafkaRecordDeserializationSchema<IngestRecord> {
        private static final long serialVersionUID = 1L;
        private final RawBeaconDecoder<IngestRecord> decoder;

        DecodingDeserializer(RawBeaconDecoder<IngestRecord> decoder) {
            this.decoder = decoder;
        }

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<IngestRecord> out) {
            RawBeacon raw =
                    new RawBeacon(
                            record.value(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp());
            decoder.decode(raw, out::collect);
        }

        @Override
        public TypeInformation<IngestRecord> getProducedType() {
            return TypeInformation.of(IngestRecord.class);
        }
    }
}
