package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.io.kafka.BeaconKafkaSource;
import io.beaconflow.jobs.model.RawBeacon;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes {@link TrafficGenerator} beacons to a Kafka topic the way a collector would: the raw
 * payload as the record value, in arrival order. Used by {@link GeneratorToKafka} (the compose
 * stack's traffic service) and by the cluster ITCases, which need to know exactly what was sent.
 *
 * <p>Placement: generator split {@code i} goes to partition {@code i mod P}, so every partition is
 * in collector-arrival order (like a collector that keys by session) and, with one idempotent
 * producer writing a fresh topic, every record lands at the same partition and offset on every run.
 * That makes the job's outputs keyed by position (dead letters) reproducible.
 *
 * <p>Record timestamps are left to the producer (wall clock), not set to the simulated arrival
 * time: simulated instants weeks in the past or future would fall outside the broker's retention
 * and timestamp limits. The simulated arrival goes in the {@link
 * BeaconKafkaSource#RECEIVED_AT_HEADER} header instead, as a collector stamps its receive time; the
 * job trusts that, never the payload's {@code received_at} alone.
 *
 * <p>Pacing: with a speed factor &gt; 0, a record is sent when the pacing clock reaches {@code
 * firstWall + (receivedAt - firstReceivedAt) / speed}; 0 sends as fast as the broker accepts.
 */
public final class TrafficToKafka implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private final TrafficGenerator.Merged traffic;

    /** The backends' server spans, one per split; empty without a server-spans topic. */
    private final ServerSpanTraffic[] spans;

    private final String spansTopic;
    private final int spanPartitions;
    private volatile long spansSent;
    private final double speed;
    private final PacingClock clock;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long anchorWallNanos = Long.MIN_VALUE;
    private long anchorSimMillis;
    private volatile long sent;
    private volatile long lastReceivedAt = Long.MIN_VALUE;

    /**
     * @param producerConfig Kafka producer settings; at least {@code bootstrap.servers}.
     *     Idempotence and {@code acks=all} are forced so a retried send never writes a record
     *     twice.
     * @param speed simulated seconds per wall second; 0 = unpaced
     */
    public TrafficToKafka(
            Map<String, Object> producerConfig,
            String topic,
            GeneratorConfig config,
            long seed,
            double speed,
            PacingClock clock) {
        this(producerConfig, topic, null, config, seed, speed, clock);
    }

    /**
     * Also writes the SERVER spans of the config's backends ({@link ServerSpanTraffic}) to {@code
     * spansTopic} (null: none), as the collector writes OTLP spans: keyed by trace id, split {@code
     * i} to partition {@code i mod P}, interleaved with the beacons in arrival order.
     */
    public TrafficToKafka(
            Map<String, Object> producerConfig,
            String topic,
            String spansTopic,
            GeneratorConfig config,
            long seed,
            double speed,
            PacingClock clock) {
        Map<String, Object> props = new HashMap<>(producerConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        int p = producer.partitionsFor(topic).size();
        if (p < 1) {
            producer.close();
            throw new IllegalArgumentException("topic " + topic + " has no partitions");
        }
        this.partitions = p;
        this.spansTopic = spansTopic;
        this.spans = new ServerSpanTraffic[spansTopic == null ? 0 : config.splits];
        for (int i = 0; i < spans.length; i++) {
            spans[i] = new ServerSpanTraffic(config, seed, i, config.splits);
        }
        int sp = 0;
        if (spansTopic != null) {
            sp = producer.partitionsFor(spansTopic).size();
            if (sp < 1) {
                producer.close();
                throw new IllegalArgumentException("topic " + spansTopic + " has no partitions");
            }
        }
        this.spanPartitions = sp;
        this.traffic = TrafficGenerator.generateAll(config, seed, config.splits);
        this.speed = speed;
        this.clock = clock;
    }

    /**
     * Sends up to {@code maxRecords} more records (paced), then waits until the broker has
     * acknowledged every one of them.
     *
     * @return how many were sent; fewer than asked only when a bounded run ended
     * @throws IllegalStateException if the broker refused a record
     */
    public long send(long maxRecords) {
        long n = 0;
        while (n < maxRecords && (traffic.hasNext() || nextSpans() != null)) {
            ServerSpanTraffic s = nextSpans();
            if (s != null
                    && (!traffic.hasNext() || s.peekReceivedAt() < traffic.peekReceivedAt())) {
                RawBeacon span = s.next();
                pace(span.receivedAt);
                String traceId = traceId(span.payload);
                producer.send(
                        withArrival(
                                new ProducerRecord<>(
                                        spansTopic,
                                        span.partition % spanPartitions,
                                        null,
                                        traceId.getBytes(StandardCharsets.US_ASCII),
                                        span.payload),
                                span.receivedAt),
                        (metadata, e) -> {
                            if (e != null) failure.compareAndSet(null, e);
                        });
                n++;
                spansSent++;
                throwIfFailed();
                continue;
            }
            RawBeacon b = traffic.next();
            pace(b.receivedAt);
            producer.send(
                    withArrival(
                            new ProducerRecord<>(
                                    topic, b.partition % partitions, null, null, b.payload),
                            b.receivedAt),
                    (metadata, e) -> {
                        if (e != null) failure.compareAndSet(null, e);
                    });
            n++;
            sent++;
            lastReceivedAt = b.receivedAt;
            throwIfFailed();
        }
        producer.flush();
        throwIfFailed();
        return n;
    }

    /** The split whose next span arrives first, or null when no span is left. */
    private ServerSpanTraffic nextSpans() {
        ServerSpanTraffic best = null;
        for (ServerSpanTraffic s : spans) {
            if (s.hasNext() && (best == null || s.peekReceivedAt() < best.peekReceivedAt())) {
                best = s;
            }
        }
        return best;
    }

    /** The record key the collector uses for a span: its trace id (fixed offset in the JSON). */
    static String traceId(byte[] spanRecord) {
        String json = new String(spanRecord, StandardCharsets.UTF_8);
        int at = json.indexOf("\"trace_id\":\"") + 12;
        return json.substring(at, at + 32);
    }

    /** Stamps the (simulated) arrival time as the collector would; see the class comment. */
    public static <K, V> ProducerRecord<K, V> withArrival(ProducerRecord<K, V> r, long receivedAt) {
        r.headers()
                .add(
                        BeaconKafkaSource.RECEIVED_AT_HEADER,
                        Long.toString(receivedAt)
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return r;
    }

    /** Sends everything that is left; see {@link #send(long)}. */
    public long sendAll() {
        return send(Long.MAX_VALUE);
    }

    private void pace(long receivedAt) {
        if (speed <= 0) return;
        if (anchorWallNanos == Long.MIN_VALUE) {
            anchorWallNanos = clock.nanoTime();
            anchorSimMillis = receivedAt;
            return;
        }
        long due = anchorWallNanos + (long) ((receivedAt - anchorSimMillis) * 1_000_000.0 / speed);
        for (long wait = due - clock.nanoTime(); wait > 0; wait = due - clock.nanoTime()) {
            // Records due soon are batched by the producer anyway; flushing here keeps a paced
            // stream flowing instead of waiting for linger.ms on every gap.
            producer.flush();
            LockSupport.parkNanos(Math.min(wait, 50_000_000L));
        }
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("Kafka refused a record for " + topic + ": " + e, e);
        }
    }

    /** True when a bounded run has sent its last record. */
    public boolean finished() {
        return !traffic.hasNext() && nextSpans() == null;
    }

    /** Server-span records sent so far (readable from another thread); not in {@link #sent()}. */
    public long spansSent() {
        return spansSent;
    }

    /** Beacon records sent so far (readable from another thread). */
    public long sent() {
        return sent;
    }

    /** Simulated arrival time of the last record sent, or {@link Long#MIN_VALUE}. */
    public long lastReceivedAt() {
        return lastReceivedAt;
    }

    public int partitions() {
        return partitions;
    }

    /** Exact counts of what was generated so far (valid, duplicate, malformed, late, ...). */
    public GenerationStats stats() {
        return traffic.stats();
    }

    public List<IncidentTruth> incidents() {
        return traffic.incidents();
    }

    @Override
    public void close() {
        producer.close();
    }
}
