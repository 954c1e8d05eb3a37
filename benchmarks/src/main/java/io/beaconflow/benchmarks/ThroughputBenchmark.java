package io.beaconflow.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The run settings of the one-core throughput benchmarks ({@code IngestBenchmark}, {@code
 * MetricAggregatorBenchmark}): per-thread state, operations per second, one fork with a 2 GB heap,
 * so their events/s figures in docs/benchmarks.md are measured alike. JMH reads these annotations
 * from the superclass; each subclass states its own {@code @Warmup} and {@code @Measurement} (their
 * work per operation differs, so does the time they need to settle).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
public abstract class ThroughputBenchmark {}
