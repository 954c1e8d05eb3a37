package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.detection.Rows.MINUTE;
import static io.beaconflow.jobs.detection.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.testing.Harnesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link DetectorOperator}: the detector states written behind a heap cache must change nothing the
 * plain operator ({@code connect(broadcast).process(DetectorFunction)}) does: the same scored rows
 * and signals in the same order with the same timestamps, checkpoints that restore into either
 * operator and go on identically, and nothing left in state, timers or cache once every series has
 * gone idle.
 */
class DetectorOperatorTest {
    private static final ObjectMapper JSON = Json.newOutputMapper();

    private static final String[][] SERIES = {
        {"shop", "all", "*"},
        {"shop", "browser", "Safari"},
        {"shop", "browser", "Chrome"},
        {"shop", "country", "DE"},
        {"news", "all", "*"},
        {"news", "browser", "Edge"},
    };

    /** Spec 2 drops page views and moves error_rate's threshold; spec 3 brings page views back. */
    private static final String SPECS_WITHOUT_VIEWS =
            Rows.SPECS
                    .substring(0, Rows.SPECS.indexOf("  page_views:"))
                    .replace("z_threshold: 4", "z_threshold: 3.5");

    private static final String SPECS_AGAIN = Rows.SPECS + "# again\n";

    /**
     * Which operator and backend: cache -1 = the plain operator; timers on the heap (RocksDB's
     * setting in flink-conf/config.yaml) or in RocksDB.
     */
    private record Variant(String name, int cache, boolean rocksDb, boolean heapTimers) {
        Variant(String name, int cache, boolean rocksDb) {
            this(name, cache, rocksDb, true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Variant REFERENCE = new Variant("plain operator, heap", -1, false);

    private static final List<Variant> VARIANTS =
            List.of(
                    new Variant("plain operator, RocksDB", -1, true),
                    new Variant("cache 0 (off), RocksDB", 0, true),
                    new Variant("cache of 1, RocksDB", 1, true),
                    new Variant("cache of 3, RocksDB", 3, true),
                    new Variant("cache of 3, RocksDB, timers in RocksDB", 3, true, false),
                    new Variant("cache of 500, RocksDB", 500, true),
                    new Variant("cache of 500, heap (not used)", 500, false));

    private static DetectorFunction function() {
        return function(10);
    }

    /** With zero-fill over {@code zeroFill} windows (0 = off, as shipped). */
    private static DetectorFunction function(int zeroFill) {
        return new DetectorFunction(
                Rows.specs(Rows.SPECS, 0),
                Duration.ofMinutes(5),
                DetectorFunction.DEFAULT_IDLE_TTL,
                Duration.ofMinutes(1),
                zeroFill);
    }

    private static KeyedBroadcastOperatorTestHarness<
                    String, MetricAggregate, SpecUpdate, ScoredAggregate>
            open(Variant v, OperatorSubtaskState restoreFrom) throws Exception {
        return open(v, restoreFrom, 10);
    }

    private static KeyedBroadcastOperatorTestHarness<
                    String, MetricAggregate, SpecUpdate, ScoredAggregate>
            open(Variant v, OperatorSubtaskState restoreFrom, int zeroFill) throws Exception {
        CoBroadcastWithKeyedOperator<String, MetricAggregate, SpecUpdate, ScoredAggregate> op =
                v.cache() < 0
                        ? new CoBroadcastWithKeyedOperator<>(
                                function(zeroFill), List.of(SpecBroadcast.DESCRIPTOR))
                        : new DetectorOperator(function(zeroFill), v.cache());
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        op, new DetectionStage.RowKey(), Types.STRING, 1, 1, 0);
        if (v.rocksDb()) h.setStateBackend(Harnesses.rocksDb(v.heapTimers()));
        if (restoreFrom != null) h.initializeState(restoreFrom);
        h.open();
        h.processBroadcastWatermark(Long.MAX_VALUE);
        return h;
    }

    /**
     * What arrives in minute {@code i}: a row per series with traffic (thin series skip minutes, so
     * zero-fill decisions and held rows happen), now and then a late update of the minute before,
     * and an error spike on Safari from minute 40.
     */
    private static List<MetricAggregate> minute(int i, Random random) {
        List<MetricAggregate> rows = new ArrayList<>();
        for (String[] s : SERIES) {
            boolean thin = !s[1].equals("all");
            if (thin && random.nextDouble() < 0.15) continue;
            double views = (thin ? 200 : 1500) * (0.8 + 0.4 * random.nextDouble());
            double rate = 0.02 + 0.01 * random.nextDouble();
            if (s[2].equals("Safari") && i >= 40 && i < 46) rate = 0.2;
            rows.add(Rows.row(s[0], s[1], s[2], i, views, rate));
            if (i > 0 && random.nextDouble() < 0.1) {
                MetricAggregate late = Rows.row(s[0], s[1], s[2], i - 1, views + 3, rate);
                late.updateSeq = 1;
                rows.add(late);
            }
        }
        return rows;
    }

    private static List<List<MetricAggregate>> traffic(int minutes) {
        Random random = new Random(7);
        List<List<MetricAggregate>> out = new ArrayList<>();
        for (int i = 0; i < minutes; i++) out.add(minute(i, random));
        return out;
    }

    /** Feeds minutes [from, to): rows, spec updates at 20 and 34, checkpoints every 7 minutes. */
    private static void run(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h,
            List<List<MetricAggregate>> traffic,
            int from,
            int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            if (i == 20) h.processBroadcastElement(Rows.specs(SPECS_WITHOUT_VIEWS, 2), T0);
            if (i == 34) h.processBroadcastElement(Rows.specs(SPECS_AGAIN, 3), T0);
            for (MetricAggregate row : traffic.get(i)) {
                h.processElement(row, row.windowEnd - 1);
            }
            h.processWatermark(T0 + (i + 1) * MINUTE - 1);
            if (i % 7 == 6) checkpoint(h, i);
        }
    }

    private static OperatorSubtaskState checkpoint(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h,
            long id)
            throws Exception {
        h.prepareSnapshotPreBarrier(id); // as the task does: the cache writes behind here
        return h.snapshot(id, id);
    }

    private static final Pattern SERIES_OF =
            Pattern.compile(
                    "\"app\":\"([^\"]*)\",\"dimension\":\"([^\"]*)\",\"dimension_value\":\"([^\"]*)\"");

    /**
     * Every record of the main and the signal output with its timestamp, in output order per series
     * and output: the order of different keys' timers that fire at one watermark is the timer
     * service's (RocksDB's and the heap's differ), not the operator's.
     */
    private static Map<String, List<String>> bySeries(List<String> lines) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String l : lines) {
            Matcher m = SERIES_OF.matcher(l);
            assertThat(m.find()).as(l).isTrue();
            String key =
                    (l.startsWith("signal ") ? "signal " : "row ")
                            + m.group(1)
                            + "|"
                            + m.group(2)
                            + "|"
                            + m.group(3);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
        }
        return out;
    }

    /** Every record of the main and the signal output, with its timestamp, in output order. */
    private static List<String> lines(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h)
            throws Exception {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(r.getTimestamp() + " " + JSON.writeValueAsString(r.getValue()));
            }
        }
        var signals = h.getSideOutput(DetectorFunction.SIGNALS);
        if (signals != null) {
            for (StreamRecord<AnomalySignal> r : signals) {
                out.add("signal " + r.getTimestamp() + " " + JSON.writeValueAsString(r.getValue()));
            }
        }
        return out;
    }

    private static long keysWithDetectorState(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        try (var keys =
                h.getOperator()
                        .getKeyedStateBackend()
                        .getKeys("detector-state", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** Every (series, metric) with a detector state in the keyed backend, sorted. */
    private static List<String> stored(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h)
            throws Exception {
        var backend = h.getOperator().<String>getKeyedStateBackend();
        List<String> keys;
        try (var all = backend.getKeys("detector-state", VoidNamespace.INSTANCE)) {
            keys = all.toList();
        }
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            backend.setCurrentKey(key);
            MapState<String, DetectorState> state =
                    backend.getPartitionedState(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            DetectorFunction.STATE);
            for (String metric : state.keys()) out.add(key.replace('\0', '|') + "/" + metric);
        }
        out.sort(null);
        return out;
    }

    @Test
    void everyVariantScoresEmitsAndTimesExactlyAsThePlainOperatorAndLeavesNothing()
            throws Exception {
        // Zero-fill on (held rows, decisions, zero windows) and off (as shipped: each window's
        // kept scores expire at their own timer).
        for (int zeroFill : new int[] {10, 0}) {
            compareVariants(zeroFill);
        }
    }

    private void compareVariants(int zeroFill) throws Exception {
        var traffic = traffic(60);
        var reference = open(REFERENCE, null, zeroFill);
        run(reference, traffic, 0, 28);
        assertThat(Harnesses.sideOutput(reference, DetectorFunction.REJECTED))
                .as("spec updates rejected")
                .isEmpty();
        List<String> storedAt28 = stored(reference);
        assertThat(storedAt28)
                .as("page views dropped by spec 2")
                .isNotEmpty()
                .noneMatch(e -> e.endsWith("/page_views"));
        run(reference, traffic, 28, 60);
        reference.processWatermark(Long.MAX_VALUE);
        List<String> expected = lines(reference);
        assertThat(expected.stream().filter(l -> l.contains("\"anomaly\":true")))
                .as("the Safari spike is scored anomalous")
                .isNotEmpty();
        for (Variant v : VARIANTS) {
            var h = open(v, null, zeroFill);
            run(h, traffic, 0, 28);
            checkpoint(h, 28);
            assertThat(stored(h))
                    .as("%s, zero-fill %d: the backend after a checkpoint", v, zeroFill)
                    .isEqualTo(storedAt28);
            run(h, traffic, 28, 60);
            var op = (DetectorOperator) (v.cache() < 0 ? null : h.getOperator());
            if (op != null && v.cache() > 0 && v.rocksDb()) {
                assertThat(op.cache()).as("%s: cache in use", v).isNotNull();
                assertThat(op.cache().size()).isBetween(1, v.cache());
            } else if (op != null) {
                assertThat(op.cache()).as("%s: no cache", v).isNull();
            }
            h.processWatermark(Long.MAX_VALUE);
            assertThat(bySeries(lines(h)))
                    .as("%s, zero-fill %d", v, zeroFill)
                    .isEqualTo(bySeries(expected));
            assertThat(keysWithDetectorState(h)).as("%s: detector states left", v).isZero();
            assertThat(h.numEventTimeTimers()).as("%s: timers left", v).isZero();
            if (op != null && op.cache() != null) {
                assertThat(op.cache().size()).as("%s: series left in the cache", v).isZero();
            }
            h.close();
        }
    }

    @Test
    void aCheckpointOfTheCachedOperatorRestoresIntoThePlainOneAndBackAndGoesOnIdentically()
            throws Exception {
        var traffic = traffic(60);
        var reference = open(REFERENCE, null);
        run(reference, traffic, 0, 60);
        reference.processWatermark(Long.MAX_VALUE);
        List<String> expected = lines(reference);

        Variant cached = new Variant("cache of 3, RocksDB", 3, true);
        Variant plain = new Variant("plain operator, RocksDB", -1, true);
        for (Variant[] pair :
                new Variant[][] {{cached, plain}, {plain, cached}, {cached, cached}}) {
            var first = open(pair[0], null);
            run(first, traffic, 0, 30);
            List<String> firstLines = lines(first);
            OperatorSubtaskState snapshot = checkpoint(first, 100);
            first.close();
            var second = open(pair[1], snapshot);
            run(second, traffic, 30, 60);
            second.processWatermark(Long.MAX_VALUE);
            List<String> joined = new ArrayList<>(firstLines);
            joined.addAll(lines(second));
            assertThat(bySeries(joined))
                    .as("%s, then %s", pair[0], pair[1])
                    .isEqualTo(bySeries(expected));
            assertThat(keysWithDetectorState(second)).isZero();
            second.close();
        }
    }

    @Test
    void anActiveSeriesIsReadOnceAndWrittenOnlyAtCheckpointsOnRocksDb() throws Exception {
        // Zero-fill off, as shipped: each window's kept scores go at their own timer.
        var h = open(new Variant("cache of 10, RocksDB", 10, true), null, 0);
        var op = (DetectorOperator) h.getOperator();
        for (int i = 0; i < 20; i++) {
            MetricAggregate row = Rows.total("shop", i, 1000, 0.02);
            h.processElement(row, row.windowEnd - 1);
            h.processWatermark(T0 + (i + 1) * MINUTE - 1);
        }
        // One backend read: the first row's spec check lists the series' metrics (one scan of
        // its map), after which the cache holds all of them. Nothing written yet.
        assertThat(op.cache().backendReads()).isOne();
        assertThat(op.cache().backendWrites()).isZero();
        assertThat(keysWithDetectorState(h)).as("nothing in RocksDB before a checkpoint").isZero();
        checkpoint(h, 1);
        assertThat(op.cache().backendWrites()).isEqualTo(2);
        assertThat(keysWithDetectorState(h)).isOne();
        checkpoint(h, 2);
        assertThat(op.cache().backendWrites()).as("nothing changed since").isEqualTo(2);

        // The kept scores (late updates carry them for 5 minutes): one scan, at the first sweep;
        // a window kept and expired between two checkpoints never reaches the backend.
        var kept = op.scoresCache();
        long written = kept.backendWrites();
        // Windows 0-6 were put before the key's first scan (at window 0's timer), so the cache
        // could not know the backend did not hold them: their removals are written (7); 7-13
        // came and went unwritten; 14-19 are kept (6).
        assertThat(written).isEqualTo(7 + 6);
        for (int i = 20; i < 40; i++) {
            MetricAggregate row = Rows.total("shop", i, 1000, 0.02);
            h.processElement(row, row.windowEnd - 1);
            h.processWatermark(T0 + (i + 1) * MINUTE - 1);
        }
        assertThat(kept.backendReads()).as("one scan of the key's kept scores").isOne();
        checkpoint(h, 3);
        // 6 written, 6 of those removed, 14 kept and expired in between (never written), 6 kept.
        assertThat(kept.backendWrites() - written).isEqualTo(6 + 6);
        assertThat(kept.size()).isOne();
        h.close();
    }
}
