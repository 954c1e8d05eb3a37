package io.beaconflow.collector.browser;

import io.beaconflow.collector.testing.Stack;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * What the collector wrote to the test's topic, decoded with the job's own decoder, read by a
 * background consumer: the browser test waits on it ("the beacon of this click is stored") instead
 * of sleeping. A record the decoder refuses is kept as a failure for the test to report.
 */
final class KafkaEvents implements AutoCloseable {
    private final List<RumEvent> events = new ArrayList<>();
    private final List<String> deadLetters = new ArrayList<>();
    private final Thread reader;
    private long records;
    private volatile boolean stop;

    KafkaEvents(String topic) {
        BeaconDecoder decoder = new BeaconDecoder(new IngestConfig());
        reader =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> c =
                                    Stack.consumer("it-browser-watch")) {
                                c.subscribe(List.of(topic));
                                while (!stop) {
                                    for (ConsumerRecord<byte[], byte[]> r :
                                            c.poll(Duration.ofMillis(100))) {
                                        List<IngestRecord> out = new ArrayList<>();
                                        decoder.decode(
                                                new RawBeacon(
                                                        r.value(),
                                                        topic,
                                                        r.partition(),
                                                        r.offset(),
                                                        r.timestamp()),
                                                out::add);
                                        synchronized (this) {
                                            records++;
                                            for (IngestRecord d : out) {
                                                if (d.deadLetter != null) {
                                                    deadLetters.add(String.valueOf(d.deadLetter));
                                                } else {
                                                    events.add(d.event);
                                                }
                                            }
                                            notifyAll();
                                        }
                                    }
                                }
                            }
                        },
                        "kafka-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until the events read so far satisfy {@code done}; fails after {@code timeout}. */
    synchronized void await(String what, Predicate<List<RumEvent>> done, Duration timeout)
            throws InterruptedException {
        awaitOrFail(
                () -> done.test(events),
                timeout,
                () ->
                        "Kafka did not get "
                                + what
                                + "; it has "
                                + summary()
                                + (deadLetters.isEmpty() ? "" : "; dead letters " + deadLetters));
    }

    /** Waits until {@code expected} Kafka records have been read, then returns their events. */
    synchronized List<RumEvent> awaitRecords(long expected, Duration timeout)
            throws InterruptedException {
        awaitOrFail(
                () -> records >= expected,
                timeout,
                () -> "read " + records + " of " + expected + " Kafka records");
        return new ArrayList<>(events);
    }

    /**
     * Waits on this monitor (the reader notifies it per record) until {@code done}; fails with
     * "within N s " + {@code missing} after {@code timeout}, and whenever the job's decoder refused
     * a record.
     */
    private synchronized void awaitOrFail(
            BooleanSupplier done, Duration timeout, Supplier<String> missing)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("within " + timeout.toSeconds() + " s " + missing.get());
            }
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        if (!deadLetters.isEmpty()) {
            throw new AssertionError("the job's decoder refused collector records: " + deadLetters);
        }
    }

    synchronized List<RumEvent> snapshot() {
        return new ArrayList<>(events);
    }

    /** Event counts by app / session / type, for failure messages. */
    synchronized Map<String, Long> summary() {
        Map<String, Long> out = new TreeMap<>();
        for (RumEvent e : events)
            out.merge(e.app + "/" + e.sessionId + "/" + e.type, 1L, Long::sum);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        reader.join(10_000);
    }
}
