package io.beaconflow.jobs.testing;

import static io.beaconflow.jobs.testing.WriteBehindVariants.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.WriteBehindVariants.Variant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * One write-behind operator as its harness tests drive it (deduplicator, session assembler, view
 * route assigner): how to open it in a {@link Variant}, the watermark lag it is fed with, how an
 * output record reads as a line, its named states and its cache. From these, the steps every such
 * test repeats (feed, read the output, run a whole input and check nothing is left) and the check
 * they all make that a snapshot restores either way ({@link #snapshotsRestoreEitherWay}) live here
 * once, so each operator is held to the same standard.
 *
 * @param operator the operator of a variant
 * @param key the operator's key
 * @param lag how far the watermark trails the largest event time fed (some events are late)
 * @param line an output record (its timestamp and value) as one line
 * @param cacheSize the number of keys in the operator's cache, or null if it has none
 * @param states the operator's keyed states, by name
 */
public record WriteBehindSubject<O>(
        Function<Variant, OneInputStreamOperator<RumEvent, O>> operator,
        KeySelector<RumEvent, String> key,
        long lag,
        BiFunction<Long, O, String> line,
        Function<StreamOperator<O>, LongSupplier> cacheSize,
        String... states) {

    /** What the keyed backend holds now, per key: an operator's own reading of its state. */
    @FunctionalInterface
    public interface StoredState<O> {
        TreeMap<String, String> of(
                KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h,
                Iterable<String> keys)
                throws Exception;
    }

    /** A harness on the operator of {@code v}, restored from {@code restoreFrom} if not null. */
    public KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> open(
            Variant v, OperatorSubtaskState restoreFrom) throws Exception {
        return WriteBehindVariants.open(v, operator.apply(v), key, restoreFrom);
    }

    /** Feeds events[from, to) with the watermark {@link #lag} behind; returns the largest time. */
    public long feed(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h,
            List<RumEvent> events,
            int from,
            int to,
            long maxSeen)
            throws Exception {
        return WriteBehindVariants.feedWithLag(h, events, from, to, maxSeen, lag);
    }

    /** Every output record as a {@link #line}, in output order. */
    public List<String> output(KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h) {
        return WriteBehindVariants.lines(h, line);
    }

    /** Keys with a value in any of the operator's states, summed. */
    public long stateKeys(KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h) {
        return WriteBehindVariants.keysWith(h, states);
    }

    /**
     * Advances the watermark to the end of time and checks that no state, timer or cached key is
     * left.
     */
    public void expireAllAndCheckNothingIsLeft(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h, Variant v)
            throws Exception {
        WriteBehindVariants.expireAllAndCheckNothingIsLeft(
                h, v, cacheSize.apply(h.getOperator()), states);
    }

    /** The output of the whole input in one run, checked to leave nothing behind. */
    public List<String> runWhole(Variant v, List<RumEvent> events) throws Exception {
        try (var h = open(v, null)) {
            feed(h, events, 0, events.size(), Long.MIN_VALUE);
            expireAllAndCheckNothingIsLeft(h, v);
            return output(h);
        }
    }

    /**
     * A snapshot taken with the cache holds the operator's state as the uncached one ({@code
     * plain}) holds it, and restores either way. Snapshots at half the input: the plain operator's
     * stored state must be the same on both backends (at least {@code minStoredKeys} keys, so the
     * comparison is not of two empty maps); for each cached variant the first half's output and
     * timers must be the plain operator's on the same backend, its snapshot must restore into the
     * plain operator as the same stored state, and cached → plain, plain → cached and cached →
     * cached (with a second snapshot at three quarters, and the run going on after it) must each
     * give the whole input's output and leave nothing behind. {@code comparable} is what of the
     * output must be equal: the lines themselves, or (where timers due at the same time may fire in
     * another order after a restore) the lines grouped per key.
     */
    public void snapshotsRestoreEitherWay(
            List<RumEvent> events,
            Function<Boolean, Variant> plain,
            List<Variant> cached,
            StoredState<O> stored,
            int minStoredKeys,
            Function<List<String>, ?> comparable)
            throws Exception {
        TreeSet<String> keys = WriteBehindVariants.keysOf(events, key);
        int half = events.size() / 2;
        int threeQuarters = events.size() * 3 / 4;
        Object expected = comparable.apply(runWhole(plain.apply(false), events));

        // The plain operator's state at the half, as a restore sees it, per backend (a checkpoint
        // restores only into the backend that took it).
        Map<Boolean, OperatorSubtaskState> plainSnapshots = new HashMap<>();
        Map<Boolean, Integer> plainTimers = new HashMap<>();
        Map<Boolean, List<String>> plainFirstHalf = new HashMap<>();
        long maxSeen = Long.MIN_VALUE;
        TreeMap<String, String> plainState = null;
        for (boolean rocksDb : new boolean[] {false, true}) {
            Variant p = plain.apply(rocksDb);
            try (var h = open(p, null)) {
                maxSeen = feed(h, events, 0, half, Long.MIN_VALUE);
                plainSnapshots.put(rocksDb, checkpoint(h, 1L));
                plainTimers.put(rocksDb, h.numEventTimeTimers());
                plainFirstHalf.put(rocksDb, output(h));
            }
            try (var h = open(p, plainSnapshots.get(rocksDb))) {
                TreeMap<String, String> state = stored.of(h, keys);
                if (plainState == null) plainState = state;
                assertThat(state).as("%s: stored state", p).isEqualTo(plainState);
            }
        }
        assertThat(plainState).hasSizeGreaterThanOrEqualTo(minStoredKeys);

        for (Variant v : cached) {
            Variant plainSameBackend = plain.apply(v.rocksDb());
            OperatorSubtaskState snapshot;
            List<String> firstHalf;
            try (var h = open(v, null)) {
                feed(h, events, 0, half, Long.MIN_VALUE);
                snapshot = checkpoint(h, 1L);
                firstHalf = output(h);
                assertThat(firstHalf)
                        .as("%s: first half", v)
                        .isEqualTo(plainFirstHalf.get(v.rocksDb()));
                assertThat(h.numEventTimeTimers())
                        .as("%s: timers", v)
                        .isEqualTo(plainTimers.get(v.rocksDb()));
            }
            // Cached snapshot → the plain operator: the same stored state, the same results.
            try (var h = open(plainSameBackend, snapshot)) {
                assertThat(stored.of(h, keys)).as("%s: restored state", v).isEqualTo(plainState);
                feed(h, events, half, events.size(), maxSeen);
                List<String> all = new ArrayList<>(firstHalf);
                expireAllAndCheckNothingIsLeft(h, plainSameBackend);
                all.addAll(output(h));
                assertThat(comparable.apply(all)).as("%s → plain", v).isEqualTo(expected);
            }
            // The plain operator's snapshot → the cached one (restored state in the backend only,
            // loaded when its key is next seen).
            try (var h = open(v, plainSnapshots.get(v.rocksDb()))) {
                feed(h, events, half, events.size(), maxSeen);
                List<String> all = new ArrayList<>(plainFirstHalf.get(v.rocksDb()));
                expireAllAndCheckNothingIsLeft(h, v);
                all.addAll(output(h));
                assertThat(comparable.apply(all)).as("plain → %s", v).isEqualTo(expected);
            }
            // Cached → cached, with a second snapshot after more events: the run goes on after it
            // (the cache stays right once written behind), and it restores.
            try (var h = open(v, snapshot)) {
                long m = feed(h, events, half, threeQuarters, maxSeen);
                OperatorSubtaskState second = checkpoint(h, 2L);
                List<String> upToSecond = new ArrayList<>(firstHalf);
                upToSecond.addAll(output(h));
                feed(h, events, threeQuarters, events.size(), m);
                List<String> all = new ArrayList<>(firstHalf);
                expireAllAndCheckNothingIsLeft(h, v);
                all.addAll(output(h));
                assertThat(comparable.apply(all)).as("%s → %s", v, v).isEqualTo(expected);
                try (var h2 = open(v, second)) {
                    feed(h2, events, threeQuarters, events.size(), m);
                    expireAllAndCheckNothingIsLeft(h2, v);
                    upToSecond.addAll(output(h2));
                }
                assertThat(comparable.apply(upToSecond))
                        .as("%s → %s → %s", v, v, v)
                        .isEqualTo(expected);
            }
        }
    }
}
