package io.beaconflow.collector.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/** The collector's Prometheus metrics, served on {@code GET /metrics}. */
public final class CollectorMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** Requests answered, by format (faro, otlp, native, ops) and HTTP status. */
    public final Counter requests;

    /** Requests refused, by reason (the same code as the answer's "error" field). */
    public final Counter rejections;

    /** Contract events written to Kafka, by format. */
    public final Counter events;

    /** SDK items that were refused inside an accepted request (e.g. a span without session). */
    public final Counter itemsRejected;

    /** Records written, and records Kafka failed to acknowledge. */
    public final Counter records;

    public final Counter recordFailures;

    /** Time from send to Kafka's acknowledgement. */
    public final Histogram kafkaLatency;

    public final AtomicLong inFlightBytes = new AtomicLong();

    public CollectorMetrics() {
        requests =
                Counter.builder()
                        .name("beaconflow_collector_requests_total")
                        .help("HTTP requests answered, by format and status")
                        .labelNames("format", "status")
                        .register(registry);
        rejections =
                Counter.builder()
                        .name("beaconflow_collector_rejections_total")
                        .help("requests refused, by reason")
                        .labelNames("reason")
                        .register(registry);
        events =
                Counter.builder()
                        .name("beaconflow_collector_events_total")
                        .help("contract events written to Kafka, by format")
                        .labelNames("format")
                        .register(registry);
        itemsRejected =
                Counter.builder()
                        .name("beaconflow_collector_items_rejected_total")
                        .help("SDK items refused inside accepted requests, by format")
                        .labelNames("format")
                        .register(registry);
        records =
                Counter.builder()
                        .name("beaconflow_collector_kafka_records_total")
                        .help("records acknowledged by Kafka")
                        .register(registry);
        recordFailures =
                Counter.builder()
                        .name("beaconflow_collector_kafka_failures_total")
                        .help("records Kafka did not acknowledge (answered 503)")
                        .register(registry);
        kafkaLatency =
                Histogram.builder()
                        .name("beaconflow_collector_kafka_ack_seconds")
                        .help("time from send to Kafka acknowledgement")
                        .classicUpperBounds(
                                0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10)
                        .register(registry);
        registry.register(
                () ->
                        io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder()
                                .name("beaconflow_collector_in_flight_bytes")
                                .help("bytes of records waiting for Kafka's acknowledgement")
                                .dataPoint(
                                        io.prometheus.metrics.model.snapshots.GaugeSnapshot
                                                .GaugeDataPointSnapshot.builder()
                                                .value(inFlightBytes.get())
                                                .build())
                                .build());
    }

    public void rejected(String format, int status, String reason) {
        requests.labelValues(format, Integer.toString(status)).inc();
        rejections.labelValues(reason).inc();
    }

    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A counter's current value, for tests and the shutdown log. */
    public double value(Counter c, String... labels) {
        var snap = c.collect();
        for (var dp : snap.getDataPoints()) {
            boolean match = true;
            for (int i = 0; i < labels.length; i++) {
                if (!labels[i].equals(dp.getLabels().getValue(i))) match = false;
            }
            if (match) return dp.getValue();
        }
        return 0;
    }
}
