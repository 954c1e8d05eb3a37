package io.beaconflow.jobs.io.webhook;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
    private static final String SRC = "flink-conf/beaconflow.yaml";

    private static WebhookConfig valid() {
        WebhookConfig c = WebhookConfig.forUrl("https://hooks.example.com/beaconflow");
        c.headers.put("Authorization", "Bearer s3cr3t-token");
        return c;
    }

    @Test
    void theDefaultsWithAUrlAreValid() {
        assertThatCode(() -> valid().validate(SRC)).doesNotThrowAnyException();
    }

    @Test
    void aMissingUrlNamesTheKeyAndHowToDisableNotifications() {
        WebhookConfig c = valid();
        c.url = null;

        assertThatThrownBy(() -> c.validate(SRC))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(SRC + ": notifications.webhook.url: missing")
                .hasMessageContaining("remove the notifications.webhook section");
    }

    @Test
    void aUrlWithoutHttpSchemeIsRejected() {
        WebhookConfig c = valid();
        c.url = "hooks.example.com/beaconflow";

        assertRejected(
                () -> c.validate(SRC), "notifications.webhook.url: needs an http:// or https://");
    }

    @Test
    void aHeaderErrorNamesTheHeaderButNeverShowsItsSecretValue() {
        WebhookConfig c = valid();
        c.headers.put("X-Token", "abc\ndef-secret");

        assertThatThrownBy(() -> c.validate(SRC))
                .hasMessageContaining(
                        "notifications.webhook.headers.X-Token: contains a line break")
                .hasMessageNotContaining("secret")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void headersTheNotifierSetsItselfCannotBeConfigured() {
        WebhookConfig c = valid();
        c.headers.put("Idempotency-Key", "fixed");

        assertRejected(
                () -> c.validate(SRC),
                "notifications.webhook.headers.Idempotency-Key",
                "remove it");
    }

    @Test
    void negativeRetriesAndAZeroRateAreRejectedWithTheirKeys() {
        WebhookConfig retries = valid();
        retries.maxRetries = -1;
        WebhookConfig rate = valid();
        rate.rateLimitPerMinute = 0;

        assertRejected(
                () -> retries.validate(SRC), "notifications.webhook.max-retries: must be ≥ 0");
        assertRejected(() -> rate.validate(SRC), "notifications.webhook.rate-limit-per-minute");
    }

    @Test
    void aMaxBackoffBelowTheInitialBackoffIsRejected() {
        WebhookConfig c = valid();
        c.initialBackoff = Duration.ofSeconds(10);
        c.maxBackoff = Duration.ofSeconds(1);

        assertRejected(() -> c.validate(SRC), "notifications.webhook.max-backoff: is shorter than");
    }

    @Test
    void aZeroTimeoutIsRejected() {
        WebhookConfig c = valid();
        c.timeout = Duration.ZERO;

        assertRejected(
                () -> c.validate(SRC), "notifications.webhook.timeout: must be a duration > 0");
    }

    @Test
    void anEmptyDeliveryLogIsRejected() {
        WebhookConfig c = valid();
        c.deliveryLog = " ";

        assertRejected(() -> c.validate(SRC), "notifications.webhook.delivery-log: is empty");
    }
}
