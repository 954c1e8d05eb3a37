package io.beaconflow.jobs.io.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/** Domain-language fixtures for notifier tests. */
final class Notifications {
    static final long T0 = 1_777_803_300_000L; // 2026-05-03T10:15:00Z

    private Notifications() {}

    static Notification opened(String alertId, long eventTime) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("app", "shop");
        fields.put("series", "route=/checkout");
        fields.put("metric", "error_rate");
        fields.put("expected", "1.2 %");
        fields.put("observed", "7.9 %");
        fields.put("root cause hint", "release 4.2.0 started 3 min before");
        return new Notification(
                Notification.keyOf(alertId, Notification.OPENED, 0),
                Notification.OPENED,
                "shop /checkout: error rate 7.9 % (expected 1.2 %)",
                "Error rate on /checkout has been above its band for 5 minutes.",
                "critical",
                fields,
                "https://kibana.example.com/app/dashboards#/view/rum-alerts?alert=" + alertId,
                eventTime);
    }

    static Notification resolved(String alertId, long seq, long eventTime) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("app", "shop");
        fields.put("metric", "error_rate");
        fields.put("observed", "1.1 %");
        return new Notification(
                Notification.keyOf(alertId, Notification.RESOLVED, seq),
                Notification.RESOLVED,
                "shop /checkout: error rate back to normal",
                "Error rate on /checkout is back within its band.",
                "critical",
                fields,
                null,
                eventTime);
    }
}
