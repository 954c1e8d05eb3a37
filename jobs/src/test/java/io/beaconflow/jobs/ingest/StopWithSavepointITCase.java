package io.beaconflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.Beacons;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./beaconflow submit --stop-with-savepoint} while one source subtask is backpressured and
 * the other is not: the ordering that made SavepointResumeITCase fail now and then.
 *
 * <p>Why it failed: Flink stops each source subtask for a stop-with-savepoint by a mail in its task
 * thread, then takes the savepoint in a second mail. A subtask that can run its input loop in
 * between sees "source stopped", calls {@code endData} and reports its operators as finished in the
 * savepoint; a subtask whose output is full (backpressure) stays suspended, takes the savepoint
 * first and reports them as running. The checkpoint coordinator then finds a vertex where part of
 * the subtasks finished their operators and, if an operator of that vertex has union list state,
 * fails the savepoint with {@code PartialFinishingNotSupportedByStateException}. The router,
 * chained to the source, held its remembered watermark in union state. On a cluster this needs the
 * one-sided backpressure at the very moment of the stop; here it is forced: subtask 0 emits as fast
 * as it can into a stage that is held shut, subtask 1 has nothing to read.
 */
class StopWithSavepointITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    /** Held shut until both source subtasks have taken the savepoint. */
    static volatile CountDownLatch gate;

    /** Records the busy source subtask has emitted. */
    static final AtomicLong EMITTED = new AtomicLong();

    /** Source subtasks that took a snapshot (checkpointing is off: only the savepoint). */
    static final AtomicInteger SNAPSHOTS = new AtomicInteger();

    @TempDir Path savepoints;

    @Test
    void aStopWithSavepointSucceedsWhileOnlyOneSourceSubtaskIsBackpressured() throws Exception {
        gate = new CountDownLatch(1);
        EMITTED.set(0);
        SNAPSHOTS.set(0);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        IngestStage.Outputs ingest =
                IngestStage.apply(
                        IngestStage.source(
                                env, new OneBusySubtask(config.ingest), config.ingest, "one-busy"),
                        config.ingest);
        ingest.events()
                .map(new HeldShut())
                .name("held shut")
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        JobClient job = env.executeAsync("stop-with-savepoint-one-side-backpressured");
        try {
            // Subtask 0 is backpressured once it stops emitting: it emits as fast as it can
            // until every buffer between it and the held stage is full.
            await("the busy source subtask to be backpressured", this::emittingStopped);

            CompletableFuture<String> savepoint =
                    job.stopWithSavepoint(
                            false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL);
            await("both source subtasks to take the savepoint", () -> SNAPSHOTS.get() == 2);
            gate.countDown();

            String path = savepoint.get(2, TimeUnit.MINUTES);
            assertThat(Path.of(path.replaceFirst("^file:", "")).resolve("_metadata"))
                    .as("savepoint metadata")
                    .exists();
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        } finally {
            gate.countDown();
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private long lastSeen = -1;

    /** True once the busy subtask emitted nothing for a second. */
    private boolean emittingStopped() throws InterruptedException {
        long now = EMITTED.get();
        boolean stalled = now > 0 && now == lastSeen;
        lastSeen = now;
        if (!stalled) Thread.sleep(1_000);
        return stalled;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    /** Passes events on once {@link #gate} opens. */
    static final class HeldShut implements MapFunction<RumEvent, RumEvent> {
        @Override
        public RumEvent map(RumEvent e) throws Exception {
            gate.await();
            return e;
        }
    }

    /**
     * An unbounded source without splits: subtask 0 emits page-view beacons (decoded as the Kafka
     * source decodes them) as fast as it can, every other subtask has nothing to read and waits.
     */
    static final class OneBusySubtask implements Source<IngestRecord, NoSplit, Void> {
        private static final long serialVersionUID = 1L;
        private final IngestConfig config;

        OneBusySubtask(IngestConfig config) {
            this.config = config;
        }

        @Override
        public Boundedness getBoundedness() {
            return Boundedness.CONTINUOUS_UNBOUNDED;
        }

        @Override
        public SourceReader<IngestRecord, NoSplit> createReader(SourceReaderContext context) {
            return new Reader(context.getIndexOfSubtask() == 0, new BeaconDecoder(config));
        }

        @Override
        public SplitEnumerator<NoSplit, Void> createEnumerator(
                SplitEnumeratorContext<NoSplit> context) {
            return new NoEnumerator();
        }

        @Override
        public SplitEnumerator<NoSplit, Void> restoreEnumerator(
                SplitEnumeratorContext<NoSplit> context, Void checkpoint) {
            return new NoEnumerator();
        }

        @Override
        public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
            return new NothingSerializer<>();
        }

        @Override
        public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
            return new NothingSerializer<>();
        }
    }

    static final class NoSplit implements SourceSplit {
        @Override
        public String splitId() {
            return "none";
        }
    }

    static final class NothingSerializer<T> implements SimpleVersionedSerializer<T> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(T obj) {
            return new byte[0];
        }

        @Override
        public T deserialize(int version, byte[] serialized) {
            return null;
        }
    }

    static final class NoEnumerator implements SplitEnumerator<NoSplit, Void> {
        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<NoSplit> splits, int subtaskId) {}

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    static final class Reader implements SourceReader<IngestRecord, NoSplit> {
        private static final Instant T0 = Beacons.T0;
        private final boolean busy;
        private final BeaconDecoder decoder;
        private long n;

        Reader(boolean busy, BeaconDecoder decoder) {
            this.busy = busy;
            this.decoder = decoder;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<IngestRecord> output) {
            if (!busy) return InputStatus.NOTHING_AVAILABLE;
            Instant at = T0.plusMillis(n);
            String json =
                    Beacons.batch(at, at, Beacons.pageView("s-" + (n % 100), at).id("busy-" + n));
            decoder.decode(Beacons.raw(json, at), r -> output.collect(r, at.toEpochMilli()));
            n++;
            EMITTED.incrementAndGet();
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<NoSplit> snapshotState(long checkpointId) {
            SNAPSHOTS.incrementAndGet();
            return List.of();
        }

        /** The idle subtask never has data; Flink's stop completes its wait on its own. */
        @Override
        public CompletableFuture<Void> isAvailable() {
            return busy ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
        }

        @Override
        public void addSplits(List<NoSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }
}
