package io.beaconflow.jobs.evaluation;

import io.beaconflow.jobs.detection.RouteActivity;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What detection reads in one evaluation run, recorded so that the detection stage can be replayed
 * without generating, decoding and aggregating the traffic again ({@code ./beaconflow evaluate
 * --cache}). Three streams are recorded: the unscored metric rows, the per-route activity (page
 * views and rage clicks) and the error groups' new sessions per window. Generating and aggregating
 * two simulated days takes minutes; replaying the detection over its rows takes seconds, so
 * detector specs can be compared over many files and seeds.
 *
 * <p>Why replay is faithful: the detection operators are the production ones ({@link
 * io.beaconflow.jobs.pipeline.DetectionChain#fromActivity}), and the replayed stream keeps what
 * they depend on: each element's timestamp, and the watermark between windows. In the live graph
 * the window operators emit a window's rows while the watermark passes its end, so every row of
 * window W reaches detection after the watermark of window W-1's end and before the watermark of
 * W's end. The replay source emits, before the first row of each later window, the watermark just
 * under that row's timestamp; event-time timers (the empty-window checks, the CEP patterns) then
 * fire between the same rows as live. Late updates of a window (a second firing) are replayed after
 * the windows that were complete when they came, as the sink saw them.
 *
 * <p>Rows are written with Flink's own serializer for the type (exact round trip, no JSON
 * field-mapping questions) in a gzip stream; a file is complete only when renamed from its
 * temporary name at the end of a successful run.
 */
public final class DetectionRecording {
    private DetectionRecording() {}

    public static final String METRICS = "metrics.bin.gz";
    public static final String ACTIVITY = "activity.bin.gz";
    public static final String ERRORS = "errors.bin.gz";

    /** One recorded element: its timestamp, the order key it is replayed by, and the value. */
    public record Timed<T>(long timestamp, long order, boolean firstFiring, T value) {}

    public static <T> TypeSerializer<T> serializer(Class<T> type) {
        return TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    }

    /**
     * A parallelism-1 sink appending every element with its timestamp and the watermark it arrived
     * under to {@code <file>.tmp}; {@link #commit} renames it once the job has finished.
     */
    public static final class RecordingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final Class<T> type;

        public RecordingSink(Path file, Class<T> type) {
            this.file = file.toString();
            this.type = type;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
            if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
                throw new IllegalStateException("a recording sink runs at parallelism 1");
            }
            return new Writer<>(Path.of(file + ".tmp"), serializer(type));
        }
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final DataOutputStream out;
        private final DataOutputViewStreamWrapper view;
        private final TypeSerializer<T> serializer;

        Writer(Path tmp, TypeSerializer<T> serializer) throws IOException {
            Files.createDirectories(tmp.getParent());
            OutputStream raw = Files.newOutputStream(tmp);
            GZIPOutputStream gz =
                    new GZIPOutputStream(raw, 1 << 16) {
                        {
                            def.setLevel(Deflater.BEST_SPEED);
                        }
                    };
            this.out = new DataOutputStream(new BufferedOutputStream(gz, 1 << 16));
            this.view = new DataOutputViewStreamWrapper(out);
            this.serializer = serializer;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            Long ts = context.timestamp();
            out.writeLong(ts == null ? Long.MIN_VALUE : ts);
            out.writeLong(context.currentWatermark());
            serializer.serialize(element, view);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Makes the recorded files of a successful run visible. */
    public static void commit(Path dir) throws IOException {
        for (String name : List.of(METRICS, ACTIVITY, ERRORS)) {
            Path tmp = dir.resolve(name + ".tmp");
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * A folder of its own, next to {@code dir}, for a run that records what {@code dir} will hold.
     * Two runs recording the same file and seed into a shared cache once wrote the same temporary
     * files: both failed at the rename, and what they wrote was a mix of the two. {@link #publish}
     * moves it into place.
     */
    public static Path staging(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".recording-" + UUID.randomUUID());
    }

    /**
     * Commits the files in {@code staging} and renames the folder to {@code dir}. When another run
     * published {@code dir} first, this run's copy is dropped: runs are deterministic, so the two
     * recordings are the same. A {@code dir} left incomplete (an interrupted run of an older
     * version recorded in place) is replaced.
     */
    public static void publish(Path staging, Path dir) throws IOException {
        commit(staging);
        if (Files.isDirectory(dir) && !complete(dir)) {
            deleteTree(dir);
        }
        try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
            // rename(2) onto a folder with files fails (ENOTEMPTY, no subtype of its own)
            if (!complete(dir)) {
                throw e;
            }
            deleteTree(staging);
        }
    }

    /** Deletes {@code dir} and everything in it (nothing when it does not exist). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static boolean complete(Path dir) {
        return Files.isRegularFile(dir.resolve(METRICS))
                && Files.isRegularFile(dir.resolve(ACTIVITY))
                && Files.isRegularFile(dir.resolve(ERRORS));
    }

    /**
     * Reads a recording in replay order: first firings by timestamp (the window's end), a late
     * update after the windows complete when it came (its arrival watermark), ties by {@code
     * tieBreak} so that the order never depends on which parallel subtask came first.
     */
    public static <T> List<Timed<T>> read(
            Path file, Class<T> type, LateCheck<T> late, Comparator<T> tieBreak)
            throws IOException {
        TypeSerializer<T> serializer = serializer(type);
        List<Timed<T>> rows = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in =
                        new DataInputStream(
                                new BufferedInputStream(
                                        new GZIPInputStream(raw, 1 << 16), 1 << 16))) {
            DataInputViewStreamWrapper view = new DataInputViewStreamWrapper(in);
            while (true) {
                long ts;
                try {
                    ts = in.readLong();
                } catch (EOFException end) {
                    break;
                }
                long watermark = in.readLong();
                T value = serializer.deserialize(view);
                boolean first = !late.isLateUpdate(value);
                long order = first ? ts : Math.max(ts, watermark) + 1;
                rows.add(new Timed<>(ts, order, first, value));
            }
        }
        rows.sort(
                Comparator.<Timed<T>>comparingLong(Timed::order)
                        .thenComparing(t -> !t.firstFiring())
                        .thenComparing(Timed::value, tieBreak));
        return rows;
    }

    /** Whether a recorded element is a later firing of a window already emitted. */
    public interface LateCheck<T> {
        boolean isLateUpdate(T value);
    }

    public static List<Timed<MetricAggregate>> readMetrics(Path dir) throws IOException {
        return read(
                dir.resolve(METRICS),
                MetricAggregate.class,
                r -> r.updateSeq > 0,
                Comparator.comparing((MetricAggregate r) -> r.app)
                        .thenComparing(r -> r.dimension)
                        .thenComparing(r -> r.dimensionValue)
                        .thenComparingInt(r -> r.updateSeq));
    }

    public static List<Timed<RouteActivity>> readActivity(Path dir) throws IOException {
        return read(
                dir.resolve(ACTIVITY),
                RouteActivity.class,
                a -> false,
                Comparator.comparing((RouteActivity a) -> a.app).thenComparing(a -> a.route));
    }

    public static List<Timed<ErrorWindowCount>> readErrors(Path dir) throws IOException {
        return read(
                dir.resolve(ERRORS),
                ErrorWindowCount.class,
                c -> false,
                Comparator.comparing((ErrorWindowCount c) -> c.app)
                        .thenComparing(c -> c.fingerprint));
    }

    // ---- Replay ----

    /**
     * Rows being replayed, by run id. Replay runs on the embedded MiniCluster in this JVM, so the
     * source reads the rows from here instead of shipping hundreds of megabytes inside the job
     * graph; {@link #release} drops them when the run is over.
     */
    private static final Map<String, List<? extends Timed<?>>> REPLAYING =
            new ConcurrentHashMap<>();

    public static String hold(List<? extends Timed<?>> rows) {
        String id = UUID.randomUUID().toString();
        REPLAYING.put(id, rows);
        return id;
    }

    public static void release(String id) {
        REPLAYING.remove(id);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<Timed<T>> held(String id) {
        List<? extends Timed<?>> rows = REPLAYING.get(id);
        if (rows == null) {
            throw new IllegalStateException(
                    "replay rows " + id + " are not held: replay runs in the JVM that read them");
        }
        return (List<Timed<T>>) (List<?>) rows;
    }

    /**
     * The held rows as a stream at parallelism 1, with the live graph's timestamps and watermarks.
     */
    public static <T> DataStream<T> replay(
            StreamExecutionEnvironment env, String id, Class<T> type, String name) {
        int n = held(id).size();
        WatermarkStrategy<Long> strategy =
                WatermarkStrategy.<Long>forGenerator(c -> new LookAhead(id))
                        .withTimestampAssigner(
                                (i, ignored) -> held(id).get(i.intValue()).timestamp());
        return env.fromSource(new NumberSequenceSource(0, n - 1), strategy, "replay " + name)
                .setParallelism(1)
                .uid("replay-" + name)
                .map(i -> DetectionRecording.<T>held(id).get(i.intValue()).value())
                .returns(TypeInformation.of(type))
                .setParallelism(1)
                .name("replay: " + name);
    }

    /**
     * After element i, announces the watermark just under element i+1's timestamp when i+1 is the
     * first firing of a later window, so event-time timers fire between the rows they fired between
     * live.
     */
    private static final class LookAhead implements WatermarkGenerator<Long> {
        private final String id;
        private long emitted = Long.MIN_VALUE;

        LookAhead(String id) {
            this.id = id;
        }

        @Override
        public void onEvent(Long index, long timestamp, WatermarkOutput output) {
            List<Timed<Object>> rows = held(id);
            int next = index.intValue() + 1;
            if (next >= rows.size()) {
                return;
            }
            Timed<Object> t = rows.get(next);
            if (t.firstFiring() && t.timestamp() - 1 > emitted) {
                emitted = t.timestamp() - 1;
                output.emitWatermark(new Watermark(emitted));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }
}
