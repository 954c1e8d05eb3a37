package io.beaconflow.jobs.io.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The committable: the notifications one writer subtask received between two checkpoints, in
 * arrival order. Flink stores it in the committer's checkpointed state until {@code commit}
 * delivers it, which is what makes a crash before delivery replay it exactly once.
 */
public final class NotificationBatch {
    public final List<Notification> notifications;

    public NotificationBatch(List<Notification> notifications) {
        this.notifications = List.copyOf(notifications);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationBatch
                && notifications.equals(((NotificationBatch) o).notifications);
    }

    @Override
    public int hashCode() {
        return notifications.hashCode();
    }

    @Override
    public String toString() {
        return "NotificationBatch" + notifications;
    }

    /**
     * Version 1: count, then per notification its strings (nullable, length-prefixed UTF-8, so
     * texts over 64 KiB survive), event time and fields in order.
     */
    public static final class Serializer implements SimpleVersionedSerializer<NotificationBatch> {
        static final int VERSION = 1;

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(NotificationBatch batch) throws IOException {
            return writeList(256, batch.notifications, Serializer::write);
        }

        @Override
        public NotificationBatch deserialize(int version, byte[] bytes) throws IOException {
            return new NotificationBatch(
                    readList("NotificationBatch", version, VERSION, bytes, Serializer::read));
        }

        /** Writes one item of a list. */
        interface ItemWriter<T> {
            void write(DataOutputView out, T item) throws IOException;
        }

        /** Reads one item of a list. */
        interface ItemReader<T> {
            T read(DataInputView in) throws IOException;
        }

        /**
         * The count, then each item: the layout of both webhook states (notification batches and
         * {@link ReleasedKeys}).
         */
        static <T> byte[] writeList(int initialSize, Collection<T> items, ItemWriter<T> writer)
                throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(initialSize);
            out.writeInt(items.size());
            for (T item : items) {
                writer.write(out, item);
            }
            return out.getCopyOfBuffer();
        }

        /**
         * Reads what {@link #writeList} wrote, after checking that {@code version} is this build's
         * ({@code current}); {@code what} names the state in the error.
         */
        static <T> List<T> readList(
                String what, int version, int current, byte[] bytes, ItemReader<T> reader)
                throws IOException {
            if (version != current) {
                throw new IOException(
                        "unknown "
                                + what
                                + " version "
                                + version
                                + " (this build: "
                                + current
                                + ")");
            }
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int count = in.readInt();
            List<T> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                list.add(reader.read(in));
            }
            return list;
        }

        static void write(DataOutputView out, Notification n) throws IOException {
            writeString(out, n.idempotencyKey);
            writeString(out, n.event);
            writeString(out, n.title);
            writeString(out, n.text);
            writeString(out, n.severity);
            writeString(out, n.link);
            out.writeLong(n.eventTime);
            Map<String, String> fields = n.fields == null ? Map.of() : n.fields;
            out.writeInt(fields.size());
            for (Map.Entry<String, String> e : fields.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        }

        static Notification read(DataInputView in) throws IOException {
            Notification n = new Notification();
            n.idempotencyKey = readString(in);
            n.event = readString(in);
            n.title = readString(in);
            n.text = readString(in);
            n.severity = readString(in);
            n.link = readString(in);
            n.eventTime = in.readLong();
            int count = in.readInt();
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                fields.put(readString(in), readString(in));
            }
            n.fields = fields;
            return n;
        }

        static void writeString(DataOutputView out, String s) throws IOException {
            if (s == null) {
                out.writeInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        static String readString(DataInputView in) throws IOException {
            int len = in.readInt();
            if (len < 0) return null;
            byte[] b = new byte[len];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
