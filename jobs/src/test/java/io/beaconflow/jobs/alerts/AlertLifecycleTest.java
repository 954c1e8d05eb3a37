package io.beaconflow.jobs.alerts;

import static io.beaconflow.jobs.alerts.AlertManagerTest.M;
import static io.beaconflow.jobs.alerts.AlertManagerTest.T0;
import static io.beaconflow.jobs.alerts.AlertManagerTest.recovered;
import static io.beaconflow.jobs.alerts.AlertManagerTest.sustained;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.patterns.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alert lifecycle core without Flink: incidents in a map, rows in a list, timers and alerts
 * recorded. The harness test (AlertManagerTest) checks the shell keeps state and timers.
 */
class AlertLifecycleTest {
    private final Map<String, IncidentState> incidents = new LinkedHashMap<>();
    private final List<RowDigest> rows = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final TreeSet<Long> timers = new TreeSet<>();
    private int opened;
    private int suppressed;
    private int notShownByParent;

    private final AlertLifecycle lifecycle =
            new AlertLifecycle(
                    new AlertingConfig(),
                    new AlertLifecycle.Incidents() {
                        @Override
                        public IncidentState get(String family) {
                            return incidents.get(family);
                        }

                        @Override
                        public void put(String family, IncidentState incident) {
                            incidents.put(family, incident);
                        }

                        @Override
                        public void remove(String family) {
                            incidents.remove(family);
                        }

                        @Override
                        public List<String> families() {
                            return new ArrayList<>(incidents.keySet());
                        }
                    },
                    (from, upTo) -> rows,
                    new AlertLifecycle.Effects() {
                        @Override
                        public void emit(Alert alert) {
                            alerts.add(alert);
                        }

                        @Override
                        public void timerAt(long eventTime) {
                            timers.add(eventTime);
                        }

                        @Override
                        public void opened() {
                            opened++;
                        }

                        @Override
                        public void suppressed() {
                            suppressed++;
                        }

                        @Override
                        public void notShownByParent() {
                            notShownByParent++;
                        }

                        @Override
                        public long detectedAt() {
                            return T0 + 20 * M;
                        }
                    });

    private List<AlertState> states() {
        return alerts.stream().map(a -> AlertState.of(a.state)).toList();
    }

    @Test
    void findingsOfOneInstantAreHandledInKindOrderWhateverTheirListOrder() throws Exception {
        Finding anomaly = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        Finding recovery = recovered(anomaly, 11);
        recovery.at = anomaly.at;
        lifecycle.fire(anomaly.at, List.of(recovery, anomaly));
        assertThat(states()).containsExactly(AlertState.OPEN);
        assertThat(opened).isEqualTo(1);
        assertThat(alerts.get(0).lagMs).isEqualTo(T0 + 20 * M - anomaly.lastWindowEnd);
        assertThat(timers).as("stale check").contains(anomaly.at + 30 * M);
    }

    /** An error surge's finding over minutes 10 to {@code last}, with its own segment hint. */
    private static Finding surge(int last, int sessions) {
        Finding f =
                sustained(
                        "shop|error_fingerprint|ab12",
                        "error_sessions",
                        "error_rate",
                        "up",
                        10,
                        last);
        f.hints.add(safariHint(sessions));
        return f;
    }

    private static String safariHint(int sessions) {
        return "browser=Safari has "
                + sessions
                + " of the error's "
                + sessions
                + " new sessions (20% of the app's views)";
    }

    @Test
    void theScorersOwnHintsComeFirstAndTheNewestReplaceThem() throws Exception {
        Finding first = surge(11, 5);
        lifecycle.fire(first.at, List.of(first));
        assertThat(alerts.get(0).rootCauseHints).first().isEqualTo(safariHint(5));
        Finding more = surge(12, 8);
        lifecycle.fire(more.at, List.of(more));
        assertThat(alerts.get(alerts.size() - 1).rootCauseHints).containsExactly(safariHint(8));
    }

    @Test
    void anAnomalyOfAMemberInCooldownIsSuppressedAndTheIncidentLeavesAfterIt() throws Exception {
        Finding anomaly = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        lifecycle.fire(anomaly.at, List.of(anomaly));
        Finding recovery = recovered(anomaly, 12);
        lifecycle.fire(recovery.at, List.of(recovery));
        assertThat(states()).containsExactly(AlertState.OPEN, AlertState.RESOLVED);
        long cooldownUntil = recovery.lastWindowEnd + 10 * M;
        assertThat(incidents.get("error_rate").cooldownUntil).isEqualTo(cooldownUntil);
        assertThat(timers).contains(cooldownUntil);

        Finding again = sustained("shop|all|*", "error_rate", "error_rate", "up", 16, 17);
        lifecycle.fire(again.at, List.of(again));
        assertThat(suppressed).isEqualTo(1);
        assertThat(alerts).hasSize(2);

        lifecycle.fire(cooldownUntil, List.of());
        assertThat(incidents).isEmpty();
    }

    @Test
    void aSegmentsSecondSymptomJoinsItsOpenIncidentAndTheAppTotalsDoesNot() throws Exception {
        String endpoint = "shop|endpoint|GET /api/stock/:id";
        Finding failing = sustained(endpoint, "fetch_failure_rate", "error_rate", "up", 10, 11);
        lifecycle.fire(failing.at, List.of(failing));
        Finding slower = sustained(endpoint, "fetch_p50", "latency", "up", 11, 12);
        lifecycle.fire(slower.at, List.of(slower));
        assertThat(opened).as("the endpoint's latency joins its failures").isEqualTo(1);
        Alert last = alerts.get(alerts.size() - 1);
        assertThat(last.metric).isEqualTo("fetch_failure_rate");
        assertThat(last.members)
                .containsExactly(endpoint + "|fetch_failure_rate", endpoint + "|fetch_p50");

        Finding otherRoute = sustained("shop|route|/cart", "load_p50", "latency", "up", 12, 13);
        lifecycle.fire(otherRoute.at, List.of(otherRoute));
        assertThat(opened).as("another series opens its own").isEqualTo(2);
        assertThat(alerts.get(alerts.size() - 1).series).isEqualTo("shop|route|/cart");

        // Both members must recover for the joined incident to resolve.
        lifecycle.fire(13 * M + T0, List.of(recovered(failing, 13)));
        assertThat(incidents.get("error_rate").isOpen()).isTrue();
        lifecycle.fire(14 * M + T0, List.of(recovered(slower, 14)));
        assertThat(incidents.get("error_rate").isOpen()).isFalse();
    }

    @Test
    void theAppTotalsSecondSymptomOpensItsOwnIncident() throws Exception {
        Finding errors = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        lifecycle.fire(errors.at, List.of(errors));
        Finding slower = sustained("shop|all|*", "load_p50", "latency", "up", 11, 12);
        lifecycle.fire(slower.at, List.of(slower));
        assertThat(opened).isEqualTo(2);
        assertThat(incidents).containsOnlyKeys("error_rate", "latency");
    }

    @Test
    void anIncidentWhoseSeriesFallSilentResolvesAsStale() throws Exception {
        Finding anomaly = sustained("shop|all|*", "lcp_p75", "latency", "up", 10, 11);
        lifecycle.fire(anomaly.at, List.of(anomaly));
        lifecycle.fire(anomaly.at + 30 * M, List.of());
        assertThat(states()).containsExactly(AlertState.OPEN, AlertState.RESOLVED);
        Alert resolved = alerts.get(1);
        assertThat(resolved.resolvedAt).isEqualTo(anomaly.at + 1);
        assertThat(resolved.rootCauseHints)
                .last()
                .asString()
                .startsWith("resolved: no data from its series for");
    }

    @Test
    void aCorrelatedFindingLeavesAnAliasThatGoesWithTheResolution() throws Exception {
        Finding errors = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        Finding correlated = sustained("shop|all|*", "page_views", "throughput", "down", 10, 11);
        correlated.kind = Finding.CORRELATED;
        Finding traffic = sustained("shop|all|*", "page_views", "throughput", "down", 10, 11);
        correlated.related.addAll(List.of(errors.key, traffic.key));
        correlated.relatedKinds.addAll(List.of("error_rate", "throughput"));
        lifecycle.fire(errors.at, List.of(errors, correlated));
        assertThat(incidents.get("throughput").aliasOf).isEqualTo("error_rate");
        assertThat(alerts.get(alerts.size() - 1).severity).isEqualTo(Alert.CRITICAL);

        Finding r1 = recovered(errors, 12);
        Finding r2 = recovered(traffic, 12);
        lifecycle.fire(r1.at, List.of(r1, r2));
        assertThat(states().get(states().size() - 1)).isEqualTo(AlertState.RESOLVED);
        assertThat(incidents).containsOnlyKeys("error_rate");
    }

    @Test
    void findingKindsSortInHandlingOrderAndUnknownOnesLast() {
        Finding f = new Finding();
        f.kind = Finding.TRANSIENT;
        assertThat(FindingKind.of(f)).isEqualTo(FindingKind.OTHER);
        f.kind = Finding.CORRELATED;
        assertThat(FindingKind.of(f)).isLessThan(FindingKind.RECOVERED);
        assertThat(AlertState.of("resolved")).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void aSegmentFindingItsTotalContradictsDoesNotOpenAndOpensOnceTheTotalShowsIt()
            throws Exception {
        Finding blip = sustained("shop|os|Android", "lcp_p75", "latency", "up", 10, 11);
        for (int m = 10; m <= 11; m++) {
            rows.add(ParentConsistencyTest.row("os", "Android", 0, "lcp_p75", 0.4, 0.1, 50));
            rows.add(ParentConsistencyTest.row("all", "*", 0, "lcp_p75", 0.0, 0.02, 100));
        }
        rows.forEach(r -> r.windowStart = T0 + 10 * M);
        lifecycle.fire(blip.at, List.of(blip));
        assertThat(alerts).isEmpty();
        assertThat(notShownByParent).isEqualTo(1);
        assertThat(incidents).isEmpty();

        // The total catches up (share 0.5 x 0.4 = 0.2 shown): the next finding opens.
        rows.clear();
        rows.add(ParentConsistencyTest.row("os", "Android", 0, "lcp_p75", 0.4, 0.1, 50));
        rows.add(ParentConsistencyTest.row("all", "*", 0, "lcp_p75", 0.2, 0.02, 100));
        Finding again = sustained("shop|os|Android", "lcp_p75", "latency", "up", 11, 12);
        lifecycle.fire(again.at, List.of(again));
        assertThat(states()).containsExactly(AlertState.OPEN);
        assertThat(notShownByParent).isEqualTo(1);
    }
}
