package io.beaconflow.jobs.io.webhook;

import static io.beaconflow.jobs.io.webhook.Notifications.T0;
import static io.beaconflow.jobs.io.webhook.Notifications.opened;
import static io.beaconflow.jobs.io.webhook.Notifications.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender against a real HTTP server on localhost; the clock is fake, so backoff and rate-limit
 * waits are asserted exactly and take no time.
 */
class WebhookSenderTest {
    private final FakeTicker clock = new FakeTicker();
    private final WebhookSender.Metrics metrics = WebhookSender.Metrics.detached();

    private WebhookSender sender(WebhookReceiver receiver, DeliveryLog log) {
        WebhookConfig c = WebhookConfig.forUrl(receiver.url());
        c.headers.put("Authorization", "Bearer t0ken");
        c.initialBackoff = Duration.ofMillis(500);
        c.maxBackoff = Duration.ofSeconds(5);
        c.maxRetries = 3;
        c.rateLimitPerMinute = 600;
        c.rateLimitBurst = 100;
        c.validate("test");
        return new WebhookSender(c, clock, log, metrics);
    }

    @Test
    void twoServerErrorsAreRetriedWithGrowingBackoffAndTheThirdAttemptDelivers() throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> n <= 2 ? 500 : 200)) {
            WebhookSender.Outcome out = sender(r, DeliveryLog.none()).deliver(opened("a1", T0));

            assertThat(out).isEqualTo(WebhookSender.Outcome.DELIVERED);
            assertThat(r.attempts())
                    .extracting(WebhookReceiver.Attempt::status)
                    .containsExactly(500, 500, 200);
            assertThat(clock.sleepsMillis()).containsExactly(500L, 1000L);
            assertThat(metrics.sent()).isEqualTo(1);
            assertThat(metrics.retries()).isEqualTo(2);
            assertThat(metrics.failed()).isZero();
        }
    }

    @Test
    void everyAttemptCarriesTheIdempotencyKeyConfiguredHeadersAndAJsonBody() throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> n == 1 ? 503 : 204)) {
            sender(r, DeliveryLog.none()).deliver(opened("a1", T0));

            assertThat(r.attempts())
                    .hasSize(2)
                    .allSatisfy(
                            a -> {
                                assertThat(a.key()).isEqualTo("a1:opened:0");
                                assertThat(a.authorization()).isEqualTo("Bearer t0ken");
                                assertThat(a.contentType()).startsWith("application/json");
                                assertThat(a.body())
                                        .contains("\"idempotency_key\":\"a1:opened:0\"");
                            });
        }
    }

    @Test
    void aClientErrorIsNotRetriedAndFailsTheJobWithTheFixInsteadOfDroppingTheNotification()
            throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> 400)) {
            WebhookSender s = sender(r, DeliveryLog.none());

            assertThatThrownBy(() -> s.deliver(opened("a1", T0)))
                    .isInstanceOf(WebhookDeliveryException.class)
                    .hasMessageContaining("Webhook 127.0.0.1 refused notification a1:opened:0")
                    .hasMessageContaining("HTTP 400")
                    .hasMessageContaining("notifications.webhook.format")
                    .hasMessageContaining("sent again when the job restarts")
                    .hasMessageNotContaining(r.url())
                    .hasMessageNotContaining("t0ken");
            assertThat(r.attempts()).hasSize(1);
            assertThat(clock.sleeps).isEmpty();
            assertThat(metrics.failed()).isEqualTo(1);
            assertThat(metrics.retries()).isZero();
        }
    }

    @Test
    void aGoneUrlAndARefusedTokenNameTheirFix() throws Exception {
        try (WebhookReceiver gone = WebhookReceiver.start((key, n) -> 404);
                WebhookReceiver denied = WebhookReceiver.start((key, n) -> 403)) {
            assertThatThrownBy(() -> sender(gone, DeliveryLog.none()).deliver(opened("a1", T0)))
                    .hasMessageContaining("HTTP 404")
                    .hasMessageContaining("set notifications.webhook.url to a live one");
            assertThatThrownBy(() -> sender(denied, DeliveryLog.none()).deliver(opened("a1", T0)))
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("notifications.webhook.headers");
            assertThat(metrics.failed()).isEqualTo(2);
        }
    }

    @Test
    void tooManyRequestsWaitsForRetryAfterWhenItIsLongerThanTheBackoff() throws Exception {
        try (WebhookReceiver r =
                WebhookReceiver.start((key, n) -> n == 1 ? 429 : 200, Map.of("Retry-After", "3"))) {
            WebhookSender.Outcome out = sender(r, DeliveryLog.none()).deliver(opened("a1", T0));

            assertThat(out).isEqualTo(WebhookSender.Outcome.DELIVERED);
            assertThat(clock.sleepsMillis()).containsExactly(3000L);
        }
    }

    @Test
    void aServerThatKeepsFailingIsRetriedWithCappedBackoffThenFailsTheJobVisibly()
            throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> 502)) {
            WebhookSender s = sender(r, DeliveryLog.none());

            assertThatThrownBy(() -> s.deliver(opened("a1", T0)))
                    .isInstanceOf(WebhookDeliveryException.class)
                    .hasMessageContaining(
                            "Webhook 127.0.0.1 did not take notification a1:opened:0 (opened,")
                    .hasMessageContaining("in 4 attempts over 3500 ms")
                    .hasMessageContaining("max-retries=3")
                    .hasMessageContaining("last: HTTP 502")
                    .hasMessageContaining("nothing is lost");
            assertThat(r.attempts()).hasSize(4); // the first attempt and 3 retries
            assertThat(metrics.retries()).isEqualTo(3);
            assertThat(clock.sleepsMillis()).containsExactly(500L, 1000L, 2000L);
            assertThat(metrics.failed()).isEqualTo(1);
            assertThat(metrics.sent()).isZero();
        }
    }

    @Test
    void anUnreachableReceiverIsRetriedLikeAServerError() throws Exception {
        WebhookReceiver closed = WebhookReceiver.start((key, n) -> 200);
        closed.close();

        assertThatThrownBy(() -> sender(closed, DeliveryLog.none()).deliver(opened("a1", T0)))
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessageContaining("in 4 attempts")
                .hasMessageContaining("ConnectException");
        assertThat(metrics.retries()).isEqualTo(3);
        assertThat(metrics.failed()).isEqualTo(1);
    }

    @Test
    void aNotificationInTheDeliveryLogIsNotSentAgain(@TempDir Path dir) throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> 200);
                DeliveryLog log =
                        DeliveryLog.onFileSystem(dir.toUri().toString(), Duration.ofDays(7))) {
            WebhookSender s = sender(r, log);

            assertThat(s.deliver(opened("a1", T0))).isEqualTo(WebhookSender.Outcome.DELIVERED);
            assertThat(s.deliver(opened("a1", T0)))
                    .isEqualTo(WebhookSender.Outcome.ALREADY_DELIVERED);
            assertThat(s.deliver(resolved("a1", 1, T0))).isEqualTo(WebhookSender.Outcome.DELIVERED);

            assertThat(r.deliveredPerKey())
                    .containsOnly(Map.entry("a1:opened:0", 1L), Map.entry("a1:resolved:1", 1L));
            assertThat(metrics.alreadyDelivered()).isEqualTo(1);
        }
    }

    @Test
    void theDeliveryLogDeletesDaysOlderThanItsRetentionInEventTime(@TempDir Path dir)
            throws Exception {
        long day = 86_400_000L;
        try (DeliveryLog log =
                DeliveryLog.onFileSystem(dir.toUri().toString(), Duration.ofDays(2))) {
            log.markDelivered(opened("old", T0));
            log.markDelivered(opened("mid", T0 + day));
            log.markDelivered(opened("new", T0 + 3 * day));

            assertThat(log.wasDelivered(opened("old", T0))).isFalse();
            assertThat(log.wasDelivered(opened("mid", T0 + day))).isTrue();
            assertThat(log.wasDelivered(opened("new", T0 + 3 * day))).isTrue();
            try (Stream<Path> days = Files.list(dir)) {
                assertThat(days.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("2026-05-04", "2026-05-06");
            }
        }
    }

    @Test
    void aBurstBeyondTheRateLimitIsDelayedNotDropped() throws Exception {
        try (WebhookReceiver r = WebhookReceiver.start((key, n) -> 200)) {
            WebhookConfig c = WebhookConfig.forUrl(r.url());
            c.rateLimitPerMinute = 60;
            c.rateLimitBurst = 2;
            WebhookSender s = new WebhookSender(c, clock, DeliveryLog.none(), metrics);

            for (int i = 0; i < 5; i++) {
                assertThat(s.deliver(opened("a" + i, T0)))
                        .isEqualTo(WebhookSender.Outcome.DELIVERED);
            }

            assertThat(r.deliveredPerKey()).hasSize(5);
            assertThat(clock.sleepsMillis()).containsExactly(1000L, 1000L, 1000L);
            assertThat(metrics.rateLimited()).isEqualTo(3);
        }
    }
}
