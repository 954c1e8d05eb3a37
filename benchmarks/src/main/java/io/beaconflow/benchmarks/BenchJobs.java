package io.beaconflow.benchmarks;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the job benchmarks (a bounded job on a local MiniCluster per invocation) share, so that
 * their variants differ only in the stage measured: the environment (generic types off, as the
 * job), synthetic events in event time, and a sink that drops what reaches it.
 */
public final class BenchJobs {
    private BenchJobs() {}

    /** A local environment at {@code parallelism} with generic types disabled. */
    public static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /**
     * Events {@code make(0)} to {@code make(n - 1)}, timestamped with their event time; watermarks
     * trail by 30 s, as the job's bounded out-of-orderness.
     */
    public static DataStream<RumEvent> events(
            StreamExecutionEnvironment env, long n, MapFunction<Long, RumEvent> make) {
        return env.fromSource(
                        new NumberSequenceSource(0, n - 1),
                        WatermarkStrategy.noWatermarks(),
                        "sequence")
                .map(make)
                .returns(TypeInformation.of(RumEvent.class))
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<RumEvent>forBoundedOutOfOrderness(Duration.ofSeconds(30))
                                .withTimestampAssigner((e, ts) -> e.eventTime));
    }

    /** A sink that drops everything: the benchmark measures what comes before it. */
    public static final class Discard<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
