package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Alerts, the last detection stage: the patterns' findings, per app, become alerts with a lifecycle
 * (open → updated → resolved), root-cause hints from the app's scored rows, and webhook
 * notifications for the open and resolve transitions:
 *
 * <pre>
 * findings ─keyBy app───────────────┐
 * scored rows ─▶ digests ─keyBy app─┴▶ AlertManager ─▶ alerts ─▶ notifications
 * </pre>
 */
public final class AlertStage {
    private AlertStage() {}

    /**
     * What the alert stage produces.
     *
     * @param alerts every alert version (open, updated, resolved); document id = alert id.
     * @param notifications opened and resolved transitions, for the webhook sink.
     */
    public record Outputs(DataStream<Alert> alerts, DataStream<Notification> notifications) {}

    /**
     * {@code window} is the metrics window (alert timers and delays count in it); {@code scored}
     * the scoring stage's rows, kept a few windows per app for the root-cause hints.
     */
    public static Outputs apply(
            DataStream<Finding> findings,
            DataStream<ScoredAggregate> scored,
            AlertingConfig cfg,
            Duration window) {
        SingleOutputStreamOperator<Alert> alerts =
                findings.keyBy(f -> f.app, Types.STRING)
                        .connect(
                                scored.filter(HintRow::read)
                                        .name("alerts: rows the hints read")
                                        .map(HintRow::of, TypeInformation.of(HintRow.class))
                                        .name("alerts: row digests")
                                        .keyBy(r -> r.app, Types.STRING))
                        .transform(
                                "alerts: lifecycle",
                                TypeInformation.of(Alert.class),
                                new AlertManagerOperator(new AlertManager(cfg, window)))
                        .uid("alerts")
                        .name("alerts: lifecycle");

        DataStream<Notification> notifications =
                alerts.flatMap(
                                (Alert a, org.apache.flink.util.Collector<Notification> out) -> {
                                    Notification n = AlertNotifications.toNotification(a);
                                    if (n != null) {
                                        out.collect(n);
                                    }
                                },
                                TypeInformation.of(Notification.class))
                        .name("alerts: notifications");
        return new Outputs(alerts, notifications);
    }
}
