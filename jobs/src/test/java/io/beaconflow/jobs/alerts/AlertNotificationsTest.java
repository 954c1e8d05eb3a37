package io.beaconflow.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.io.webhook.Notification;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertNotificationsTest {
    static Alert alert(String state, int seq) {
        Alert a = new Alert();
        a.alertId = "alert-1";
        a.state = state;
        a.updateSeq = seq;
        a.severity = "critical";
        a.kind = "sustained";
        a.app = "shop";
        a.series = "shop|all|*";
        a.dimension = "all";
        a.dimensionValue = "*";
        a.metric = "error_rate";
        a.observed = 0.079;
        a.expected = 0.012;
        a.score = 0.8;
        a.firstWindow = 1_000_000;
        a.openedAt = 1_120_000;
        a.rootCauseHints =
                List.of("browser=Safari carries 83% of the extra error_rate (22% of its volume)");
        a.dashboardUrl = "http://kibana/x";
        return a;
    }

    @Test
    void anOpenedAlertBecomesAnOpenedNotificationWithAStableKey() {
        Notification n = AlertNotifications.toNotification(alert(Alert.OPEN, 0));
        assertThat(n.event).isEqualTo(Notification.OPENED);
        assertThat(n.idempotencyKey).isEqualTo("alert-1:opened:0");
        assertThat(n.title).isEqualTo("shop (all traffic): error_rate 7.9 % (expected 1.2 %)");
        assertThat(n.severity).isEqualTo("critical");
        assertThat(n.eventTime).isEqualTo(1_120_000);
        assertThat(n.link).isEqualTo("http://kibana/x");
        assertThat(n.fields)
                .containsEntry(
                        "root cause hint",
                        "browser=Safari carries 83% of the extra error_rate (22% of its volume)");
        assertThat(n.text).contains("Look at: browser=Safari");
    }

    @Test
    void aResolvedAlertNotifiesAndUpdatesDoNot() {
        Alert resolved = alert(Alert.RESOLVED, 4);
        resolved.resolvedAt = 1_500_000L;
        Notification n = AlertNotifications.toNotification(resolved);
        assertThat(n.event).isEqualTo(Notification.RESOLVED);
        assertThat(n.idempotencyKey).isEqualTo("alert-1:resolved:4");
        assertThat(n.eventTime).isEqualTo(1_500_000);
        assertThat(n.title).startsWith("Resolved: ");
        assertThat(AlertNotifications.toNotification(alert(Alert.UPDATED, 2))).isNull();
    }

    @Test
    void latenciesAreShownInMilliseconds() {
        assertThat(AlertNotifications.format("lcp_p75", 4210.4)).isEqualTo("4210 ms");
        assertThat(AlertNotifications.format("cls_p75", 0.1234)).isEqualTo("0.123");
        assertThat(AlertNotifications.format("page_views", null)).isEqualTo("?");
    }

    @Test
    void theDashboardLinkFiltersToTheSeries() {
        String url =
                DashboardLinks.series(
                        "http://k:5601/", "dash", "shop", "route", "/cart's", 0, 3_600_000);
        assertThat(url).startsWith("http://k:5601/app/dashboards#/view/dash?_g=");
        assertThat(java.net.URLDecoder.decode(url, java.nio.charset.StandardCharsets.UTF_8))
                .contains("time:(from:'1970-01-01T00:00:00Z',to:'1970-01-01T01:00:00Z')")
                .contains(
                        "query:'app:\"shop\" and dimension:\"route\" and dimension_value:\"/cart!'s\"'");
    }
}
