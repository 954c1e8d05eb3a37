package io.beaconflow.jobs.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.generator.TrafficToKafka;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The trusted arrival of a raw Kafka record: the collector's header, else the record timestamp. */
class TrustedArrivalTest {
    private static final long WALL = 1_796_000_000_000L;

    private static ConsumerRecord<byte[], byte[]> record(long timestamp, String header) {
        RecordHeaders headers = new RecordHeaders();
        if (header != null) {
            headers.add(
                    BeaconKafkaSource.RECEIVED_AT_HEADER,
                    header.getBytes(StandardCharsets.US_ASCII));
        }
        return new ConsumerRecord<>(
                "rum-raw",
                0,
                7,
                timestamp,
                TimestampType.CREATE_TIME,
                0,
                0,
                null,
                new byte[0],
                headers,
                Optional.empty());
    }

    @Test
    void withoutTheHeaderTheRecordTimestampIsTrusted() {
        assertThat(BeaconKafkaSource.DecodingDeserializer.trustedArrival(record(WALL, null)))
                .isEqualTo(WALL);
    }

    @Test
    void theCollectorsHeaderWinsOverTheRecordTimestamp() {
        assertThat(
                        BeaconKafkaSource.DecodingDeserializer.trustedArrival(
                                record(WALL, "1793606400000")))
                .isEqualTo(1_793_606_400_000L);
    }

    @Test
    void anUnreadableHeaderGivesNoArrivalSoTheDecoderRejectsTheRecord() {
        for (String bad : new String[] {"", "-5", "12a", "1e12", "99999999999999999999"}) {
            assertThat(BeaconKafkaSource.DecodingDeserializer.trustedArrival(record(WALL, bad)))
                    .as(bad)
                    .isEqualTo(-1);
        }
    }

    @Test
    void theGeneratorStampsItsSimulatedArrivalAsTheHeader() {
        ProducerRecord<byte[], byte[]> r =
                TrafficToKafka.withArrival(
                        new ProducerRecord<>("rum-raw", 0, null, null, new byte[0]),
                        1_793_606_400_123L);
        assertThat(
                        new String(
                                r.headers()
                                        .lastHeader(BeaconKafkaSource.RECEIVED_AT_HEADER)
                                        .value(),
                                StandardCharsets.US_ASCII))
                .isEqualTo("1793606400123");
    }
}
