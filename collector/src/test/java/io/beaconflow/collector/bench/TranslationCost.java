package io.beaconflow.collector.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.server.Records;
import io.beaconflow.collector.translate.FaroTranslator;
import io.beaconflow.collector.translate.SdkFixtures;
import io.beaconflow.collector.translate.Translation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * CPU cost of the collector's own work per Faro request (parse, translate, pack the record), on one
 * thread after warm-up, measured as thread CPU time so other load on the machine does not count.
 * For docs/benchmarks.md: {@code java -cp <test classpath>
 * io.beaconflow.collector.bench.TranslationCost}.
 */
public final class TranslationCost {
    public static void main(String[] args) throws Exception {
        List<SdkFixtures.Captured> posts = SdkFixtures.posts("faro");
        ObjectMapper json = new ObjectMapper();
        byte[][] bodies = new byte[posts.size()][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = posts.get(i).body().getBytes(StandardCharsets.UTF_8);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            int n = round == 0 ? 20_000 : 50_000;
            long cpu0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                SdkFixtures.Captured c = posts.get(i % bodies.length);
                Translation t =
                        FaroTranslator.translate(
                                json.readTree(bodies[i % bodies.length]), c.edge(), null);
                sink += Records.pack(c.edge(), t.events(), 262144).records().get(0).length;
            }
            double us = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
            System.out.printf(
                    "round %d: %d Faro requests, %.1f us CPU each (%.0f requests/s per core)%n",
                    round, n, us, 1e6 / us);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
