package io.beaconflow.jobs.io.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one notification: rate limit, POST, retry with backoff, classify the outcome.
 *
 * <ul>
 *   <li>2xx: delivered (marked in the {@link DeliveryLog}).
 *   <li>5xx, 429, 408, timeouts and connection errors: retried after {@link Backoff}, up to {@code
 *       max-retries}; a 429's {@code Retry-After} is honoured.
 *   <li>Any other status (400, 401, 403, 404, 410…): permanent. Retrying a bad token or a deleted
 *       Slack channel cannot succeed, so it is logged and counted once.
 * </ul>
 *
 * <p>A notification whose retries run out is counted in {@code notificationsFailed} and logged
 * (key, event, title) so it can be re-sent by hand; it is not retried further. The alternative,
 * failing the job, would stop the analytics for as long as the alert receiver is down, and the
 * alert itself stays in the rum-alerts index either way.
 *
 * <p>The URL (Slack webhook URLs carry their secret in the path) and header values are never
 * logged; messages name the host only.
 */
public final class WebhookSender {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final int LOGGED_BODY_CHARS = 200;

    /** What happened to one notification. */
    public enum Outcome {
        DELIVERED,
        /** The delivery log shows it went out before a restart: not sent again. */
        ALREADY_DELIVERED,
        /** A 4xx (other than 408/429): the receiver will never accept it. */
        REJECTED,
        /** Retries exhausted on 5xx / 429 / connection errors. */
        GAVE_UP
    }

    /** The notifier's counters, on the committer's metric group. */
    public static final class Metrics {
        final Counter sent;
        final Counter retries;
        final Counter failed;
        final Counter alreadyDelivered;
        final Counter rateLimited;

        Metrics(Counter sent, Counter retries, Counter failed, Counter already, Counter limited) {
            this.sent = sent;
            this.retries = retries;
            this.failed = failed;
            this.alreadyDelivered = already;
            this.rateLimited = limited;
        }

        public static Metrics on(MetricGroup group) {
            return new Metrics(
                    group.counter("notificationsSent"),
                    group.counter("notificationRetries"),
                    group.counter("notificationsFailed"),
                    group.counter("notificationsAlreadyDelivered"),
                    group.counter("notificationsRateLimited"));
        }

        /** Counters outside a metric group, for tests. */
        public static Metrics detached() {
            return new Metrics(
                    new SimpleCounter(),
                    new SimpleCounter(),
                    new SimpleCounter(),
                    new SimpleCounter(),
                    new SimpleCounter());
        }

        public long sent() {
            return sent.getCount();
        }

        public long retries() {
            return retries.getCount();
        }

        public long failed() {
            return failed.getCount();
        }

        public long alreadyDelivered() {
            return alreadyDelivered.getCount();
        }

        public long rateLimited() {
            return rateLimited.getCount();
        }
    }

    private final WebhookConfig config;
    private final URI uri;
    private final HttpClient http;
    private final Ticker ticker;
    private final TokenBucket bucket;
    private final Backoff backoff;
    private final DeliveryLog log;
    private final Metrics metrics;

    public WebhookSender(WebhookConfig config, Ticker ticker, DeliveryLog log, Metrics metrics) {
        this.config = config;
        this.uri = URI.create(config.url);
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(config.timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.ticker = ticker;
        this.bucket = new TokenBucket(config.rateLimitPerMinute, config.rateLimitBurst, ticker);
        this.backoff = new Backoff(config.initialBackoff, config.maxBackoff);
        this.log = log;
        this.metrics = metrics;
    }

    public Outcome deliver(Notification n) throws InterruptedException {
        if (alreadyDelivered(n)) {
            metrics.alreadyDelivered.inc();
            return Outcome.ALREADY_DELIVERED;
        }
        HttpRequest request;
        try {
            request = request(n);
        } catch (RuntimeException e) {
            // Cannot even be built (e.g. a key with a line break): no retry can help.
            metrics.failed.inc();
            LOG.error("Notification {} cannot be sent: {}", n.idempotencyKey, e.toString());
            return Outcome.REJECTED;
        }
        for (int attempt = 0; ; attempt++) {
            if (bucket.acquire() > 0) {
                metrics.rateLimited.inc();
            }
            Optional<Duration> retryAfter = Optional.empty();
            String problem;
            try {
                HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    metrics.sent.inc();
                    markDelivered(n);
                    return Outcome.DELIVERED;
                }
                if (!retryable(status)) {
                    metrics.failed.inc();
                    LOG.error(
                            "Webhook {} rejected notification {} ({}, '{}') with HTTP {}: {}."
                                    + " Not retried: fix the receiver or its config.",
                            uri.getHost(),
                            n.idempotencyKey,
                            n.event,
                            n.title,
                            status,
                            abbreviate(response.body()));
                    return Outcome.REJECTED;
                }
                if (status == 429) {
                    retryAfter =
                            Backoff.parseRetryAfter(
                                    response.headers().firstValue("Retry-After").orElse(null));
                }
                problem = "HTTP " + status;
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (attempt >= config.maxRetries
                    || retryAfter
                            .map(d -> d.compareTo(Backoff.MAX_RETRY_AFTER) > 0)
                            .orElse(false)) {
                metrics.failed.inc();
                LOG.error(
                        "Webhook {}: gave up on notification {} ({}, '{}') after {} attempts,"
                                + " last: {}. Re-send it by hand if it still matters.",
                        uri.getHost(),
                        n.idempotencyKey,
                        n.event,
                        n.title,
                        attempt + 1,
                        problem);
                return Outcome.GAVE_UP;
            }
            Duration wait = backoff.delayBeforeRetry(attempt + 1, retryAfter);
            LOG.warn(
                    "Webhook {}: notification {} attempt {} failed ({}); retrying in {} ms",
                    uri.getHost(),
                    n.idempotencyKey,
                    attempt + 1,
                    problem,
                    wait.toMillis());
            metrics.retries.inc();
            ticker.sleepNanos(wait.toNanos());
        }
    }

    /** 5xx, 429 Too Many Requests, 408 Request Timeout: the same request may succeed later. */
    static boolean retryable(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    HttpRequest request(Notification n) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri)
                        .timeout(config.timeout)
                        .header("Content-Type", "application/json; charset=utf-8")
                        .header("Idempotency-Key", n.idempotencyKey)
                        .header("User-Agent", "beaconflow-notifier");
        for (Map.Entry<String, String> h : config.headers.entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.POST(
                        HttpRequest.BodyPublishers.ofByteArray(
                                WebhookPayloads.body(config.format, n)))
                .build();
    }

    private boolean alreadyDelivered(Notification n) {
        try {
            return log.wasDelivered(n);
        } catch (IOException e) {
            // Unknown: sending again is the safe side (same idempotency key).
            LOG.warn("Delivery log unreadable for {}: {}", n.idempotencyKey, e.toString());
            return false;
        }
    }

    private void markDelivered(Notification n) {
        try {
            log.markDelivered(n);
        } catch (IOException e) {
            LOG.warn(
                    "Delivered {} but could not record it in the delivery log: {}. A restart"
                            + " before the next checkpoint may send it again (same key).",
                    n.idempotencyKey,
                    e.toString());
        }
    }

    private static String abbreviate(String body) {
        if (body == null) return "";
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= LOGGED_BODY_CHARS
                ? oneLine
                : oneLine.substring(0, LOGGED_BODY_CHARS) + "…";
    }
}
