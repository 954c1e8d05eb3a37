package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops repeated event ids (SDK retries, double sends) within a bounded event-time span.
 *
 * <p>Keyed by app and event id. The first copy passes and registers an event-time timer at its
 * event time + {@code ttl}; copies before that timer are dropped and counted ({@code
 * duplicatesDropped}); the timer clears the state. Flink's state TTL is processing-time only, so
 * the expiry is an event-time timer: replays give the same result.
 *
 * <p>Knob: {@code ingest.dedup-ttl}. A retry arriving after it passes through as a new event.
 */
public class Deduplicator extends KeyedProcessFunction<String, RumEvent, RumEvent> {
    private static final long serialVersionUID = 1L;

    private final long ttlMs;
    private transient ValueState<Long> expiresAt;
    private transient Counter duplicates;
    private transient LongCounter duplicatesTotal;

    /** Accumulator with the number of dropped duplicates. */
    public static final String ACC_DUPLICATES = "duplicates-dropped";

    public Deduplicator(Duration ttl) {
        this.ttlMs = ttl.toMillis();
    }

    /** The dedup key: app and event id. */
    public static KeySelector<RumEvent, String> key() {
        return e -> e.app + '\u0000' + e.eventId;
    }

    @Override
    public void open(OpenContext openContext) {
        expiresAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("dedup-expires-at", Types.LONG));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
        duplicatesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_DUPLICATES, duplicatesTotal);
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) throws Exception {
        if (expiresAt.value() != null) {
            duplicates.inc();
            duplicatesTotal.add(1);
            return;
        }
        long expiry = e.eventTime + ttlMs;
        expiresAt.update(expiry);
        ctx.timerService().registerEventTimeTimer(expiry);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RumEvent> out)
            throws Exception {
        expiresAt.clear();
    }
}
