package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.Enricher;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionAssembler;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.testing.Beacons;
import io.beaconflow.jobs.testing.EnrichedEvents;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Do 1 M distinct sessions, 100 K routes and 10 K releases fit the shipped memory settings?
 *
 * <p>What this measures, and what it does not: the real operators ({@link Enricher}, {@link
 * SessionAssembler}) in Flink's operator harness on the heap state backend, the shipped backend
 * ({@code state.backend.type: hashmap} in flink-conf/config.yaml), with the shipped job config
 * (flink-conf/beaconflow.yaml). Heap per open session is measured as the growth of the used heap
 * after full GCs while 100 K sessions are open: a JVM-wide figure, approximate to a few percent.
 * The shipped task heap ({@code taskmanager.memory.task.heap.size}) is read from
 * flink-conf/config.yaml. It does not run a TaskManager, and it does not measure the metric and
 * detector state: those are keyed by series, and the series are what the cardinality budget bounds
 * (checked here: 100 K routes and 10 K releases leave at most the budget of distinct values).
 */
class StateBudgetITCase {
    static final Path JOB_CONFIG = Path.of("..", "flink-conf", "beaconflow.yaml");
    static final Path CLUSTER_CONFIG = Path.of("..", "flink-conf", "config.yaml");
    static final long T0 = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;

    /** The share of the task heap open sessions may take; the rest is for every other state. */
    static final double SESSION_SHARE = 0.5;

    static BeaconflowConfig shipped() throws Exception {
        return BeaconflowConfig.parse(
                Files.readString(JOB_CONFIG),
                JOB_CONFIG.toString(),
                name ->
                        name.equals("BEACONFLOW_USER_ID_SALT")
                                ? "state-budget-test-salt"
                                : System.getenv(name));
    }

    static long shippedTaskHeapBytes() throws Exception {
        Matcher m =
                Pattern.compile("(?m)^taskmanager\\.memory\\.task\\.heap\\.size:\\s*(\\d+)m\\s*$")
                        .matcher(Files.readString(CLUSTER_CONFIG));
        assertThat(m.find()).as("task heap in " + CLUSTER_CONFIG).isTrue();
        return Long.parseLong(m.group(1)) << 20;
    }

    static RumEvent pageView(String app, String session, long at, String url, String release) {
        RumEvent e =
                EnrichedEvents.enriched(
                        EventType.PAGE_VIEW, session + "-" + at, app, session, at, "/");
        e.release = release;
        e.pageUrl = url;
        e.userAgent = Beacons.CHROME_DESKTOP;
        e.environment = "prod";
        e.viewId = "v1";
        e.loadMs = 1200.0;
        e.browserVersion = "142";
        e.os = "Windows";
        return e;
    }

    static String word(SplittableRandom r) {
        char[] c = new char[5 + r.nextInt(6)];
        for (int i = 0; i < c.length; i++) c[i] = (char) ('a' + r.nextInt(26));
        return new String(c);
    }

    @Test
    void aHundredThousandRoutesAndTenThousandReleasesLeaveOnlyTheBudgetOfDistinctValues()
            throws Exception {
        IngestConfig ingest = shipped().ingest;
        Set<String>[] seen = distinctValues(ingest, 100_000);
        System.out.printf(
                "state budget: 100,000 distinct URLs → %,d distinct routes (%,d with a learned :slug;"
                        + " max-per-app %d); 10,000 releases → %,d (max-releases-per-app %d)%n",
                seen[0].size(),
                seen[2].size(),
                ingest.routes.maxPerApp,
                seen[1].size(),
                ingest.cardinality.maxReleasesPerApp);
        // Random words at every depth: learning folds most of them (root and deeper positions
        // become :slug). Templates are decided in event time (PathTemplateLearner): raw routes
        // fill at most the budget before a template applies, and give their places back to the
        // learned templates once no view before its effect time can come.
        assertThat(seen[0]).hasSizeLessThanOrEqualTo(ingest.routes.maxPerApp + 1 + seen[2].size());
        assertThat(seen[2]).contains("/:slug");
        assertThat(seen[1]).hasSize(ingest.cardinality.maxReleasesPerApp + 1).contains("other");

        // Without learning the budget alone holds the line.
        ingest.routes.learnAfter = 0;
        Set<String>[] unlearned = distinctValues(ingest, 20_000);
        assertThat(unlearned[0]).hasSize(ingest.routes.maxPerApp + 1).contains("other");
        assertThat(unlearned[2]).isEmpty();
    }

    /**
     * Views 100 ms apart (100,000 in ~2.8 hours of event time): learned templates apply minutes
     * after their evidence, so the views must span more than that.
     */
    static final long SPACING_MS = 100;

    /** Distinct routes, releases and learned templates after {@code n} page views of one app. */
    @SuppressWarnings("unchecked")
    static Set<String>[] distinctValues(IngestConfig ingest, int n) throws Exception {
        SplittableRandom r = new SplittableRandom(12);
        Set<String> routes = new HashSet<>();
        Set<String> releases = new HashSet<>();
        Set<String> learned = new TreeSet<>();
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new io.beaconflow.jobs.enrich.EnricherOperator(new Enricher(ingest)))) {
            h.open();
            for (int i = 0; i < n; i++) {
                StringBuilder path = new StringBuilder();
                int depth = 1 + r.nextInt(4);
                for (int d = 0; d < depth; d++) path.append('/').append(word(r));
                RumEvent e =
                        pageView(
                                "shop",
                                "s" + i,
                                T0 + i * SPACING_MS,
                                "https://shop.example" + path,
                                "shop@1.0." + (i % 10_000));
                // Bounded out-of-orderness (30 s): the view is decided at once, as in steady state.
                h.processWatermark(new Watermark(e.eventTime - 30_000L));
                h.processElement(e, e.eventTime);
                RumEvent out = h.extractOutputValues().get(0);
                h.getOutput().clear();
                routes.add(out.route);
                releases.add(out.release);
                if (out.route.contains(":slug")) learned.add(out.route);
            }
        }
        return new Set[] {routes, releases, learned};
    }

    @Test
    void aMillionDistinctSessionsFitTheShippedTaskHeap() throws Exception {
        BeaconflowConfig config = shipped();
        long taskHeap = shippedTaskHeapBytes();

        // 1. Heap per open session: 100 K sessions open at once.
        long perSession;
        int open = 100_000;
        try (var h = sessions(config)) {
            long before = usedHeapAfterGc();
            for (int i = 0; i < open; i++) {
                h.processElement(pageView("shop", "m" + i, T0 + i, "/", "shop@1"), T0 + i);
            }
            h.getOutput().clear();
            long after = usedHeapAfterGc();
            perSession = (after - before) / open;
            assertThat(h.numKeyedStateEntries()).isGreaterThanOrEqualTo(open);
        }
        long fits = (long) (taskHeap * SESSION_SHARE / perSession);

        // 2. A million distinct sessions over one day of event time (gap 30 min, one view each).
        long sessionsPerDay = 1_000_000;
        long peakEntries = 0;
        long peakOpen = 0;
        try (var h = sessions(config)) {
            long step = 24 * 60 * MINUTE / sessionsPerDay;
            long nextWatermark = T0 + MINUTE;
            int entriesPerSession = 0;
            for (long i = 0; i < sessionsPerDay; i++) {
                long t = T0 + i * step;
                if (t >= nextWatermark) {
                    h.processWatermark(new Watermark(nextWatermark));
                    h.getOutput().clear();
                    nextWatermark += MINUTE;
                }
                h.processElement(pageView("shop", "d" + i, t, "/", "shop@1"), t);
                if (i == 0) entriesPerSession = h.numKeyedStateEntries();
                if (i % 10_000 == 0) {
                    peakEntries = Math.max(peakEntries, h.numKeyedStateEntries());
                }
            }
            peakOpen = peakEntries / Math.max(1, entriesPerSession);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.getOutput().clear();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
        System.out.printf(
                "state budget: %,d bytes of heap per open session (measured, %,d open);"
                        + " shipped task heap %,d MB → %,d open sessions in %.0f%% of it;"
                        + " 1,000,000 sessions over a day peak at %,d open (%,d MB)%n",
                perSession,
                open,
                taskHeap >> 20,
                fits,
                SESSION_SHARE * 100,
                peakOpen,
                (peakOpen * perSession) >> 20);
        System.out.printf(
                "state budget: 1,000,000 sessions open at once would take %,d MB: more than the"
                        + " shipped %,d MB task heap of one TaskManager%n",
                (1_000_000 * perSession) >> 20, taskHeap >> 20);
        assertThat(perSession).isPositive();
        assertThat(peakOpen * perSession).isLessThan((long) (taskHeap * SESSION_SHARE));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> sessions(
            BeaconflowConfig config) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SessionAssembler(config.sessions)),
                        SessionAssembler.key(),
                        Types.STRING);
        h.open();
        return h;
    }

    static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
