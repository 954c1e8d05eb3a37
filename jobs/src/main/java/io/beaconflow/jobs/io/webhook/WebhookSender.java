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
 *   <li>5xx, 429, 408, timeouts and connection errors: retried after {@link Backoff} (doubling,
 *       capped at {@code max-backoff}), up to {@code max-retries}, each retry counted in {@code
 *       notificationRetries}; a 429's {@code Retry-After} is honoured.
 *   <li>Any other status (400, 401, 403, 404, 410…): not retried, since a bad token or a deleted
 *       Slack channel cannot heal by itself.
 * </ul>
 *
 * <p>Nothing is dropped: a notification refused for good, or still undelivered when the retries run
 * out, is counted in {@code notificationsFailed} and fails the job with a {@link
 * WebhookDeliveryException} naming the host, the notification and the fix. Its committable is still
 * in the checkpointed state, so the restarted job delivers it (docs/DISCUSSION.md, Notifications,
 * says why this beats logging and dropping, and why parking it is not available).
 *
 * <p>The URL (Slack webhook URLs carry their secret in the path) and header values are never
 * logged; messages name the host only.
 */
public final class WebhookSender {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final int LOGGED_BODY_CHARS = 200;

    /** What happened to one notification (a failure is a {@link WebhookDeliveryException}). */
    public enum Outcome {
        DELIVERED,
        /** The delivery log shows it went out before a restart: not sent again. */
        ALREADY_DELIVERED
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

    /**
     * Delivers {@code n}, or throws.
     *
     * @throws WebhookDeliveryException when the receiver refuses it for good or the retries run
     *     out: the caller (the committer) lets it fail the job, which delivers it after the restart
     */
    public Outcome deliver(Notification n) throws InterruptedException, WebhookDeliveryException {
        if (alreadyDelivered(n)) {
            metrics.alreadyDelivered.inc();
            LOG.info(
                    "Webhook {}: {} already delivered before a restore, not sent",
                    host(),
                    n.idempotencyKey);
            return Outcome.ALREADY_DELIVERED;
        }
        HttpRequest request;
        try {
            request = request(n);
        } catch (RuntimeException e) {
            // Cannot even be built (e.g. a key with a line break): a bug upstream, stop on it.
            metrics.failed.inc();
            throw new WebhookDeliveryException(
                    "Notification "
                            + n.idempotencyKey
                            + " cannot be turned into an HTTP request ("
                            + e
                            + "). Fix: the alerting stage must build keys with"
                            + " Notification.keyOf(...)",
                    e);
        }
        long firstAttempt = ticker.nanoTime();
        for (int attempt = 0; ; attempt++) {
            if (bucket.acquire() > 0) {
                metrics.rateLimited.inc();
            }
            Optional<Duration> retryAfter = Optional.empty();
            String problem = null;
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                response = null;
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (response != null) {
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    metrics.sent.inc();
                    markDelivered(n);
                    // One line per notification (they are few): with the receiver's log, this is
                    // what tells a re-send after a restore from a retry or an upstream copy.
                    LOG.info(
                            "Webhook {}: delivered {} (HTTP {}, attempt {}, {} ms)",
                            host(),
                            n.idempotencyKey,
                            status,
                            attempt + 1,
                            Duration.ofNanos(ticker.nanoTime() - firstAttempt).toMillis());
                    return Outcome.DELIVERED;
                }
                if (!retryable(status)) {
                    metrics.failed.inc();
                    throw new WebhookDeliveryException(
                            "Webhook "
                                    + uri.getHost()
                                    + " refused notification "
                                    + describe(n)
                                    + " with HTTP "
                                    + status
                                    + " ("
                                    + abbreviate(response.body())
                                    + "). Not retried: "
                                    + fixFor(status)
                                    + ". "
                                    + AFTER_FAILURE);
                }
                if (status == 429) {
                    retryAfter =
                            Backoff.parseRetryAfter(
                                    response.headers().firstValue("Retry-After").orElse(null));
                }
                problem = "HTTP " + status;
            }
            boolean waitTooLong =
                    retryAfter.map(d -> d.compareTo(Backoff.MAX_RETRY_AFTER) > 0).orElse(false);
            if (attempt >= config.maxRetries || waitTooLong) {
                metrics.failed.inc();
                throw new WebhookDeliveryException(
                        "Webhook "
                                + uri.getHost()
                                + " did not take notification "
                                + describe(n)
                                + " in "
                                + (attempt + 1)
                                + " attempts over "
                                + Duration.ofNanos(ticker.nanoTime() - firstAttempt).toMillis()
                                + " ms (notifications.webhook.max-retries="
                                + config.maxRetries
                                + ", max-backoff="
                                + config.maxBackoff
                                + (waitTooLong
                                        ? "; it asked to wait " + retryAfter.get() + ", over 5 min"
                                        : "")
                                + "); last: "
                                + problem
                                + ". Fix: bring the receiver back (check its health and the"
                                + " network path to "
                                + uri.getHost()
                                + "); keep max-retries x max-backoff well below"
                                + " execution.checkpointing.timeout. "
                                + AFTER_FAILURE);
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

    private static final String AFTER_FAILURE =
            "The notification stays in the sink's checkpointed state and is sent again when the"
                    + " job restarts: nothing is lost (the alert is also in the rum-alerts index)";

    private String host() {
        return uri.getHost();
    }

    private static String describe(Notification n) {
        return n.idempotencyKey + " (" + n.event + ", '" + n.title + "')";
    }

    /** What to do about a status that retrying cannot fix. */
    static String fixFor(int status) {
        if (status == 401 || status == 403) {
            return "the receiver refuses our credentials; check notifications.webhook.headers"
                    + " (e.g. the token in Authorization) and the variable it comes from";
        }
        if (status == 404 || status == 410) {
            return "the URL no longer exists (a deleted Slack webhook or channel); set"
                    + " notifications.webhook.url to a live one";
        }
        if (status == 400 || status == 413 || status == 415 || status == 422) {
            return "the receiver refuses the payload; check that notifications.webhook.format"
                    + " (json or slack) is what it expects";
        }
        return "check the receiver and notifications.webhook.url";
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
