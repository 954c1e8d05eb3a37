package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.IncidentTruth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the demo and evaluate judge new-error alerts against the injected incidents. */
class NewErrorIncidentMatchTest {
    static final long M = 60_000;

    static Alert newErrorAlert(int openedMinute, String... hints) {
        Alert a = new Alert();
        a.alertId = "a-new";
        a.app = "shop";
        a.kind = "new_error";
        a.dimension = "error_fingerprint";
        a.dimensionValue = "0123456789abcdef";
        a.series = "shop|error_fingerprint|0123456789abcdef";
        a.metric = "error_sessions";
        a.release = "shop@2.5.0";
        a.openedAt = openedMinute * M;
        a.rootCauseHints = List.of(hints);
        return a;
    }

    static boolean matches(IncidentTruth t, Alert a) {
        return IncidentMatcher.match(
                        List.of(t), List.of(a), Duration.ofMinutes(1), Duration.ofMinutes(5))
                .rows()
                .get(0)
                .alerted();
    }

    @Test
    void aNewErrorIncidentIsMatchedByTheNewErrorAlertOfItsRelease() {
        IncidentTruth t =
                new IncidentTruth(
                        "bug",
                        "new_error",
                        "shop",
                        "release",
                        "shop@2.5.0",
                        "shop@2.5.0",
                        0.05,
                        IncidentTruth.ERROR_METRICS,
                        30 * M,
                        70 * M);
        assertThat(matches(t, newErrorAlert(40))).isTrue();
        Alert otherRelease = newErrorAlert(40);
        otherRelease.release = "shop@2.4.0";
        assertThat(matches(t, otherRelease)).isFalse();
        Alert latency = newErrorAlert(40);
        latency.metric = "lcp_p75";
        assertThat(matches(t, latency)).isFalse();
    }

    /** An error spike (magnitude 0.25) on shop's Safari traffic, minutes 50 to 70. */
    private static IncidentTruth safariErrorSpike() {
        return new IncidentTruth(
                "spike",
                "error_spike",
                "shop",
                "browser",
                "Safari",
                null,
                0.25,
                IncidentTruth.ERROR_METRICS,
                50 * M,
                70 * M);
    }

    @Test
    void anErrorSpikeOnOneBrowserIsMatchedByANewErrorAlertThatNamesThatBrowser() {
        IncidentTruth t = safariErrorSpike();
        assertThat(matches(t, newErrorAlert(53, "browser=Safari has every occurrence"))).isTrue();
        assertThat(matches(t, newErrorAlert(53, "browser=Chrome has every occurrence"))).isFalse();
    }

    @Test
    void nextToTheErrorRateAlertOfTheSameIncidentItIsListedButNotCounted() {
        IncidentTruth t = safariErrorSpike();
        Alert newError = newErrorAlert(52, "browser=Safari has every occurrence");
        Alert rate = newErrorAlert(53, "browser=Safari carries 60% of the extra error_rate");
        rate.alertId = "a-rate";
        rate.kind = "sustained";
        rate.metric = "error_rate";
        rate.dimension = "all";
        rate.dimensionValue = "*";
        IncidentMatcher.Row row =
                IncidentMatcher.match(
                                List.of(t),
                                List.of(newError, rate),
                                Duration.ofMinutes(1),
                                Duration.ofMinutes(5))
                        .rows()
                        .get(0);
        assertThat(row.alertCount()).isEqualTo(1);
        assertThat(row.alert().alertId).isEqualTo("a-rate");
        assertThat(row.delayWindows()).isEqualTo(3.0);
        assertThat(row.alerts()).extracting(a -> a.alertId).contains("a-new", "a-rate");
    }
}
