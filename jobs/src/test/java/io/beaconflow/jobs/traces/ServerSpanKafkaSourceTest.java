package io.beaconflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.io.kafka.BeaconKafkaSource;
import io.beaconflow.jobs.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The server-span topic's records are timed like the beacons: by the collector's arrival header
 * when present, else the record timestamp. With the broker's timestamp only, every span that
 * `./beaconflow generate` wrote for a past simulated day was a dead letter ("older than
 * ingest.max-age"): 5,668 of them in ShippedSetupITCase on the shipped config.
 */
class ServerSpanKafkaSourceTest {
    /** The broker's clock: a month after the span's (simulated) day. */
    private static final long WALL = ServerSpanDecoderTest.RECEIVED + 30L * 86_400_000L;

    private static List<ServerSpanRecord> read(String header) {
        RecordHeaders headers = new RecordHeaders();
        if (header != null) {
            headers.add(
                    BeaconKafkaSource.RECEIVED_AT_HEADER,
                    header.getBytes(StandardCharsets.US_ASCII));
        }
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        "rum-server-spans",
                        2,
                        41,
                        WALL,
                        TimestampType.CREATE_TIME,
                        0,
                        0,
                        null,
                        ServerSpanDecoderTest.GOOD.getBytes(StandardCharsets.UTF_8),
                        headers,
                        Optional.empty());
        List<ServerSpanRecord> out = new ArrayList<>();
        new ServerSpanKafkaSource.Deserializer(new ServerSpanDecoder(new IngestConfig()))
                .deserialize(
                        record,
                        new Collector<>() {
                            @Override
                            public void collect(ServerSpanRecord r) {
                                out.add(r);
                            }

                            @Override
                            public void close() {}
                        });
        assertThat(out).hasSize(1);
        return out;
    }

    @Test
    void theCollectorsArrivalHeaderTimesTheSpan() {
        ServerSpanRecord r = read(Long.toString(ServerSpanDecoderTest.RECEIVED)).get(0);
        assertThat(r.deadLetter).isNull();
        assertThat(r.span.receivedAt).isEqualTo(ServerSpanDecoderTest.RECEIVED);
    }

    @Test
    void withoutTheHeaderTheRecordTimestampTimesItAndAMonthOldSpanIsRejected() {
        ServerSpanRecord r = read(null).get(0);
        assertThat(r.span).isNull();
        assertThat(r.deadLetter.reason).isEqualTo(RejectReason.TIMESTAMP_TOO_OLD);
    }

    @Test
    void anUnreadableHeaderIsNotSilentlyReplacedByTheBrokersClock() {
        ServerSpanRecord r = read("12a").get(0);
        assertThat(r.span).isNull();
    }
}
