package io.beaconflow.jobs.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * {@link MapWriteBehindCache} against a model of what a map state must answer: thousands of random
 * calls of every {@code MapState} method over six keys, with a cache of two keys (evictions all the
 * time) on RocksDB, each answer compared with the model's; and after every flush the backend
 * itself, read directly, must hold exactly the model.
 */
class MapWriteBehindCacheTest {
    private static final MapStateDescriptor<Integer, String> STATE =
            new MapStateDescriptor<>("m", Types.INT, Types.STRING);

    private static final class Noop extends KeyedProcessFunction<String, String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {}
    }

    @Test
    void everyCallAnswersAsTheMapStateWouldAndEveryFlushLeavesTheBackendEqualToIt()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Noop()), (String s) -> s, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.open();
        var op = h.getOperator();
        var backend = op.<String>getKeyedStateBackend();
        MapState<Integer, String> plain =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, STATE);
        var cache = new MapWriteBehindCache<>(plain, op, 2);

        Map<String, Map<Integer, String>> model = new TreeMap<>();
        Random random = new Random(11);
        int flushes = 0;
        for (int step = 0; step < 20_000; step++) {
            String key = "k" + random.nextInt(6);
            op.setCurrentKey(key);
            Map<Integer, String> m = model.computeIfAbsent(key, k -> new HashMap<>());
            int uk = random.nextInt(8);
            String at = "step " + step + ", key " + key + ", entry " + uk;
            switch (random.nextInt(12)) {
                case 0, 1, 2 -> assertThat(cache.get(uk)).as(at).isEqualTo(m.get(uk));
                case 3 -> assertThat(cache.contains(uk)).as(at).isEqualTo(m.containsKey(uk));
                case 4, 5 -> {
                    String v = "v" + step;
                    cache.put(uk, v);
                    m.put(uk, v);
                }
                case 6 -> {
                    cache.remove(uk);
                    m.remove(uk);
                }
                case 7 -> {
                    Map<Integer, String> more = Map.of(uk, "a" + step, (uk + 1) % 8, "b" + step);
                    cache.putAll(more);
                    m.putAll(more);
                }
                case 8 -> {
                    // Iterate, removing some entries through the iterator and changing others
                    // through setValue, as a caller may.
                    Map<Integer, String> before = new HashMap<>(m);
                    Map<Integer, String> seen = new HashMap<>();
                    Iterator<Map.Entry<Integer, String>> it = cache.iterator();
                    while (it.hasNext()) {
                        Map.Entry<Integer, String> e = it.next();
                        seen.put(e.getKey(), e.getValue());
                        if (e.getKey() % 3 == step % 3) {
                            it.remove();
                            m.remove(e.getKey());
                        } else if (e.getKey() % 3 == (step + 1) % 3) {
                            e.setValue("s" + step);
                            m.put(e.getKey(), "s" + step);
                        }
                    }
                    assertThat(seen).as(at).isEqualTo(before);
                }
                case 9 -> {
                    assertThat(cache.isEmpty()).as(at).isEqualTo(m.isEmpty());
                    List<Integer> keys = new ArrayList<>();
                    cache.keys().forEach(keys::add);
                    assertThat(keys).as(at).containsExactlyInAnyOrderElementsOf(m.keySet());
                    List<String> values = new ArrayList<>();
                    cache.values().forEach(values::add);
                    assertThat(values).as(at).containsExactlyInAnyOrderElementsOf(m.values());
                    Map<Integer, String> entries = new HashMap<>();
                    cache.entries().forEach(e -> entries.put(e.getKey(), e.getValue()));
                    assertThat(entries).as(at).isEqualTo(m);
                }
                case 10 -> {
                    if (random.nextInt(10) == 0) {
                        cache.clear();
                        m.clear();
                    }
                }
                default -> {
                    if (random.nextInt(20) == 0) {
                        cache.flush();
                        flushes++;
                        assertThat(read(op, plain, model.keySet())).as(at).isEqualTo(model);
                        assertThat(op.getCurrentKey()).as("the key is restored").isEqualTo(key);
                    }
                }
            }
        }
        cache.flush();
        assertThat(read(op, plain, model.keySet())).isEqualTo(model);
        assertThat(flushes).isPositive();
        assertThat(cache.evictions()).as("a cache of 2 keys over 6").isPositive();
        assertThat(cache.size()).isLessThanOrEqualTo(2);
        h.close();
    }

    /** What the backend itself holds for each key, read past the cache. */
    private static Map<String, Map<Integer, String>> read(
            org.apache.flink.streaming.api.operators.AbstractStreamOperator<String> op,
            MapState<Integer, String> plain,
            Iterable<String> keys)
            throws Exception {
        Object current = op.getCurrentKey();
        Map<String, Map<Integer, String>> out = new TreeMap<>();
        for (String key : keys) {
            op.setCurrentKey(key);
            Map<Integer, String> m = new HashMap<>();
            for (Map.Entry<Integer, String> e : plain.entries()) m.put(e.getKey(), e.getValue());
            out.put(key, m);
        }
        op.setCurrentKey(current);
        return out;
    }
}
