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
import org.apache.kafka.common.header.Header;

/**
 * The raw-topic source. Records are decoded inside the source ({@link DecodingDeserializer}) so
 * that the watermark strategy sees decoded event time per partition.
 */
public final class BeaconKafkaSource {
    private BeaconKafkaSource() {}

    /**
     * Header in which a collector may stamp its receive time (epoch millis as decimal ASCII). When
     * present it is the record's trusted arrival time; else the Kafka record timestamp is. Only
     * producers allowed to write the raw topic (the collector, our generator) can set either:
     * browsers reach Kafka only through the collector, so neither is a client field. The generator
     * uses the header to replay simulated days while the record timestamp stays the wall clock
     * (broker retention and {@code message.timestamp.*} limits act on that one).
     */
    public static final String RECEIVED_AT_HEADER = "received-at";

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
        return source(
                config,
                config.rawTopic,
                config.groupId,
                new DecodingDeserializer(decoder),
                boundedAtLatest);
    }

    /**
     * A source on {@code topic} with the job's Kafka settings: bootstrap servers, start position
     * ({@code kafka.start-from}), partition discovery, offsets committed on checkpoints, the client
     * {@code kafka.properties}; decoding in the source. The server-span source reads its own topic
     * through this too, so both topics are read the same way.
     */
    public static <T> KafkaSource<T> source(
            KafkaConfig config,
            String topic,
            String groupId,
            KafkaRecordDeserializationSchema<T> deserializer,
            boolean boundedAtLatest) {
        var builder =
                KafkaSource.<T>builder()
                        .setBootstrapServers(config.bootstrapServers)
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(startingOffsets(config))
                        .setDeserializer(deserializer)
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
    /**
     * When the collector received a record: its arrival header, else the record timestamp (see
     * {@link DecodingDeserializer#trustedArrival}). The server-span source reads the same header.
     */
    public static long trustedArrival(ConsumerRecord<byte[], byte[]> record) {
        return DecodingDeserializer.trustedArrival(record);
    }

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
                            trustedArrival(record));
            decoder.decode(raw, out::collect);
        }

        /**
         * The collector's header when present, else the record timestamp. A header that is not
         * epoch millis gives -1, which the decoder rejects ({@code INVALID_VALUE}): a collector bug
         * must show, not silently fall back to another clock.
         */
        static long trustedArrival(ConsumerRecord<byte[], byte[]> record) {
            Header h = record.headers().lastHeader(RECEIVED_AT_HEADER);
            if (h == null) {
                return record.timestamp();
            }
            byte[] v = h.value();
            if (v == null || v.length == 0 || v.length > 18) {
                return -1;
            }
            long t = 0;
            for (byte b : v) {
                if (b < '0' || b > '9') {
                    return -1;
                }
                t = t * 10 + (b - '0');
            }
            return t;
        }

        @Override
        public TypeInformation<IngestRecord> getProducedType() {
            return TypeInformation.of(IngestRecord.class);
        }
    }
}
