/*
 * A tiny Flink job that proves the local stack's cluster runs user code end to end. Not part of
 * the Maven build: scripts/smoke.sh compiles it against $BEACONFLOW_HOME/lib/flink with javac and
 * submits it with scripts/flink.sh.
 *
 * Modes (first argument):
 *   bounded   (default) sums 1..N per key parity through keyed state, collects the result back
 *             to the client and exits non-zero unless it equals N(N+1)/2. Proves submission,
 *             scheduling on a TaskManager, keyed shuffles and the collect path.
 *   unbounded generates 50 numbers per second forever into per-key counters (keyed ValueState),
 *             checkpointed by the cluster's config (every 10 s): a job to try
 *             `scripts/stack.sh tm kill9` / `tm start` against by hand.
 * Second argument (bounded only): N, default 10000.
 */
package beaconflow.smoke;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.CloseableIterator;

import java.util.HashMap;
import java.util.Map;

public final class SmokeJob {

    private SmokeJob() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "bounded";
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        switch (mode) {
            case "bounded":
                runBounded(env, args.length > 1 ? Long.parseLong(args[1]) : 10_000L);
                break;
            case "unbounded":
                runUnbounded(env);
                break;
            default:
                throw new IllegalArgumentException(
                        "unknown mode '" + mode + "': use 'bounded [N]' or 'unbounded'");
        }
    }

    private static void runBounded(StreamExecutionEnvironment env, long n) throws Exception {
        // Running sums per key; the largest one per key is that key's total.
        Map<Long, Long> totals = new HashMap<>();
        try (CloseableIterator<Tuple2<Long, Long>> results =
                env.fromSequence(1, n)
                        .map(x -> Tuple2.of(x % 2, x))
                        .returns(Types.TUPLE(Types.LONG, Types.LONG))
                        .keyBy(t -> t.f0, Types.LONG)
                        .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1))
                        .uid("sum-per-parity")
                        .name("sum-per-parity")
                        .executeAndCollect("beaconflow-smoke-bounded")) {
            while (results.hasNext()) {
                Tuple2<Long, Long> t = results.next();
                totals.merge(t.f0, t.f1, Math::max);
            }
        }
        long sum = totals.values().stream().mapToLong(Long::longValue).sum();
        long expected = n * (n + 1) / 2;
        if (sum != expected) {
            System.out.println("SMOKE FAILED: sum of 1.." + n + " = " + sum + ", expected " + expected);
            System.exit(1);
        }
        System.out.println("SMOKE OK: sum of 1.." + n + " = " + sum + " (per parity " + totals + ")");
    }

    private static void runUnbounded(StreamExecutionEnvironment env) throws Exception {
        DataGeneratorSource<Long> ticks =
                new DataGeneratorSource<>(
                        i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(50), Types.LONG);
        env.fromSource(ticks, WatermarkStrategy.noWatermarks(), "ticks")
                .uid("ticks")
                .keyBy(x -> x % 4, Types.LONG)
                .map(new CountPerKey())
                .uid("count-per-key")
                .name("count-per-key")
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        env.execute("beaconflow-smoke-unbounded");
    }

    /** Counts events per key in keyed state, so checkpoints carry real state. */
    private static final class CountPerKey extends RichMapFunction<Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public Long map(Long value) throws Exception {
            Long c = count.value();
            long next = (c == null ? 0L : c) + 1;
            count.update(next);
            return next;
        }
    }
}
