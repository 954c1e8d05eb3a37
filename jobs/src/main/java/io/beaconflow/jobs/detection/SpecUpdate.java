package io.beaconflow.jobs.detection;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One version of the detector spec file on the control stream: where it came from, its YAML text,
 * and a version that only grows (file modification time, Kafka record timestamp; 0 for the file
 * read at job start). The detector operator keeps the newest valid one in broadcast state.
 *
 * <p>A Flink POJO.
 */
public class SpecUpdate implements Serializable {
    private static final long serialVersionUID = 1L;

    /** File path or {@code topic/partition@offset}; named in every rejection. */
    public String source;

    /** The full spec file text (a new version replaces the old one as a whole). */
    public String yaml;

    /** Monotonic version; an update older than the active spec is rejected as stale. */
    public long version;

    public SpecUpdate() {}

    public SpecUpdate(String source, String yaml, long version) {
        this.source = source;
        this.yaml = yaml;
        this.version = version;
    }

    /** The file as it is now, with version 0: the spec the job starts with. */
    public static SpecUpdate readFile(Path file) {
        try {
            return new SpecUpdate(file.toString(), Files.readString(file), 0L);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read detector specs " + file, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecUpdate u
                && version == u.version
                && Objects.equals(source, u.source)
                && Objects.equals(yaml, u.yaml);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, yaml, version);
    }

    @Override
    public String toString() {
        return "SpecUpdate{" + source + " v" + version + "}";
    }
}
