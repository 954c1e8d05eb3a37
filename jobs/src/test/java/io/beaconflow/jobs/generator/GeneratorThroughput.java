package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.model.RawBeacon;
import java.nio.file.Path;

/**
 * Measures single-thread generator throughput (rendering included) and the cost of the restore path
 * ({@link TrafficGenerator#skip(long)}). Not a test; run by hand, see the class's output:
 *
 * <pre>
 * java -cp jobs/target/classes:jobs/target/test-classes:$(cat cp.txt) \
 *     io.beaconflow.jobs.generator.GeneratorThroughput [flink-conf/generator.yaml] [duration]
 * </pre>
 */
public final class GeneratorThroughput {
    private GeneratorThroughput() {}

    public static void main(String[] args) {
        Path file = Path.of(args.length > 0 ? args[0] : "flink-conf/generator.yaml");
        GeneratorConfig config = GeneratorConfig.load(file);
        if (args.length > 1) config = config.withDuration(args[1]);
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime(); // wall clock: measurement only
            TrafficGenerator.Merged run = TrafficGenerator.generateAll(config, 1, config.splits);
            long records = 0;
            long bytes = 0;
            while (run.hasNext()) {
                RawBeacon b = run.next();
                records++;
                bytes += b.payload.length;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            GenerationStats s = run.stats();
            long events = s.uniqueEvents() + s.duplicateEvents() + s.malformedRecords();
            long t1 = System.nanoTime();
            long skipped = 0;
            for (int i = 0; i < config.splits; i++) {
                skipped += new TrafficGenerator(config, 1, i, config.splits).skip(Long.MAX_VALUE);
            }
            double skipSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf(
                    "round %d: %d records, %d events, %.1f MB in %.2f s = %.0f events/s, %.0f"
                            + " records/s, %.1f MB/s; skip (restore path) %.0f records/s%n",
                    round,
                    records,
                    events,
                    bytes / 1e6,
                    seconds,
                    events / seconds,
                    records / seconds,
                    bytes / 1e6 / seconds,
                    skipped / skipSeconds);
        }
    }
}
