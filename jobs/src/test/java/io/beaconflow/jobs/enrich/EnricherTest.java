package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.CardinalityConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.Beacons;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EnricherTest {
    static IngestConfig config(int maxRoutes) {
        IngestConfig c = new IngestConfig();
        c.routes.maxPerApp = maxRoutes;
        c.privacy.userIdSalt = "test-salt";
        return c;
    }

    static RumEvent error(String url) {
        RumEvent e = new RumEvent();
        e.app = "shop";
        e.eventId = url;
        e.type = EventType.ERROR;
        e.pageUrl = url;
        e.userAgent = Beacons.CHROME_DESKTOP;
        e.clientIp = "198.51.100.23";
        e.userId = "user-1";
        e.errorType = "TypeError";
        e.errorMessage = "x is undefined";
        return e;
    }

    static OneInputStreamOperatorTestHarness<RumEvent, RumEvent> harness(IngestConfig c)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new EnricherOperator(new Enricher(c)));
    }

    /**
     * Opens the harness and sends watermark 0: the test events (event time 0) are then within
     * out-of-orderness of the watermark, so their route templates are decided at once (before any
     * watermark an event waits: {@link PathTemplateLearner}).
     */
    static void open(OneInputStreamOperatorTestHarness<RumEvent, RumEvent> h) throws Exception {
        h.open();
        h.processWatermark(new Watermark(0));
    }

    static final long MIN = 60_000L;

    @Test
    void anEventLeavesWithRouteUserAgentFingerprintAndNoPersonalData() throws Exception {
        try (var h = harness(config(10))) {
            open(h);
            h.processElement(error("https://shop.example/orders/991?email=a@b.c"), 1);
            RumEvent e = h.extractOutputValues().get(0);
            assertThat(e.route).isEqualTo("/orders/:id");
            assertThat(e.browser).isEqualTo("Chrome");
            assertThat(e.deviceType).isEqualTo("desktop");
            assertThat(e.bot).isFalse();
            assertThat(e.errorFingerprint).hasSize(16);
            assertThat(e.clientIp).isEqualTo("198.51.100.0");
            assertThat(e.pageUrl).isEqualTo("https://shop.example/orders/991?email=");
            assertThat(e.userId).hasSize(32).isNotEqualTo("user-1");
        }
    }

    @Test
    void errorTextsLeaveWithoutSecretsButKeepTheFingerprintOfTheRawText() throws Exception {
        RumEvent raw = error("https://shop.example/cb#access_token=abc");
        raw.errorMessage = "invalid login for jane.doe@example.com";
        raw.errorStack = "at submit (https://shop.example/app.js?token=t0k3n:1:2)";
        String rawFingerprint =
                io.beaconflow.jobs.enrich.ErrorFingerprint.of(
                        raw.errorType, raw.errorMessage, raw.errorStack);
        try (var h = harness(config(10))) {
            open(h);
            h.processElement(raw, 1);
            RumEvent e = h.extractOutputValues().get(0);
            assertThat(e.pageUrl).isEqualTo("https://shop.example/cb");
            assertThat(e.errorMessage).isEqualTo("invalid login for <email>");
            assertThat(e.errorStack).isEqualTo("at submit (https://shop.example/app.js?token=)");
            assertThat(e.errorFingerprint).isEqualTo(rawFingerprint);
        }
    }

    @Test
    void botsAreFlaggedAndKept() throws Exception {
        try (var h = harness(config(10))) {
            open(h);
            RumEvent e = error("/");
            e.userAgent = Beacons.GOOGLEBOT;
            h.processElement(e, 1);
            assertThat(h.extractOutputValues()).singleElement().matches(x -> x.bot);
        }
    }

    @Test
    void theRouteGuardIsCheckpointedAndRestored() throws Exception {
        try (var h = harness(config(2))) {
            open(h);
            assertThat(routes(h, 0, "/a", "/b", "/c")).containsExactly("/a", "/b", "other");
            var subtaskState = h.snapshot(1, 3);
            try (var restored = harness(config(2))) {
                restored.initializeState(subtaskState);
                open(restored);
                assertThat(routes(restored, 3, "/b", "/d")).containsExactly("/b", "other");
            }
        }
    }

    /**
     * Sends one error per url at times {@code after + 1}, {@code after + 2} ...; returns the routes
     * of everything {@code h} has emitted so far.
     */
    static List<String> routes(
            OneInputStreamOperatorTestHarness<RumEvent, RumEvent> h, long after, String... urls)
            throws Exception {
        for (int i = 0; i < urls.length; i++) h.processElement(error(urls[i]), after + i + 1);
        return h.extractOutputValues().stream().map(e -> e.route).toList();
    }

    static OneInputStreamOperatorTestHarness<RumEvent, RumEvent> subtask(
            IngestConfig c, int parallelism, int index) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new EnricherOperator(new Enricher(c)), 128, parallelism, index);
    }

    @Test
    void aRestoreWithTheSameParallelismGivesEachSubtaskItsOwnBudgetBack() throws Exception {
        IngestConfig c = config(3);
        OperatorSubtaskState s0;
        OperatorSubtaskState s1;
        try (var h0 = subtask(c, 2, 0);
                var h1 = subtask(c, 2, 1)) {
            open(h0);
            open(h1);
            routes(h0, 0, "/a", "/b");
            routes(h1, 0, "/c", "/d");
            s0 = h0.snapshot(1, 3);
            s1 = h1.snapshot(1, 3);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(s0, s1);
        try (var r0 = subtask(c, 2, 0)) {
            r0.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(both, 128, 2, 2, 0));
            open(r0);
            // Uninterrupted, subtask 0 holds /a and /b and has room for one more route. With
            // union state it got /a../d back, was full, and folded /e into "other".
            assertThat(routes(r0, 3, "/e", "/f", "/a")).containsExactly("/e", "other", "/a");
        }
    }

    static RumEvent error(String url, long time) {
        RumEvent e = error(url);
        e.eventTime = time;
        return e;
    }

    @Test
    void learnedTemplatesSurviveARestore() throws Exception {
        IngestConfig c = config(100);
        c.routes.learnAfter = 3;
        try (var h = harness(c)) {
            open(h);
            for (String slug : List.of("red-bag", "blue-bag", "mini-garden", "old-lamp")) {
                h.processElement(error("/category/" + slug, 0), 0);
            }
            // Enough evidence at 0, but in event time: the template applies from the first whole
            // minute after 0 + lateness (5 min) + out-of-orderness (30 s), so these stay raw.
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly(
                            "/category/red-bag",
                            "/category/blue-bag",
                            "/category/mini-garden",
                            "/category/old-lamp");
            var state = h.snapshot(1, 2);
            try (var restored = harness(c)) {
                restored.initializeState(state);
                restored.open();
                restored.processWatermark(new Watermark(6 * MIN));
                restored.processElement(error("/category/red-bag", 6 * MIN), 6 * MIN);
                restored.processElement(error("/category/red-bag", 5 * MIN), 5 * MIN);
                assertThat(restored.extractOutputValues())
                        .extracting(e -> e.route)
                        .containsExactly("/category/:slug", "/category/red-bag");
            }
        }
    }

    /**
     * Writes operator state as the enricher did before routes were learned in event time: the
     * arrival-order learner's entries in {@code route-learner} (routes, and API paths under {@code
     * app NUL api}).
     */
    static final class OldRouteLearnerState
            extends org.apache.flink.streaming.api.operators.AbstractStreamOperator<RumEvent>
            implements org.apache.flink.streaming.api.operators.OneInputStreamOperator<
                    RumEvent, RumEvent> {
        private static final long serialVersionUID = 1L;
        private final List<String> entries;

        OldRouteLearnerState(List<String> entries) {
            this.entries = entries;
        }

        @Override
        public void initializeState(org.apache.flink.runtime.state.StateInitializationContext c)
                throws Exception {
            super.initializeState(c);
            c.getOperatorStateStore()
                    .getListState(
                            new org.apache.flink.api.common.state.ListStateDescriptor<>(
                                    Enricher.LEARNER_STATE,
                                    org.apache.flink.api.common.typeinfo.Types.STRING))
                    .update(entries);
        }

        @Override
        public void processElement(
                org.apache.flink.streaming.runtime.streamrecord.StreamRecord<RumEvent> r) {}
    }

    @Test
    void stateOfTheArrivalOrderRouteLearnerRestores() throws Exception {
        IngestConfig c = config(100);
        c.routes.learnAfter = 3;
        OperatorSubtaskState old;
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new OldRouteLearnerState(
                                List.of(
                                        "L\tshop\t/category",
                                        "C\tshop\t/topics\t"
                                                + Long.toHexString(PathTemplateLearner.hash("a")),
                                        "L\tshop\u0000api\t/api/tags")))) {
            h.open();
            old = h.snapshot(1, 1);
        }
        try (var h = harness(c)) {
            h.initializeState(old);
            open(h);
            h.processElement(error("/category/red-bag"), 0);
            h.processElement(error("/topics/b"), 0);
            RumEvent f = error("/");
            f.type = EventType.FETCH;
            f.fetchUrl = "/api/tags/shoes";
            h.processElement(f, 0);
            // A template the job had keeps applying from the beginning of time; a prefix still
            // counting goes on counting; API entries went to the endpoint learner.
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.type == EventType.FETCH ? e.endpoint : e.route)
                    .containsExactly("/category/:slug", "/topics/b", "GET /api/tags/:slug");
        }
    }

    @Test
    void everyDimensionIsBoundedAndLongStringsAreCut() throws Exception {
        IngestConfig c = config(100);
        c.cardinality.maxReleasesPerApp = 2;
        c.cardinality.maxCountriesPerApp = 1;
        c.cardinality.maxApps = 1;
        c.cardinality.maxExperimentsPerEvent = 3;
        c.cardinality.maxVariantsPerApp = 2;
        try (var h = harness(c)) {
            open(h);
            for (int i = 0; i < 4; i++) {
                RumEvent e = error("/cart");
                e.release = "shop@" + i;
                e.country = i % 2 == 0 ? "DE" : "FR";
                e.userAgent = Beacons.CHROME_DESKTOP + " x".repeat(50_000);
                e.errorMessage = "m".repeat(100_000);
                e.experiments = new HashMap<>();
                for (int x = 0; x < 40; x++) e.experiments.put("exp" + (100 + x), "v" + i);
                h.processElement(e, i);
            }
            RumEvent spam = error("/cart");
            spam.app = "spam-" + "z".repeat(1000);
            h.processElement(spam, 9);
            List<RumEvent> out = h.extractOutputValues();
            assertThat(out.subList(0, 4))
                    .extracting(e -> e.release)
                    .containsExactly("shop@0", "shop@1", "other", "other");
            assertThat(out.subList(0, 4))
                    .extracting(e -> e.country)
                    .containsExactly("DE", "other", "DE", "other");
            assertThat(out.get(4).app).isEqualTo("other");
            assertThat(out.subList(0, 4))
                    .allSatisfy(
                            e -> {
                                assertThat(e.userAgent).hasSize(IngestConfigLimits.TEXT);
                                assertThat(e.errorMessage).hasSize(IngestConfigLimits.TEXT);
                                assertThat(e.browser).isEqualTo("Chrome");
                            });
            // Three experiments kept (the first by name); the first event's two pairs are the
            // budget, later pairs fold into one "other" entry.
            assertThat(out.get(0).experiments)
                    .containsExactly(
                            Map.entry("exp100", "v0"),
                            Map.entry("exp101", "v0"),
                            Map.entry("other", "other"));
            assertThat(out.get(1).experiments).containsExactly(Map.entry("other", "other"));
        }
    }

    /** The shipped default length of free text. */
    static final class IngestConfigLimits {
        static final int TEXT = CardinalityConfig.DEFAULT_MAX_TEXT_LENGTH;
    }

    /** A task metric group whose operator group keeps every metric registered on it. */
    static final class OperatorMetrics
            extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {
        final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(
                OperatorID id, String name, Map<String, String> variables) {
            return operator;
        }

        long count(String counter) {
            return ((Counter) operator.get(counter)).getCount();
        }
    }

    @Test
    void foldedValuesCutStringsAndLearnedTemplatesAreCountedPerDimension() throws Exception {
        IngestConfig c = config(2);
        c.routes.learnAfter = 2;
        c.cardinality.maxReleasesPerApp = 1;
        c.cardinality.maxCountriesPerApp = 1;
        OperatorMetrics metrics = new OperatorMetrics();
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new EnricherOperator(new Enricher(c)),
                        new MockEnvironmentBuilder().setMetricGroup(metrics).build())) {
            open(h);
            String[] urls = {"/a", "/b", "/c", "/p/x", "/p/y", "/p/z", "/p/w"};
            for (int i = 0; i < urls.length; i++) {
                RumEvent e = error(urls[i]);
                e.release = "shop@" + i;
                e.country = i == 0 ? "DE" : "FR";
                e.errorStack = "s".repeat(5000);
                h.processElement(e, 0);
            }
            // At 11 min the root and /p have learned (evidence at 0, effect at 6 min), and no
            // event before 6 min can come: /a and /b give their places in the budget back.
            h.processWatermark(new Watermark(11 * MIN));
            h.processElement(error("/q/x", 11 * MIN), 11 * MIN);
            // /a and /b fill the route budget (2), the others fold; after learning, the budget
            // has room for the templated route.
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly(
                            "/a", "/b", "other", "other", "other", "other", "other", "/:slug/x");
            assertThat(metrics.count("routesFolded")).isEqualTo(5);
            assertThat(metrics.count("releasesFolded")).isEqualTo(6);
            assertThat(metrics.count("countriesFolded")).isEqualTo(6);
            assertThat(metrics.count("fieldsTruncated")).isEqualTo(7);
            // The root and /p (learned in the same watermark; /p is pruned under the root).
            assertThat(metrics.count("routeTemplatesLearned")).isEqualTo(2);
            assertThat(metrics.count("appsFolded")).isZero();
        }
    }
}
