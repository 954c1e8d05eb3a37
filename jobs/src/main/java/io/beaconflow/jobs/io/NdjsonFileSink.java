package io.beaconflow.jobs.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * Writes records as NDJSON to {@code <dir>/<name>.ndjson} (parallelism 1) or {@code
 * <dir>/<name>-<subtask>.ndjson}: the embedded default's output, readable with {@code jq} or
 * pandas. Flushed on every checkpoint and at end of input. The production outputs are Kafka and
 * Elasticsearch; this sink appends, so a replay after a failure repeats lines.
 */
public class NdjsonFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final String dir;
    private final String name;

    public NdjsonFileSink(Path dir, String name) {
        this.dir = dir.toString();
        this.name = name;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        String file = parallelism == 1 ? name + ".ndjson" : name + "-" + subtask + ".ndjson";
        Path path = Paths.get(dir).resolve(file);
        Files.createDirectories(path.getParent());
        Counter written = context.metricGroup().counter("recordsWritten");
        return new Writer<>(path, written);
    }

    static final class Writer<T> implements SinkWriter<T> {
        private final OutputStream out;
        private final ObjectMapper json = Json.newOutputMapper();
        private final Counter written;

        Writer(Path path, Counter written) throws IOException {
            this.out =
                    new BufferedOutputStream(
                            Files.newOutputStream(
                                    path,
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.TRUNCATE_EXISTING,
                                    StandardOpenOption.WRITE),
                            1 << 16);
            this.written = written;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            out.write(json.writeValueAsBytes(element));
            out.write('\n');
            written.inc();
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
}
