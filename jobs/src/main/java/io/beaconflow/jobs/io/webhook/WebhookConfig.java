package io.beaconflow.jobs.io.webhook;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code notifications.webhook:} section: where alert notifications are POSTed and how hard the
 * notifier tries.
 *
 * <p>Delivery is at-least-once with an idempotency key: every request carries an {@code
 * Idempotency-Key} header (and, in the generic JSON format, the same key in the body), so a
 * receiver that dedupes on it sees each notification once. {@link #deliveryLog} closes the
 * remaining gap for receivers that do not dedupe (Slack): see {@link WebhookNotifierSink}.
 *
 * <p>Rate limit: a token bucket of {@link #rateLimitBurst} tokens refilled at {@link
 * #rateLimitPerMinute}. A notification that finds the bucket empty <b>waits</b> for a token: it is
 * delayed, never dropped. The bucket is per sink subtask, so run the notifier sink at parallelism 1
 * (notifications are few) for the limit to be the endpoint's limit.
 */
public class WebhookConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Format DEFAULT_FORMAT = Format.JSON;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 5;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final int DEFAULT_RATE_LIMIT_PER_MINUTE = 60;
    public static final int DEFAULT_RATE_LIMIT_BURST = 5;
    public static final int DEFAULT_DEDUP_KEYS = 10_000;
    public static final Duration DEFAULT_DELIVERY_LOG_RETENTION = Duration.ofDays(7);

    /**
     * Headers the HTTP client sets itself or that would break the request; configuring them is an
     * error rather than a silent surprise.
     */
    static final Set<String> RESTRICTED_HEADERS =
            Set.of(
                    "connection",
                    "content-length",
                    "expect",
                    "host",
                    "upgrade",
                    "content-type",
                    "idempotency-key");

    /** Payload shape. */
    public enum Format {
        /** {@link WebhookPayloads#json}: a flat, documented JSON object for any receiver. */
        JSON,
        /** {@link WebhookPayloads#slack}: Slack incoming-webhook {@code text} + {@code blocks}. */
        SLACK
    }

    /** {@code http(s)://…}; notifications are disabled when the whole section is absent. */
    public String url;

    public Format format = DEFAULT_FORMAT;

    /**
     * Extra request headers, e.g. {@code Authorization: Bearer ${WEBHOOK_TOKEN}}. Values are
     * secrets: they are never logged, and error messages name only the header.
     */
    public Map<String, String> headers = new LinkedHashMap<>();

    /** Per-request timeout (connect and response). */
    public Duration timeout = DEFAULT_TIMEOUT;

    /**
     * Retries after the first attempt, for 5xx, 429 and connection errors; 0 disables. When they
     * run out the job fails (and delivers the notification after the restart), so keep {@code
     * max-retries} × {@code max-backoff} well below the checkpoint timeout.
     */
    public int maxRetries = DEFAULT_MAX_RETRIES;

    public Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    public Duration maxBackoff = DEFAULT_MAX_BACKOFF;

    /** Sustained notifications per minute per sink subtask; excess waits (delayed, not dropped). */
    public int rateLimitPerMinute = DEFAULT_RATE_LIMIT_PER_MINUTE;

    /** Notifications that may go out back to back before the per-minute rate applies. */
    public int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;

    /** Idempotency keys the sink writer remembers (in its checkpointed state) to drop replays. */
    public int dedupKeys = DEFAULT_DEDUP_KEYS;

    /**
     * Optional directory (any Flink file system URI: {@code file:///…}, {@code s3://…}) where a
     * marker per delivered notification is written, so a notification delivered just before a
     * failure is not re-sent when Flink re-commits after the restart. Unset: at-least-once, with
     * the idempotency key for the receiver to dedupe.
     */
    public String deliveryLog;

    /** Markers older than this (by the notifications' event time) are deleted. */
    public Duration deliveryLogRetention = DEFAULT_DELIVERY_LOG_RETENTION;

    /** A config for {@code url} with every other setting at its default. */
    public static WebhookConfig forUrl(String url) {
        WebhookConfig c = new WebhookConfig();
        c.url = url;
        return c;
    }

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code notifications.webhook:} section. */
    public void check(ConfigProblems problems) {
        String p = "notifications.webhook.";
        checkUrl(problems, p + "url");
        problems.require(format != null, p + "format", "missing", "set json or slack");
        if (headers == null) {
            headers = new LinkedHashMap<>();
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                problems.add(
                        p + "headers",
                        "'" + name + "' is not a valid header name",
                        "use letters, digits and dashes, e.g. Authorization or X-Api-Key");
                continue;
            }
            String key = p + "headers." + name;
            problems.require(
                    !RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT)),
                    key,
                    "is set by the notifier itself",
                    "remove it");
            // The value is a secret: the message names the header, never the value.
            String value = h.getValue();
            if (value == null || value.isEmpty()) {
                problems.add(
                        key,
                        "has an empty value",
                        "give a value, e.g. ${WEBHOOK_TOKEN}, and export that variable");
            } else {
                problems.require(
                        value.indexOf('\n') < 0 && value.indexOf('\r') < 0,
                        key,
                        "contains a line break",
                        "remove the line break (check the environment variable it comes from)");
            }
        }
        problems.durationAboveZero(p + "timeout", timeout, "e.g. 10s");
        problems.require(
                maxRetries >= 0,
                p + "max-retries",
                "must be ≥ 0 (got " + maxRetries + ")",
                "set e.g. 5, or 0 to never retry");
        boolean initialOk =
                problems.durationAboveZero(p + "initial-backoff", initialBackoff, "e.g. 500ms");
        boolean maxOk = problems.durationAboveZero(p + "max-backoff", maxBackoff, "e.g. 30s");
        problems.require(
                !initialOk || !maxOk || maxBackoff.compareTo(initialBackoff) >= 0,
                p + "max-backoff",
                "is shorter than initial-backoff (" + maxBackoff + " < " + initialBackoff + ")",
                "set max-backoff ≥ initial-backoff");
        problems.greaterThanZero(p + "rate-limit-per-minute", rateLimitPerMinute, "e.g. 60");
        problems.greaterThanZero(p + "rate-limit-burst", rateLimitBurst, "e.g. 5");
        problems.greaterThanZero(p + "dedup-keys", dedupKeys, "e.g. 10000");
        if (deliveryLog != null) {
            if (deliveryLog.isBlank()) {
                problems.add(
                        p + "delivery-log",
                        "is empty",
                        "remove it, or set a durable directory, e.g. s3://bucket/beaconflow/"
                                + "webhook-delivered");
            } else {
                try {
                    new URI(deliveryLog);
                } catch (URISyntaxException e) {
                    problems.add(
                            p + "delivery-log",
                            "not a valid path or URI (" + e.getReason() + ")",
                            "write e.g. file:///var/lib/beaconflow/webhook-delivered");
                }
            }
            problems.durationAboveZero(
                    p + "delivery-log-retention", deliveryLogRetention, "e.g. 7d");
        }
    }

    private void checkUrl(ConfigProblems problems, String key) {
        if (url == null || url.isBlank()) {
            problems.add(
                    key,
                    "missing",
                    "set the receiver's URL, e.g. url: ${BEACONFLOW_WEBHOOK_URL}, or remove the"
                            + " notifications.webhook section to disable notifications");
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            problems.add(
                    key,
                    "not a valid URL (" + e.getReason() + ")",
                    "write e.g. https://hooks.example.com/beaconflow");
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        problems.require(
                (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null,
                key,
                "needs an http:// or https:// URL with a host",
                "write e.g. https://hooks.example.com/beaconflow");
    }
}
