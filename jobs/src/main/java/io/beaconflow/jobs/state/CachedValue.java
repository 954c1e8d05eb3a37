package io.beaconflow.jobs.state;

import java.io.IOException;
import org.apache.flink.api.common.state.ValueState;

/**
 * A {@link WriteBehindCache} seen as the {@link ValueState} it stands in front of, so that a
 * function written against {@code ValueState} runs unchanged with or without the cache.
 */
public final class CachedValue<V> implements ValueState<V> {
    private final WriteBehindCache<?, V> cache;

    private CachedValue(WriteBehindCache<?, V> cache) {
        this.cache = cache;
    }

    public static <V> ValueState<V> of(WriteBehindCache<?, V> cache) {
        return new CachedValue<>(cache);
    }

    @Override
    public V value() throws IOException {
        return cache.value();
    }

    @Override
    public void update(V value) throws IOException {
        cache.update(value);
    }

    @Override
    public void clear() {
        cache.clear();
    }
}
