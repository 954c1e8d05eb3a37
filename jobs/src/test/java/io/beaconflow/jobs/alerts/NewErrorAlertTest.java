package io.beaconflow.jobs.alerts;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.errors.ErrorGroupTracker;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The new-error-after-release finding through the alert lifecycle and the notifications. */
class NewErrorAlertTest extends AlertManagerHarness {
    static final String FP = "0123456789abcdef";

    AlertingConfig config = new AlertingConfig();

    @BeforeEach
    void setUp() throws Exception {
        h = open(config, false);
    }

    static Finding newError(int firstMinute, int atMinute) {
        Finding f =
                finding(
                        Finding.NEW_ERROR,
                        "shop|" + ErrorGroupTracker.DIMENSION + "|" + FP,
                        ErrorGroupTracker.METRIC,
                        T0 + firstMinute * M,
                        T0 + (atMinute + 1) * M);
        f.key = ErrorGroupTracker.findingKey("shop", FP);
        f.metricKind = Finding.NEW_ERROR;
        f.release = "shop@2.5.0";
        f.detail = "TypeError: Cannot read properties of undefined (reading 'loyaltyTier')";
        f.related.add("browser=Safari");
        f.related.add("shop|release|shop@2.5.0");
        f.observed = 12;
        f.expected = 0.0;
        f.score = 1.0;
        f.direction = "up";
        return f;
    }

    /** The recovery of {@code of}'s series, one window ending at {@code at}. */
    static Finding quiet(Finding of, long at) {
        Finding f = finding(Finding.RECOVERED, of.series, of.metric, at, at + 1);
        f.key = of.key;
        f.metricKind = of.metricKind;
        return f;
    }

    @Test
    void aNewErrorOpensItsOwnAlertNamingFingerprintReleaseAndSessions() throws Exception {
        feed(newError(10, 14));
        h.processBothWatermarks(new Watermark(T0 + 15 * M));
        Alert a = alerts().get(0);
        assertThat(a.state).isEqualTo(Alert.OPEN);
        assertThat(a.kind).isEqualTo(Finding.NEW_ERROR);
        assertThat(a.release).isEqualTo("shop@2.5.0");
        assertThat(a.dimensionValue).isEqualTo(FP);
        assertThat(a.observed).isEqualTo(12.0);
        assertThat(a.rootCauseHints)
                .containsExactly(
                        "new error "
                                + FP
                                + " on release=shop@2.5.0: TypeError: Cannot read properties of"
                                + " undefined (reading 'loyaltyTier'), 12 sessions",
                        "browser=Safari has every occurrence");
        assertThat(a.dashboardUrl).contains(AlertLifecycle.ERROR_GROUPS_DASHBOARD).contains(FP);

        Notification n = AlertNotifications.toNotification(a);
        assertThat(n.title)
                .isEqualTo("New error " + FP + " on shop after release shop@2.5.0: 12 sessions");
        assertThat(n.text).startsWith("A JS error first seen after a release");
    }

    @Test
    void itStaysOpenPastStaleAfterAndResolvesWhenTheFingerprintGoesQuietThenLeavesNoState()
            throws Exception {
        Finding f = newError(10, 14);
        feed(f);
        h.processBothWatermarks(new Watermark(T0 + 15 * M));
        h.processBothWatermarks(new Watermark(T0 + 15 * M + 2 * config.staleAfter.toMillis()));
        assertThat(alerts()).hasSize(1); // not resolved as stale

        long quietAt = T0 + 15 * M + 2 * config.staleAfter.toMillis() + 5 * M;
        feed(quiet(f, quietAt));
        h.processBothWatermarks(new Watermark(quietAt + 1));
        Alert resolved = alerts().get(1);
        assertThat(resolved.state).isEqualTo(Alert.RESOLVED);
        assertThat(resolved.alertId).isEqualTo(alerts().get(0).alertId);
        assertThat(AlertNotifications.toNotification(resolved).title)
                .startsWith("Resolved: New error " + FP);

        // A second spread finding for the same fingerprint opens nothing new meanwhile.
        feed(newError(10, 40));
        h.processBothWatermarks(new Watermark(quietAt + 2 * M));
        assertThat(alerts()).hasSize(2);

        h.processBothWatermarks(new Watermark(quietAt + Duration.ofHours(3).toMillis()));
        assertNothingLeft(h);
    }
}
