package io.beaconflow.jobs.io.webhook;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The idempotency keys a writer subtask has already handed to the committer, oldest first, at most
 * {@code capacity} of them: the writer's checkpointed state. A notification whose key is here is an
 * upstream replay of a transition already on its way, and is dropped.
 *
 * <p>Bounded by count, not time: 10 000 keys (the default) cover days of alert transitions for a
 * normal deployment, and a replay reaches back only as far as the last checkpoint plus whatever the
 * alerting stage re-emits after a restore. An evicted key can be re-sent; the receiver's dedupe and
 * the optional delivery log cover that.
 */
public final class ReleasedKeys {
    private final int capacity;
    private final LinkedHashSet<String> keys = new LinkedHashSet<>();

    public ReleasedKeys(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0");
        this.capacity = capacity;
    }

    /**
     * Remembers {@code key}, evicting the oldest beyond capacity.
     *
     * @return false if the key was already known (a duplicate)
     */
    public boolean add(String key) {
        if (!keys.add(key)) return false;
        if (keys.size() > capacity) {
            Iterator<String> it = keys.iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    public int size() {
        return keys.size();
    }

    public List<String> toList() {
        return new ArrayList<>(keys);
    }

    public void addAll(Collection<String> more) {
        for (String k : more) add(k);
    }

    /** The state object: a plain list, oldest first. */
    public static final class State {
        public final List<String> keys;

        public State(List<String> keys) {
            this.keys = List.copyOf(keys);
        }
    }

    /** Version 1: count, then each key as length-prefixed UTF-8. */
    public static final class Serializer implements SimpleVersionedSerializer<State> {
        static final int VERSION = 1;

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(State state) throws IOException {
            return NotificationBatch.Serializer.writeList(
                    64 + 32 * state.keys.size(),
                    state.keys,
                    NotificationBatch.Serializer::writeString);
        }

        @Override
        public State deserialize(int version, byte[] bytes) throws IOException {
            return new State(
                    NotificationBatch.Serializer.readList(
                            "ReleasedKeys",
                            version,
                            VERSION,
                            bytes,
                            NotificationBatch.Serializer::readString));
        }
    }
}
