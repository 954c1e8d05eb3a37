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

    @Test
    void anEventLeavesWithRouteUserAgentFingerprintAndNoPersonalData() throws Exception {
        try (var h = harness(config(10))) {
            h.open();
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
            h.open();
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
            h.open();
            RumEvent e = error("/");
            e.userAgent = Beacons.GOOGLEBOT;
            h.processElement(e, 1);
            assertThat(h.extractOutputValues()).singleElement().matches(x -> x.bot);
        }
    }

    @Test
    void theRouteGuardIsCheckpointedAndRestored() throws Exception {
        try (var h = harness(config(2))) {
            h.open();
            h.processElement(error("/a"), 1);
            h.processElement(error("/b"), 2);
            h.processElement(error("/c"), 3);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly("/a", "/b", "other");
            var subtaskState = h.snapshot(1, 3);
            try (var restored = harness(config(2))) {
                restored.initializeState(subtaskState);
                restored.open();
                restored.processElement(error("/b"), 4);
                restored.processElement(error("/d"), 5);
                assertThat(restored.extractOutputValues())
                        .extracting(e -> e.route)
                        .containsExactly("/b", "other");
            }
        }
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
            h0.open();
            h1.open();
            h0.processElement(error("/a"), 1);
            h0.processElement(error("/b"), 2);
            h1.processElement(error("/c"), 1);
            h1.processElement(error("/d"), 2);
            s0 = h0.snapshot(1, 3);
            s1 = h1.snapshot(1, 3);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(s0, s1);
        try (var r0 = subtask(c, 2, 0)) {
            r0.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(both, 128, 2, 2, 0));
            r0.open();
            // Uninterrupted, subtask 0 holds /a and /b and has room for one more route. With
            // union state it got /a../d back, was full, and folded /e into "other".
            r0.processElement(error("/e"), 4);
            r0.processElement(error("/f"), 5);
            r0.processElement(error("/a"), 6);
            assertThat(r0.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly("/e", "other", "/a");
        }
    }

    @Test
    void learnedTemplatesSurviveARestore() throws Exception {
        IngestConfig c = config(100);
        c.routes.learnAfter = 3;
        try (var h = harness(c)) {
            h.open();
            for (String slug : List.of("red-bag", "blue-bag", "mini-garden", "old-lamp")) {
                h.processElement(error("/category/" + slug), 1);
            }
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly(
                            "/category/red-bag",
                            "/category/blue-bag",
                            "/category/mini-garden",
                            "/category/:slug");
            var state = h.snapshot(1, 2);
            try (var restored = harness(c)) {
                restored.initializeState(state);
                restored.open();
                restored.processElement(error("/category/red-bag"), 3);
                assertThat(restored.extractOutputValues())
                        .extracting(e -> e.route)
                        .containsExactly("/category/:slug");
            }
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
            h.open();
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
            h.open();
            String[] urls = {"/a", "/b", "/c", "/p/x", "/p/y", "/p/z", "/p/w"};
            for (int i = 0; i < urls.length; i++) {
                RumEvent e = error(urls[i]);
                e.release = "shop@" + i;
                e.country = i == 0 ? "DE" : "FR";
                e.errorStack = "s".repeat(5000);
                h.processElement(e, i);
            }
            // /a and /b fill the route budget; the third distinct first segment makes the root
            // learn, which gives /a and /b their places back; /:slug/y finds the budget full
            // again until /:slug learns too and frees /:slug/x.
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly(
                            "/a",
                            "/b",
                            "/:slug",
                            "/:slug/x",
                            "other",
                            "/:slug/:slug",
                            "/:slug/:slug");
            assertThat(metrics.count("routesFolded")).isEqualTo(1);
            assertThat(metrics.count("releasesFolded")).isEqualTo(6);
            assertThat(metrics.count("countriesFolded")).isEqualTo(6);
            assertThat(metrics.count("fieldsTruncated")).isEqualTo(7);
            assertThat(metrics.count("routeTemplatesLearned")).isEqualTo(2);
            assertThat(metrics.count("appsFolded")).isZero();
        }
    }
}
