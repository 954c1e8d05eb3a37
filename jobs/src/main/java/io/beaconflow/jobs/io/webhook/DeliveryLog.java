package io.beaconflow.jobs.io.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * What was delivered, kept outside Flink's state so it survives the one case Flink's state cannot
 * cover: a notification delivered after checkpoint N completed, then a failure before checkpoint
 * N+1. The restore re-commits N's committables (Flink cannot know the POST happened); the committer
 * asks this log first and skips what it finds.
 *
 * <p>{@link #none()} keeps nothing (at-least-once, receivers dedupe on the idempotency key). {@link
 * #onFileSystem} writes an empty marker file per delivered notification under {@code <dir>/<event
 * day, UTC>/<sha-256 of the key>}: any Flink file system (local for a single machine, S3/HDFS for a
 * cluster), a write per notification (notifications are few). Day directories older than the
 * retention, measured in event time from the newest notification seen, are deleted. The remaining
 * window is a failure between the receiver's 2xx and the marker write: milliseconds instead of a
 * checkpoint interval.
 */
public interface DeliveryLog extends AutoCloseable {
    boolean wasDelivered(Notification n) throws IOException;

    void markDelivered(Notification n) throws IOException;

    @Override
    default void close() {}

    static DeliveryLog none() {
        return new DeliveryLog() {
            @Override
            public boolean wasDelivered(Notification n) {
                return false;
            }

            @Override
            public void markDelivered(Notification n) {}
        };
    }

    static DeliveryLog onFileSystem(String dir, Duration retention) throws IOException {
        return new FileSystemLog(new Path(dir), retention);
    }

    /** Marker files per event day; see {@link DeliveryLog}. */
    final class FileSystemLog implements DeliveryLog {
        private final Path root;
        private final FileSystem fs;
        private final long retentionDays;
        private final Set<String> createdDays = new HashSet<>();
        private LocalDate newestDay;

        FileSystemLog(Path root, Duration retention) throws IOException {
            this.root = root;
            this.fs = root.getFileSystem();
            this.retentionDays = Math.max(1, retention.toDays());
            // The marker is written between the receiver's 2xx and the next notification: the
            // one window in which a failure re-sends. Creating the root and loading the digest
            // now keeps first-use costs (class loading, a cold file system) out of that window.
            fs.mkdirs(root);
            hash("");
        }

        @Override
        public boolean wasDelivered(Notification n) throws IOException {
            return fs.exists(markerOf(n));
        }

        @Override
        public void markDelivered(Notification n) throws IOException {
            LocalDate day = dayOf(n);
            String dayName = day.toString();
            Path dayDir = new Path(root, dayName);
            if (createdDays.add(dayName)) {
                fs.mkdirs(dayDir);
            }
            fs.create(new Path(dayDir, hash(n.idempotencyKey)), FileSystem.WriteMode.OVERWRITE)
                    .close();
            if (newestDay == null || day.isAfter(newestDay)) {
                newestDay = day;
                deleteOlderThan(day.minusDays(retentionDays));
            }
        }

        private void deleteOlderThan(LocalDate cutoff) throws IOException {
            FileStatus[] days = fs.listStatus(root);
            if (days == null) return;
            for (FileStatus s : days) {
                String name = s.getPath().getName();
                try {
                    if (s.isDir() && LocalDate.parse(name).isBefore(cutoff)) {
                        fs.delete(s.getPath(), true);
                        createdDays.remove(name);
                    }
                } catch (DateTimeParseException e) {
                    // Not one of ours: leave it alone.
                }
            }
        }

        private Path markerOf(Notification n) {
            return new Path(new Path(root, dayOf(n).toString()), hash(n.idempotencyKey));
        }

        private static LocalDate dayOf(Notification n) {
            return LocalDate.ofInstant(Instant.ofEpochMilli(n.eventTime), ZoneOffset.UTC);
        }

        /** A file-name-safe, fixed-length name for any key. */
        static String hash(String key) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }
    }
}
