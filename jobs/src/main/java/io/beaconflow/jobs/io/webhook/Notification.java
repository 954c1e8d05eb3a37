package io.beaconflow.jobs.io.webhook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message for people: an alert opened or resolved. Independent of the alert class: the alerting
 * stage maps its lifecycle records to these and keeps only the open and resolve transitions
 * (updates are not sent, to avoid a message per window).
 *
 * <p>A Flink POJO (public fields, no-arg constructor, interface-typed map) so it travels without
 * Kryo. {@link #idempotencyKey} must be deterministic, e.g. {@code alertId + ":" + transition + ":"
 * + updateSeq} ({@link #keyOf}): the same transition replayed after a failure gets the same key,
 * which is what the sink and the receiver dedupe on.
 */
public class Notification {
    public static final String OPENED = "opened";
    public static final String RESOLVED = "resolved";

    public String idempotencyKey;

    /** {@link #OPENED} or {@link #RESOLVED}. */
    public String event;

    /** One line, e.g. "shop /checkout: error rate 7.9 % (expected 1.2 %)". */
    public String title;

    /** Human summary: what happened, since when, what to look at. */
    public String text;

    /** e.g. critical, warning, info (free text, shown as given). */
    public String severity;

    /** Labelled facts: app, series, metric, expected, observed, root cause hint… (order kept). */
    public Map<String, String> fields = new LinkedHashMap<>();

    /** Dashboard URL, optional. */
    public String link;

    /** Event time of the transition, epoch milliseconds. */
    public long eventTime;

    public Notification() {}

    public Notification(
            String idempotencyKey,
            String event,
            String title,
            String text,
            String severity,
            Map<String, String> fields,
            String link,
            long eventTime) {
        this.idempotencyKey = idempotencyKey;
        this.event = event;
        this.title = title;
        this.text = text;
        this.severity = severity;
        this.fields = fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields);
        this.link = link;
        this.eventTime = eventTime;
    }

    /** The conventional key: {@code <alertId>:<transition>:<updateSeq>}. */
    public static String keyOf(String alertId, String transition, long updateSeq) {
        return alertId + ":" + transition + ":" + updateSeq;
    }

    /** A deep copy, for sinks that keep records while object reuse is on. */
    public Notification copy() {
        return new Notification(
                idempotencyKey, event, title, text, severity, fields, link, eventTime);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Notification)) return false;
        Notification n = (Notification) o;
        return eventTime == n.eventTime
                && Objects.equals(idempotencyKey, n.idempotencyKey)
                && Objects.equals(event, n.event)
                && Objects.equals(title, n.title)
                && Objects.equals(text, n.text)
                && Objects.equals(severity, n.severity)
                && Objects.equals(fields, n.fields)
                && Objects.equals(link, n.link);
    }

    @Override
    public int hashCode() {
        return Objects.hash(idempotencyKey, event, eventTime);
    }

    @Override
    public String toString() {
        return "Notification{" + idempotencyKey + ", " + event + ", " + title + "}";
    }
}
