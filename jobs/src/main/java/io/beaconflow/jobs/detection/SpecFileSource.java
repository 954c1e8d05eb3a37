package io.beaconflow.jobs.detection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control stream of the embedded setup: watches one detector spec file and emits its content as
 * a {@link SpecUpdate} whenever it changes (polled every {@code interval}; the version is the
 * file's modification time, raised by one when the content changed within the same millisecond
 * tick). One split, read by one subtask; the last emitted version and content hash are in the
 * checkpoint, so a restore does not re-emit an unchanged file.
 *
 * <p>{@link #bounded} emits the file once and ends (tests, batch replays). The production control
 * stream is a compacted Kafka topic ({@link SpecKafkaSource}).
 */
public final class SpecFileSource implements Source<SpecUpdate, SpecFileSource.FileSplit, Boolean> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SpecFileSource.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final String path;
    private final long intervalMs;
    private final boolean bounded;

    private SpecFileSource(Path path, Duration interval, boolean bounded) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("poll interval must be > 0, got " + interval);
        }
        this.path = path.toString();
        this.intervalMs = interval.toMillis();
        this.bounded = bounded;
    }

    /** Watches {@code file} for changes, forever. */
    public static SpecFileSource watching(Path file, Duration interval) {
        return new SpecFileSource(file, interval, false);
    }

    /** Emits {@code file} once and ends. */
    public static SpecFileSource bounded(Path file) {
        return new SpecFileSource(file, DEFAULT_INTERVAL, true);
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    /** The single split: the file and what was last emitted from it. */
    public static final class FileSplit implements SourceSplit {
        final long lastVersion;
        final int lastHash;
        final boolean emitted;

        FileSplit(long lastVersion, int lastHash, boolean emitted) {
            this.lastVersion = lastVersion;
            this.lastHash = lastHash;
            this.emitted = emitted;
        }

        @Override
        public String splitId() {
            return "spec-file";
        }
    }

    @Override
    public SplitEnumerator<FileSplit, Boolean> createEnumerator(
            SplitEnumeratorContext<FileSplit> context) {
        return new Enumerator(context, false);
    }

    @Override
    public SplitEnumerator<FileSplit, Boolean> restoreEnumerator(
            SplitEnumeratorContext<FileSplit> context, Boolean assigned) {
        return new Enumerator(context, assigned);
    }

    @Override
    public SimpleVersionedSerializer<FileSplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
        return new EnumSerializer();
    }

    @Override
    public SourceReader<SpecUpdate, FileSplit> createReader(SourceReaderContext context) {
        return new Reader(Paths.get(path), intervalMs, bounded, context);
    }

    /** Hands the one split to the first reader that asks; takes it back on failure. */
    private static final class Enumerator implements SplitEnumerator<FileSplit, Boolean> {
        private final SplitEnumeratorContext<FileSplit> context;
        private boolean assigned;
        private final List<FileSplit> returned = new ArrayList<>();

        Enumerator(SplitEnumeratorContext<FileSplit> context, boolean assigned) {
            this.context = context;
            this.assigned = assigned;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<FileSplit> splits, int subtaskId) {
            returned.addAll(splits);
            assigned = false;
        }

        @Override
        public void addReader(int subtaskId) {
            if (!returned.isEmpty()) {
                context.assignSplit(returned.remove(0), subtaskId);
                assigned = true;
            } else if (!assigned) {
                context.assignSplit(new FileSplit(Long.MIN_VALUE, 0, false), subtaskId);
                assigned = true;
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Boolean snapshotState(long checkpointId) {
            return assigned;
        }

        @Override
        public void close() {}
    }

    /** Polls the file; availability is a timer future, so the task thread never sleeps. */
    private static final class Reader implements SourceReader<SpecUpdate, FileSplit> {
        private final Path file;
        private final long intervalMs;
        private final boolean bounded;
        private final SourceReaderContext context;
        private FileSplit split;
        private boolean noMoreSplits;
        private CompletableFuture<Void> available = CompletableFuture.completedFuture(null);

        Reader(Path file, long intervalMs, boolean bounded, SourceReaderContext context) {
            this.file = file;
            this.intervalMs = intervalMs;
            this.bounded = bounded;
            this.context = context;
        }

        @Override
        public void start() {
            context.sendSplitRequest();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<SpecUpdate> output) {
            if (split == null) {
                if (noMoreSplits) {
                    return InputStatus.END_OF_INPUT;
                }
                available = new CompletableFuture<>();
                return InputStatus.NOTHING_AVAILABLE;
            }
            if (bounded && split.emitted) {
                return finishedBounded();
            }
            try {
                long mtime = Files.getLastModifiedTime(file).toMillis();
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int hash = text.hashCode();
                if (!split.emitted || hash != split.lastHash) {
                    long version =
                            split.emitted && mtime <= split.lastVersion
                                    ? split.lastVersion + 1
                                    : mtime;
                    split = new FileSplit(version, hash, true);
                    output.collect(new SpecUpdate(file.toString(), text, version));
                }
            } catch (IOException e) {
                LOG.warn(
                        "cannot read detector specs {}: {}; keeping the active spec",
                        file,
                        e.toString());
            }
            if (bounded && split.emitted) {
                return finishedBounded();
            }
            available =
                    CompletableFuture.runAsync(
                            () -> {},
                            CompletableFuture.delayedExecutor(intervalMs, TimeUnit.MILLISECONDS));
            return InputStatus.NOTHING_AVAILABLE;
        }

        /**
         * A bounded reader ends only after the enumerator's "no more splits": ending earlier races
         * with that event, which then reaches a finished task and fails the job over.
         */
        private InputStatus finishedBounded() {
            if (noMoreSplits) {
                return InputStatus.END_OF_INPUT;
            }
            available = new CompletableFuture<>();
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<FileSplit> snapshotState(long checkpointId) {
            return split == null ? Collections.emptyList() : List.of(split);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<FileSplit> splits) {
            split = splits.get(0);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() {}
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<FileSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(FileSplit s) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(s.lastVersion);
                out.writeInt(s.lastHash);
                out.writeBoolean(s.emitted);
            }
            return bytes.toByteArray();
        }

        @Override
        public FileSplit deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new FileSplit(in.readLong(), in.readInt(), in.readBoolean());
            }
        }
    }

    private static final class EnumSerializer implements SimpleVersionedSerializer<Boolean> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Boolean assigned) {
            return new byte[] {(byte) (assigned ? 1 : 0)};
        }

        @Override
        public Boolean deserialize(int version, byte[] serialized) {
            return serialized.length > 0 && serialized[0] == 1;
        }
    }
}
