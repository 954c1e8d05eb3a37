package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.RawBeacon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads the generator splits assigned to one subtask, merging them in collector-arrival order, and
 * decodes each {@link RawBeacon} with the {@link RawBeaconDecoder} inside the source so watermarks
 * are generated per split (each split has its own {@link SourceOutput}). Records carry {@code
 * receivedAt} as their timestamp, like Kafka record timestamps.
 *
 * <p>Pacing: with a speed factor &gt; 0 a record is released when the wall clock reaches {@code
 * anchorWall + (receivedAt - anchorSim) / speed}; before that the reader returns {@code
 * NOTHING_AVAILABLE} with an availability future that a single scheduler thread completes at the
 * due time, so the task thread never spins.
 */
final class GeneratorSourceReader<T> implements SourceReader<T, GeneratorSplit> {
    private final GeneratorConfig config;
    private final long seed;
    private final RawBeaconDecoder<T> decoder;
    private final PacingClock clock;
    private final GeneratorSource.Records records;
    private final double speed;
    private final List<Active> active = new ArrayList<>();
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private ScheduledExecutorService scheduler;
    private long anchorSim = Long.MIN_VALUE;
    private long anchorWallNanos;

    private final class Active {
        final GeneratorSplit split;
        final GeneratedRecords generator;
        SourceOutput<T> output;

        Active(GeneratorSplit split) {
            this.split = split;
            this.generator = records.open(config, seed, split);
            long skipped = generator.skip(split.position());
            if (skipped != split.position()) {
                throw new IllegalStateException(
                        split
                                + " restored past the end of its bounded run ("
                                + skipped
                                + " records exist); was the generator config changed?");
            }
        }
    }

    GeneratorSourceReader(
            GeneratorConfig config, long seed, RawBeaconDecoder<T> decoder, PacingClock clock) {
        this(config, seed, decoder, clock, GeneratorSource.Records.BEACONS);
    }

    GeneratorSourceReader(
            GeneratorConfig config,
            long seed,
            RawBeaconDecoder<T> decoder,
            PacingClock clock,
            GeneratorSource.Records records) {
        this.config = config;
        this.seed = seed;
        this.decoder = decoder;
        this.clock = clock;
        this.records = records;
        this.speed = config.speedFactor();
    }

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) {

        Active next = null;
        long nextTime = Long.MAX_VALUE;
        for (int i = 0; i < active.size(); i++) {
            Active a = active.get(i);
            if (!a.generator.hasNext()) {
                if (a.output != null) output.releaseOutputForSplit(a.split.splitId());
                active.remove(i--);
                continue;
            }
            long t = a.generator.peekReceivedAt();
            if (t < nextTime) {
                next = a;
                nextTime = t;
            }
        }
        if (next == null) {
            if (noMoreSplits) return InputStatus.END_OF_INPUT;
            resetAvailability();
            return InputStatus.NOTHING_AVAILABLE;
        }
        if (speed > 0) {
            long now = clock.nanoTime();
            if (anchorSim == Long.MIN_VALUE) {
                anchorSim = nextTime;
                anchorWallNanos = now;
            }
            long due = anchorWallNanos + (long) ((nextTime - anchorSim) * 1_000_000.0 / speed);
            if (due > now) {
                CompletableFuture<Void> f = resetAvailability();
                scheduler().schedule(() -> f.complete(null), due - now, TimeUnit.NANOSECONDS);
                return InputStatus.NOTHING_AVAILABLE;
            }
        }
        if (next.output == null) next.output = output.createOutputForSplit(next.split.splitId());
        RawBeacon raw = next.generator.next();
        SourceOutput<T> out = next.output;
        long timestamp = raw.receivedAt;
        decoder.decode(raw, record -> out.collect(record, timestamp));
        return InputStatus.MORE_AVAILABLE;
    }

    private CompletableFuture<Void> resetAvailability() {
        if (available.isDone()) available = new CompletableFuture<>();
        return available;
    }

    private ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "generator-pacing");
                                t.setDaemon(true);
                                return t;
                            });
        }
        return scheduler;
    }

    @Override
    public List<GeneratorSplit> snapshotState(long checkpointId) {
        List<GeneratorSplit> state = new ArrayList<>(active.size());
        for (Active a : active) state.add(a.split.at(a.generator.position()));
        return state;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<GeneratorSplit> splits) {
        for (GeneratorSplit s : splits) active.add(new Active(s));
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() {
        if (scheduler != null) scheduler.shutdownNow();
    }
}
