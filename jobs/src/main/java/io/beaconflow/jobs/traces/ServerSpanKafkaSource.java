package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.config.KafkaConfig;
import io.beaconflow.jobs.io.kafka.BeaconKafkaSource;
import io.beaconflow.jobs.model.RawBeacon;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
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
        return BeaconKafkaSource.source(
                config,
                config.serverSpansTopic,
                config.groupId + "-server-spans",
                new Deserializer(decoder),
                boundedAtLatest);
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
                            // The collector's arrival header first, as for beacons: generated
                            // traffic replays a past day, and with the broker's timestamp every
                            // generated span was "older than ingest.max-age" (5,668 dead letters
                            // in ShippedSetupITCase on the shipped config).
                            BeaconKafkaSource.trustedArrival(record)),
                    out::collect);
        }

        @Override
        public TypeInformation<ServerSpanRecord> getProducedType() {
            return TypeInformation.of(ServerSpanRecord.class);
        }
    }
}
