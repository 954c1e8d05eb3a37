package io.beaconflow.jobs.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that collects into a named in-JVM list, for MiniCluster tests with several outputs
 * ({@code executeAndCollect} handles only one). Use a fresh name per test.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String name;

    private CollectingSink(String name) {
        this.name = name;
    }

    public static <T> CollectingSink<T> named(String name) {
        RESULTS.put(name, Collections.synchronizedList(new ArrayList<>()));
        return new CollectingSink<>(name);
    }

    @SuppressWarnings("unchecked")
    public static <T> List<T> results(String name) {
        List<Object> r = RESULTS.get(name);
        synchronized (r) {
            return (List<T>) new ArrayList<>(r);
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RESULTS.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
