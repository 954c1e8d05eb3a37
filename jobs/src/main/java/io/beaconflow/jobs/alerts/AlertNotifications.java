package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.io.webhook.Notification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Alert versions → messages for people. Only the two transitions people act on are sent: opened and
 * resolved; updates (a new member series, a higher score, a hint) only rewrite the alert document.
 * The idempotency key is {@code alertId:transition:updateSeq}, so a replayed transition is
 * deduplicated by the webhook sink and the receiver.
 */
public final class AlertNotifications {
    private AlertNotifications() {}

    /** The notification for an opening or resolving version, else null. */
    public static Notification toNotification(Alert a) {
        String event;
        long at;
        if (Alert.OPEN.equals(a.state)) {
            event = Notification.OPENED;
            at = a.openedAt;
        } else if (Alert.RESOLVED.equals(a.state) && a.resolvedAt != null) {
            event = Notification.RESOLVED;
            at = a.resolvedAt;
        } else {
            return null;
        }
        String where = where(a);
        String title =
                "new_error".equals(a.kind)
                        ? String.format(
                                Locale.ROOT,
                                "%sNew error %s on %s after release %s: %s sessions",
                                event.equals(Notification.RESOLVED) ? "Resolved: " : "",
                                a.dimensionValue,
                                a.app,
                                a.release,
                                format(a.metric, a.observed))
                        : String.format(
                                Locale.ROOT,
                                "%s%s %s: %s %s (expected %s)",
                                event.equals(Notification.RESOLVED) ? "Resolved: " : "",
                                a.app,
                                where,
                                a.metric,
                                format(a.metric, a.observed),
                                format(a.metric, a.expected));
        StringBuilder text = new StringBuilder();
        text.append(kindText(a.kind))
                .append(" on ")
                .append(a.series)
                .append(", anomalous since ")
                .append(Instant.ofEpochMilli(a.firstWindow));
        if (event.equals(Notification.RESOLVED)) {
            text.append(", back to normal at ").append(Instant.ofEpochMilli(a.resolvedAt));
        }
        text.append('.');
        if (a.release != null) {
            text.append(" Attributed to release ").append(a.release).append('.');
        }
        if (!a.rootCauseHints.isEmpty()) {
            text.append(" Look at: ").append(String.join("; ", a.rootCauseHints)).append('.');
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("app", a.app);
        fields.put("series", a.series);
        fields.put("metric", a.metric);
        fields.put("observed", format(a.metric, a.observed));
        fields.put("expected", format(a.metric, a.expected));
        fields.put("score", String.format(Locale.ROOT, "%.2f", a.score));
        fields.put("kind", a.kind);
        fields.put("first window", Instant.ofEpochMilli(a.firstWindow).toString());
        if (a.resolvedAt != null) {
            fields.put("resolved at", Instant.ofEpochMilli(a.resolvedAt).toString());
        }
        if (a.release != null) {
            fields.put("release", a.release);
        }
        if (!a.rootCauseHints.isEmpty()) {
            fields.put("root cause hint", a.rootCauseHints.get(0));
        }
        fields.put("alert id", a.alertId);
        return new Notification(
                Notification.keyOf(a.alertId, event, a.updateSeq),
                event,
                title,
                text.toString(),
                a.severity,
                fields,
                a.dashboardUrl,
                at);
    }

    private static String where(Alert a) {
        return "all".equals(a.dimension) ? "(all traffic)" : a.dimension + "=" + a.dimensionValue;
    }

    private static String kindText(String kind) {
        switch (kind) {
            case "correlated":
                return "Error rate up and traffic down together";
            case "release_regression":
                return "Regression after a new release";
            case "frustration":
                return "Rage clicks far above normal";
            case "new_error":
                return "A JS error first seen after a release, in many sessions";
            default:
                return "Sustained anomaly";
        }
    }

    /** Rates as percentages, latencies in ms, counts whole, unknown as "?". */
    static String format(String metric, Double v) {
        if (v == null) {
            return "?";
        }
        if (metric.endsWith("_rate")) {
            return String.format(Locale.ROOT, "%.1f %%", v * 100);
        }
        if (metric.startsWith("cls_")) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (metric.matches(".*_p\\d\\d")) {
            return String.format(Locale.ROOT, "%.0f ms", v);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
