package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import java.nio.file.Files;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class GeneratorConfigTest {

    private static String shippedYaml() throws Exception {
        return Files.readString(GeneratedTraffic.CONFIG);
    }

    @Test
    void theShippedConfigAndDemoIncidentsLoad() {
        GeneratorConfig config = GeneratedTraffic.shipped();
        assertThat(config.apps).extracting(a -> a.name).containsExactly("shop-web", "news-web");
        assertThat(config.incidents).hasSize(3);
        assertThat(config.bounded()).isTrue();
        assertThat(config.endMillis() - config.startMillis()).isEqualTo(2 * 3_600_000L);
        assertThat(config.speedFactor()).isZero();
        assertThat(config.splits).isEqualTo(4);
    }

    @Test
    void incidentsFromAnotherFileAreBlamedOnThatFileAndLine() {
        // The SPA generator has one app, not shop-web: the demo's incidents do not fit it, and
        // the message must send the user to the incidents file (it named generator-spa.yaml).
        java.nio.file.Path spa = GeneratedTraffic.CONFIG.resolveSibling("generator-spa.yaml");
        java.nio.file.Path demo = GeneratedTraffic.CONFIG.resolveSibling("incidents/demo.yaml");
        GeneratorConfig config = GeneratorConfig.load(spa);
        assertThat(config.incidents).isEmpty();
        assertThatThrownBy(() -> config.withIncidents(demo))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(demo.toString() + " line ")
                .hasMessageContaining("shop-web")
                .hasMessageNotContaining("generator-spa.yaml line");
        // A file that fits replaces the generator's own incidents.
        GeneratorConfig shipped = GeneratedTraffic.shipped();
        assertThat(shipped.withIncidents(demo).incidents).hasSize(3);
    }

    @Test
    void anUnknownKeyIsRejectedWithItsPathLineAndTheKnownKeys() throws Exception {
        String yaml = shippedYaml().replace("  clicks_per_view: 1.5", "  clicks_per_veiw: 1.5");
        assertThatThrownBy(() -> GeneratorConfig.fromYaml(yaml, "generator.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("(?s)generator.yaml line \\d+: .*")
                .hasMessageContaining("unknown key 'behaviour.clicks_per_veiw'")
                .hasMessageContaining("clicks_per_view");
    }

    @Test
    void outOfRangeValuesAreAllReportedWithTheirKeysAndFixes() throws Exception {
        String yaml =
                shippedYaml()
                        .replace("sample_rate: 0.25", "sample_rate: 1.5")
                        .replace("time_zone: Asia/Tokyo", "time_zone: Mars/Olympus")
                        .replace("splits: 4", "splits: 0")
                        .replace("bot_rate: 0.03", "bot_rate: -1")
                        .replace("warm_start: 0s", "warm_start: -1h");
        assertThatThrownBy(() -> GeneratorConfig.fromYaml(yaml, "generator.yaml"))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e ->
                                assertThat(e.problems())
                                        .hasSize(5)
                                        .anyMatch(p -> p.contains(": apps[1].sample_rate: 1.5"))
                                        .anyMatch(p -> p.contains(": apps[1].time_zone: 'Mars"))
                                        .anyMatch(p -> p.contains(": splits: 0 out of range"))
                                        .anyMatch(p -> p.contains(": realism.bot_rate: -1.0"))
                                        .anyMatch(p -> p.contains(": warm_start: '-1h'"))
                                        .allMatch(p -> p.matches("generator.yaml line \\d+: .*"))
                                        .allMatch(p -> p.contains(". Fix: ")));
    }

    /**
     * Setting the shipped config's incidents to the one {@code incident} (a YAML flow mapping, as
     * read from an incidents file {@code bad.yaml}).
     */
    private static ThrowingCallable shippedWithIncident(String incident) throws Exception {
        GeneratorConfig config = GeneratorConfig.fromYaml(shippedYaml(), "generator.yaml");
        List<IncidentSpec> incidents =
                GeneratorConfig.incidentsFromYaml("incidents:\n  - " + incident + "\n", "bad.yaml");
        return () -> config.withIncidents(incidents);
    }

    @Test
    void anIncidentOnARouteTheAppDoesNotHaveIsRejected() throws Exception {
        assertThatThrownBy(
                        shippedWithIncident(
                                "{id: x, kind: latency_regression, app: shop-web, dimension: route,"
                                        + " value: /nope, start: 10m, duration: 5m, magnitude: 2}"))
                .hasMessageContaining("incidents[0].value: route '/nope'")
                .hasMessageContaining("Fix:");
    }

    @Test
    void aRepeatedAppNameOrIncidentIdAndAMissingIdAreRejectedWithTheirFixes() throws Exception {
        String yaml = shippedYaml().replace("name: news-web", "name: shop-web");
        assertThatThrownBy(() -> GeneratorConfig.fromYaml(yaml, "generator.yaml"))
                .hasMessageContaining("apps[1].name: 'shop-web' is used twice")
                .hasMessageContaining("Fix: make app names unique");
        String twice =
                "{id: x, kind: traffic_drop, app: news-web, dimension: country, value: JP,"
                        + " start: 10m, duration: 5m, magnitude: 0.5}";
        GeneratorConfig config = GeneratorConfig.fromYaml(shippedYaml(), "generator.yaml");
        List<IncidentSpec> incidents =
                GeneratorConfig.incidentsFromYaml(
                        "incidents:\n  - "
                                + twice
                                + "\n  - "
                                + twice
                                + "\n  - "
                                + twice.replace("id: x, ", "")
                                + "\n",
                        "bad.yaml");
        assertThatThrownBy(() -> config.withIncidents(incidents))
                .hasMessageContaining("incidents[1].id: 'x' is used twice")
                .hasMessageContaining("Fix: make ids unique")
                .hasMessageContaining("incidents[2].id: missing")
                .hasMessageContaining("Fix: a unique id such as checkout-latency");
    }

    @Test
    void aTrafficDropMagnitudeAboveOneIsRejected() throws Exception {
        assertThatThrownBy(
                        shippedWithIncident(
                                "{id: y, kind: traffic_drop, app: news-web, dimension: country,"
                                        + " value: JP, start: 2026-11-02T08:10:00Z, duration: 5m,"
                                        + " magnitude: 3}"))
                .hasMessageContaining("incidents[0].magnitude");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(GeneratorConfig.parseDuration("90s")).isEqualTo(90_000);
        assertThat(GeneratorConfig.parseDuration("2h")).isEqualTo(7_200_000);
        assertThat(GeneratorConfig.parseDuration("PT30M")).isEqualTo(1_800_000);
        assertThat(GeneratorConfig.parseDuration("250ms")).isEqualTo(250);
        assertThatThrownBy(() -> GeneratorConfig.parseDuration("10"))
                .hasMessageContaining("no unit");
    }
}
