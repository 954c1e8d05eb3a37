package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {
    @Test
    void theDefaultsAreValidAndMatchTheDocumentedValues() {
        MetricsConfig c = new MetricsConfig();
        c.validate("beaconflow.yaml");
        assertThat(c.window).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.allowedLateness).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.dimensionList())
                .containsExactly(
                        Dimension.ROUTE,
                        Dimension.RELEASE,
                        Dimension.BROWSER,
                        Dimension.COUNTRY,
                        Dimension.DEVICE,
                        Dimension.VARIANT,
                        Dimension.OS,
                        Dimension.BROWSER_VERSION,
                        // Shipped since endpoint templates are learned in event time (2026-12-03).
                        Dimension.ENDPOINT);
        assertThat(c.excludeBots).isTrue();
        assertThat(c.fetchFailureStatuses).containsExactly("network", "4xx", "5xx");
        assertThat(c.apdexThreshold).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.sketchRelativeAccuracy).isEqualTo(0.01);
    }

    @Test
    void anUnknownDimensionNamesTheFileTheKeyAndTheAllowedValues() {
        MetricsConfig c = new MetricsConfig();
        c.dimensions = List.of("route", "browsr");
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beaconflow.yaml")
                .hasMessageContaining("metrics.dimensions[1]")
                .hasMessageContaining("browsr")
                .hasMessageContaining("Fix: use some of [route, release, browser");
    }

    @Test
    void aRepeatedDimensionIsRejected() {
        MetricsConfig c = new MetricsConfig();
        c.dimensions = List.of("route", "route");
        assertThatThrownBy(() -> c.validate("f.yaml")).hasMessageContaining("listed twice");
    }

    @Test
    void aZeroWindowANegativeLatenessAndAnAccuracyOfOneAreRejectedWithTheirKeys() {
        MetricsConfig w = new MetricsConfig();
        w.window = Duration.ZERO;
        assertThatThrownBy(() -> w.validate("f.yaml"))
                .hasMessageContaining("metrics.window")
                .hasMessageContaining("Fix: set e.g. 1m");
        MetricsConfig l = new MetricsConfig();
        l.allowedLateness = Duration.ofSeconds(-1);
        assertThatThrownBy(() -> l.validate("f.yaml"))
                .hasMessageContaining("metrics.allowed-lateness");
        MetricsConfig a = new MetricsConfig();
        a.sketchRelativeAccuracy = 1.0;
        assertThatThrownBy(() -> a.validate("f.yaml"))
                .hasMessageContaining("metrics.sketch-relative-accuracy")
                .hasMessageContaining("0.01");
    }

    @Test
    void anEmptyDimensionListMeansAppTotalsOnly() {
        MetricsConfig c = new MetricsConfig();
        c.dimensions = List.of();
        c.validate("f.yaml");
        assertThat(c.dimensionList()).isEmpty();
    }

    @Test
    void failingStatusesTakeNetworkClassesAndCodes() {
        MetricsConfig c = new MetricsConfig();
        c.fetchFailureStatuses = List.of("network", "5XX", "429");
        c.validate("f.yaml");
        boolean[] failing = c.failingStatuses();
        assertThat(failing[0]).isTrue();
        assertThat(failing[429]).isTrue();
        assertThat(failing[428]).isFalse();
        assertThat(failing[404]).isFalse();
        assertThat(failing[500]).isTrue();
        assertThat(failing[599]).isTrue();
        assertThat(failing[200]).isFalse();
        assertThat(new MetricsConfig().failingStatuses()[404]).as("default has 4xx").isTrue();
    }

    @Test
    void aBadFailingStatusOrApdexThresholdNamesItsKeyAndTheFix() {
        MetricsConfig s = new MetricsConfig();
        s.fetchFailureStatuses = List.of("5xx", "600");
        assertThatThrownBy(() -> s.validate("f.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.fetch-failure-statuses[1]")
                .hasMessageContaining("'600'")
                .hasMessageContaining("network (status 0), a class 1xx to 5xx, or a code");
        MetricsConfig t = new MetricsConfig();
        t.fetchFailureStatuses = List.of("timeout");
        assertThatThrownBy(() -> t.validate("f.yaml")).hasMessageContaining("'timeout'");
        MetricsConfig a = new MetricsConfig();
        a.apdexThreshold = Duration.ZERO;
        assertThatThrownBy(() -> a.validate("f.yaml"))
                .hasMessageContaining("metrics.apdex-threshold")
                .hasMessageContaining("set e.g. 2s");
    }
}
