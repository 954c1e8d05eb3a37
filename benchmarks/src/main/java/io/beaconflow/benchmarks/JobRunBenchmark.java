package io.beaconflow.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run settings of the job benchmarks ({@code MetricTwoPhaseBenchmark}, {@code
 * SessionBenchmark}): each invocation is one bounded job on a local MiniCluster ({@link BenchJobs})
 * over {@link #events} synthetic events {@link #stepMs} apart in event time, at {@link
 * #parallelism}, timed once (single shot, milliseconds). Kept in one place so that the figures of
 * the two benchmarks in docs/benchmarks.md stay comparable: same heap, warm-up and traffic size.
 * JMH reads these annotations and {@code @Param} fields from the superclass; a subclass adds its
 * own {@code variant} parameter and the {@code @Benchmark} method.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public abstract class JobRunBenchmark {
    @Param({"2000000"})
    public long events;

    /** Event-time step per event: 5 ms gives 12,000 events per 1-minute window. */
    @Param({"5"})
    public long stepMs;

    @Param({"2"})
    public int parallelism;
}
