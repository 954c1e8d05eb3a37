package io.beaconflow.benchmarks.ingest;

import io.beaconflow.benchmarks.ThroughputBenchmark;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Ingest throughput on one core: decode + validate + skew-correct ({@link BeaconDecoder}) then
 * enrich + scrub ({@link EventEnrichment}) generator beacons held in memory. The primary score is
 * beacons/s; the {@code events} counter is events/s, the figure docs/benchmarks.md records.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar IngestBenchmark -f 1 -wi 3 -i 5}. The
 * generator config is read from {@code flink-conf/generator.yaml} relative to the working directory
 * (the repo root), or {@code -Dbeaconflow.home}.
 */
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class IngestBenchmark extends ThroughputBenchmark {
    /** Whether to enrich as well (true) or decode and validate only (false). */
    @Param({"false", "true"})
    public boolean enrich;

    private RawBeacon[] beacons;
    private BeaconDecoder decoder;
    private EventEnrichment enrichment;
    private int next;

    /** Events per second, reported next to beacons per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long events;
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String home = System.getProperty("beaconflow.home", ".");
        GeneratorConfig gen =
                GeneratorConfig.load(Path.of(home, "flink-conf/generator.yaml"))
                        .withDuration("1h")
                        .withSpeed("max");
        // The benchmark measures the happy path mostly; the generator's usual small share of
        // malformed and duplicate records is kept, as in real traffic.
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(gen, 42, gen.splits);
        List<RawBeacon> list = new ArrayList<>();
        long bytes = 0;
        while (all.hasNext() && list.size() < 50_000) {
            RawBeacon b = all.next();
            list.add(b);
            bytes += b.payload.length;
        }
        beacons = list.toArray(new RawBeacon[0]);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        decoder = new BeaconDecoder(config.ingest);
        enrichment = new EventEnrichment(config.ingest);
        long events = all.stats().uniqueEvents() + all.stats().duplicateEvents();
        System.out.printf(
                "%n%d beacons in memory, %.0f bytes per beacon on average (%d events generated in"
                        + " the hour)%n",
                beacons.length, (double) bytes / beacons.length, events);
    }

    @Benchmark
    public void decodeAndEnrich(Counters counters, Blackhole bh) {
        RawBeacon b = beacons[next];
        next = next + 1 == beacons.length ? 0 : next + 1;
        counters.bytes += b.payload.length;
        decoder.decode(
                b,
                (IngestRecord r) -> {
                    if (r.isAccepted()) {
                        counters.events++;
                        if (enrich) enrichment.enrich(r.event);
                    }
                    bh.consume(r);
                });
    }
}
