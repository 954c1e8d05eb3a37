package io.beaconflow.detectors.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.RepoRoot;
import io.beaconflow.detectors.ScorerKind;
import io.beaconflow.detectors.SeasonalPeriod;
import io.beaconflow.detectors.Transform;
import io.beaconflow.detectors.nab.NabSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class DetectorSpecsTest {
    static final Path CONF = findConf();

    static Path findConf() {
        return RepoRoot.containing("flink-conf/detectors").resolve("flink-conf/detectors");
    }

    static final String SMALL =
            String.join(
                    "\n",
                    "version: 1",
                    "kinds:",
                    "  latency:",
                    "    z_threshold: 4",
                    "    transform: log",
                    "metrics:",
                    "  lcp_p75: { kind: latency, min_abs_change: 250 }",
                    "  error_rate: { kind: error_rate }",
                    "overrides:",
                    "  - match: { dimension: route, value: \"/checkout/**\" }",
                    "    set: { z_threshold: 3 }",
                    "  - match: { app: \"shop-*\", metric: lcp_p75 }",
                    "    set: { seasonal: { period: day, time_zone: Europe/Berlin } }",
                    "  - match: { dimension: route, value_regex: \"/api/v[0-9]+/.*\" }",
                    "    set: { direction: down }",
                    "");

    private static SpecException error(String yaml) {
        try {
            DetectorSpecs.parse(yaml, "test.yaml");
        } catch (SpecException e) {
            return e;
        }
        throw new AssertionError("expected a SpecException for:\n" + yaml);
    }

    @Test
    void seriesThatMatchTheSameOverridesShareOneSpecAndOthersKeepTheirOwn() throws IOException {
        DetectorSpecs defaults = DetectorSpecs.load(CONF.resolve("defaults.yaml"));
        // Two routes match the same overrides for page views: one spec, built once.
        DetectorSpec cart = defaults.resolve("shop", "route", "/cart", "page_views");
        assertThat(defaults.resolve("news", "route", "/topics/:slug", "page_views")).isSameAs(cart);
        // A country matches none of the route's overrides: its own spec (another threshold).
        DetectorSpec de = defaults.resolve("shop", "country", "DE", "page_views");
        assertThat(de).isNotEqualTo(cart);
        assertThat(de.zThresholdFor(-1)).isEqualTo(4.0);
        assertThat(cart.zThresholdFor(-1)).isEqualTo(cart.zThreshold());
        // Each equals what a fresh load builds for that series alone, whatever was built before.
        for (String[] series :
                new String[][] {
                    {"news", "route", "/topics/:slug", "page_views"},
                    {"shop", "country", "DE", "page_views"},
                    {"shop", "endpoint", "GET /a", "fetch_p50"},
                    {"shop", null, null, "lcp_p75"},
                    {"shop", "os", "Mac OS", "lcp_p50"}
                }) {
            DetectorSpecs fresh = DetectorSpecs.load(CONF.resolve("defaults.yaml"));
            DetectorSpec alone = fresh.resolve(series[0], series[1], series[2], series[3]);
            DetectorSpec shared = defaults.resolve(series[0], series[1], series[2], series[3]);
            assertThat(shared).isNotNull().isEqualTo(alone);
            assertThat(shared.toString()).isEqualTo(alone.toString());
        }
        // Disabled stays disabled for every series that matches it.
        assertThat(defaults.resolve("shop", "release", "shop@2", "page_views")).isNull();
        assertThat(defaults.resolve("news", "release", "news@9", "page_views")).isNull();
    }

    @Test
    void theShippedDefaultsAndNabSpecsLoadAndConfigureTheRumMetrics() throws IOException {
        DetectorSpecs defaults = DetectorSpecs.load(CONF.resolve("defaults.yaml"));
        assertThat(defaults.metrics())
                .contains(
                        "error_rate",
                        "fetch_error_rate",
                        "page_views",
                        "fetches",
                        "lcp_p75",
                        "inp_p75",
                        "load_p75",
                        "ttfb_p75",
                        "fetch_p95",
                        "cls_p75");
        assertThat(defaults.resolve("shop", null, null, "error_rate").scorer())
                .isEqualTo(ScorerKind.PROPORTION);
        assertThat(defaults.metrics()).doesNotContain("events");
        DetectorSpec views = defaults.resolve("shop", null, null, "page_views");
        assertThat(views.scorer()).isEqualTo(ScorerKind.GAUSSIAN);
        assertThat(views.transform()).isEqualTo(Transform.SQRT);
        assertThat(views.freezeWhileOpen()).isTrue();
        // Counts fall at 4 and rise at the budget's threshold (bursts make rises heavy-tailed).
        assertThat(views.zThresholdFor(-1)).isEqualTo(4.0);
        assertThat(views.zThresholdFor(1)).isEqualTo(views.zThreshold()).isGreaterThan(4.9);
        // A rollout moves traffic between releases: not scored there, still on the app total.
        assertThat(defaults.resolve("shop", "release", "shop@2", "page_views")).isNull();
        assertThat(defaults.resolve("shop", "country", "DE", "page_views")).isNotNull();
        assertThat(defaults.resolve("shop", null, null, "lcp_p75").logScale()).isTrue();
        // API endpoints: failures by the configured statuses and latency, nothing else.
        assertThat(defaults.resolve("shop", null, null, "fetch_failure_rate")).isNull();
        assertThat(defaults.resolve("shop", "route", "/cart", "fetch_failure_rate")).isNull();
        DetectorSpec endpointFailures =
                defaults.resolve("shop", "endpoint", "GET /api/orders/:id", "fetch_failure_rate");
        assertThat(endpointFailures.scorer()).isEqualTo(ScorerKind.PROPORTION);
        assertThat(defaults.resolve("shop", "endpoint", "GET /a", "fetch_p95")).isNotNull();
        assertThat(defaults.resolve("shop", "endpoint", "GET /a", "fetch_error_rate")).isNull();
        assertThat(defaults.resolve("shop", "endpoint", "GET /a", "fetches")).isNull();
        // The median call of an endpoint (a slow backend moves it), on endpoints only.
        DetectorSpec endpointMedian = defaults.resolve("shop", "endpoint", "GET /a", "fetch_p50");
        assertThat(endpointMedian).isNotNull();
        assertThat(endpointMedian.kind()).isEqualTo(MetricKind.LATENCY);
        assertThat(endpointMedian.minAbsChange()).isEqualTo(50.0);
        assertThat(defaults.resolve("shop", "route", "/cart", "fetch_p50")).isNull();
        assertThat(defaults.resolve("shop", "all", "*", "fetch_p50")).isNull();
        // Good-experience shares: a proportion watched for a fall.
        DetectorSpec goodLcp = defaults.resolve("shop", "route", "/cart", "lcp_good_share");
        assertThat(goodLcp.scorer()).isEqualTo(ScorerKind.PROPORTION);
        assertThat(goodLcp.direction()).isEqualTo(Direction.DOWN);
        assertThat(goodLcp.kind()).isEqualTo(MetricKind.LATENCY);
        assertThat(goodLcp.logScale()).isFalse();
        assertThat(defaults.resolve("shop", null, null, "inp_good_share")).isNotNull();
        assertThat(defaults.resolve("shop", "os", "Android", "page_views")).isNull();
        assertThat(defaults.resolve("shop", "browser_version", "Chrome 131", "error_rate"))
                .isNotNull();
        // nab.yaml is a detector spec plus the nab command's own nab: section (NabSpec)
        assertThat(NabSpec.load(CONF.resolve("nab.yaml"), "value").spec()).isNotNull();
    }

    @Test
    void resolutionAppliesKindThenMetricThenMatchingOverridesInFileOrder() {
        DetectorSpecs specs = DetectorSpecs.parse(SMALL, "small.yaml");
        DetectorSpec plain = specs.resolve("blog", "route", "/home", "lcp_p75");
        assertThat(plain.zThreshold()).isEqualTo(4);
        assertThat(plain.logScale()).isTrue();
        assertThat(plain.minAbsChange()).isEqualTo(250);
        assertThat(plain.seasonal().period()).isEqualTo(SeasonalPeriod.NONE);
        assertThat(specs.resolve("blog", "route", "/checkout/pay/card", "lcp_p75").zThreshold())
                .isEqualTo(3);
        assertThat(specs.resolve("blog", "country", "/checkout/pay", "lcp_p75").zThreshold())
                .isEqualTo(4);
        DetectorSpec shop = specs.resolve("shop-eu", null, null, "lcp_p75");
        assertThat(shop.seasonal().timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(specs.resolve("shop-eu", null, null, "error_rate").seasonal().period())
                .isEqualTo(SeasonalPeriod.NONE);
        assertThat(specs.resolve("x", "route", "/api/v2/cart", "error_rate").direction())
                .isEqualTo(Direction.DOWN);
        assertThat(specs.resolve("x", "route", "/api/vx/cart", "error_rate").direction())
                .isEqualTo(Direction.BOTH);
        assertThat(specs.resolve("x", null, null, "not_configured")).isNull();
    }

    static final String BUDGETED =
            String.join(
                    "\n",
                    "version: 1",
                    "budget: { false_alerts_per_day: 1, tests_per_window: 2000 }",
                    "kinds:",
                    "  error_rate: { evidence: { max_windows: 32 } }",
                    "metrics:",
                    "  error_rate: { kind: error_rate }",
                    "  lcp_p75: { kind: latency }",
                    "  page_views: { kind: throughput, z_threshold: 6 }",
                    "");

    @Test
    void aBudgetDerivesEveryThresholdNotSetExplicitlyFromItsShareOfTheDaysFalseAlerts() {
        DetectorSpecs specs = DetectorSpecs.parse(BUDGETED, "budget.yaml");
        assertThat(specs.budget().testsPerWindow()).isEqualTo(2000);
        assertThat(specs.budget().windowsPerDay()).isEqualTo(1440);
        org.apache.commons.math3.distribution.NormalDistribution n =
                new org.apache.commons.math3.distribution.NormalDistribution(0, 1);
        DetectorSpec errors = specs.resolve("shop", null, null, "error_rate");
        assertThat(errors.evidence().scales()).containsExactly(1, 2, 4, 8, 16, 32);
        assertThat(errors.zThreshold())
                .isCloseTo(
                        n.inverseCumulativeProbability(1 - 1.0 / (2000.0 * 1440 * 6)),
                        org.assertj.core.api.Assertions.within(1e-9));
        assertThat(specs.resolve("shop", null, null, "lcp_p75").zThreshold())
                .isCloseTo(
                        n.inverseCumulativeProbability(1 - 1.0 / (2000.0 * 1440)),
                        org.assertj.core.api.Assertions.within(1e-9));
        assertThat(specs.resolve("shop", null, null, "page_views").zThreshold()).isEqualTo(6);
    }

    @Test
    void aBadBudgetNamesTheKeyLineAndFix() {
        SpecException e =
                error(BUDGETED.replace("false_alerts_per_day: 1", "false_alerts_per_day: 0"));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).contains("budget.false_alerts_per_day").contains("use e.g. 1");
        SpecException missing = error(BUDGETED.replace(", tests_per_window: 2000", ""));
        assertThat(missing.getMessage()).contains("budget.tests_per_window");
        SpecException scales = error(BUDGETED.replace("max_windows: 32", "max_windows: 65"));
        assertThat(scales.getMessage()).contains("evidence.max_windows");
    }

    @Test
    void anUnknownKeyIsRejectedWithFileLineKeyAndASuggestion() {
        SpecException e = error(SMALL.replace("    z_threshold: 4", "    z_treshold: 4"));
        assertThat(e.source()).isEqualTo("test.yaml");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("kinds.latency.z_treshold");
        assertThat(e.getMessage())
                .startsWith("test.yaml:4: kinds.latency.z_treshold: unknown key")
                .contains("did you mean 'z_threshold'?");
    }

    @Test
    void anOutOfRangeValueNamesTheAllowedRange() {
        SpecException e = error(SMALL.replace("z_threshold: 4", "z_threshold: -1"));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.getMessage())
                .contains("invalid value '-1'")
                .contains("use a number in (0, 100]");
        String drop = "z_threshold: 4\n    drop_z_threshold: -2";
        assertThat(error(SMALL.replace("z_threshold: 4", drop)).getMessage())
                .contains("drop_z_threshold")
                .contains("[0, 100]");
        assertThat(error(SMALL.replace("transform: log", "transform: ln")).getMessage())
                .contains("use one of none, log");
        assertThat(
                        error(SMALL.replace("time_zone: Europe/Berlin", "time_zone: Mars/Olympus"))
                                .getMessage())
                .contains("time-zone id");
    }

    @Test
    void relationsBetweenKeysAreCheckedAtLoadTimeAndNameTheLine() {
        SpecException e =
                error(
                        SMALL.replace(
                                "period: day, time_zone: Europe/Berlin",
                                "period: day, slot_minutes: 7"));
        assertThat(e.line()).isEqualTo(13);
        assertThat(e.getMessage()).contains("seasonal.slot_minutes").contains("does not divide");
        SpecException log =
                error(
                        SMALL.replace(
                                "{ kind: error_rate }", "{ kind: error_rate, transform: log }"));
        assertThat(log.line()).isEqualTo(8);
        assertThat(log.getMessage()).contains("set scorer: gaussian");
    }

    @Test
    void structuralMistakesAreReportedWithTheirFix() {
        assertThat(error(SMALL.replace("metrics:", "metricz:")).getMessage())
                .contains("did you mean 'metrics'?");
        assertThat(error(SMALL.replace("{ kind: error_rate }", "{ direction: up }")).getMessage())
                .contains("metrics.error_rate.kind")
                .contains("add kind:");
        assertThat(
                        error(
                                        SMALL.replace(
                                                "dimension: route, value: ",
                                                "dimension: path, value: "))
                                .getMessage())
                .contains("unknown dimension 'path'");
        assertThat(error(SMALL.replace("metric: lcp_p75", "metric: lcp_p99")).getMessage())
                .contains("matches no metric");
        assertThat(
                        error(
                                        SMALL
                                                + "  - match: { dimension: route, value_regex: \"([\" }\n    set: { z_threshold: 3 }\n")
                                .getMessage())
                .contains("invalid regular expression");
        assertThat(
                        error(
                                        SMALL.replace(
                                                "  error_rate: { kind: error_rate }",
                                                "  lcp_p75: { kind: latency }"))
                                .getMessage())
                .contains("duplicate key");
        assertThat(error(SMALL.replace("    transform: log", "    transform:")).getMessage())
                .contains("has no value");
        SpecException syntax = error("metrics:\n  a: [1, 2\n");
        assertThat(syntax.getMessage()).startsWith("test.yaml:").contains("not valid YAML");
        assertThat(error("").getMessage()).contains("empty");
    }

    @Test
    void kindMayNotBeChangedByAnOverrideOrAKindsBlock() {
        assertThat(
                        error(SMALL.replace("set: { z_threshold: 3 }", "set: { kind: throughput }"))
                                .getMessage())
                .contains("overrides[0].set.kind: unknown key");
    }
}
