package io.beaconflow.jobs.traces;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static io.beaconflow.jobs.traces.TraceFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.alerts.Alert;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The slow-API verdict: an endpoint latency alert waits for its windows' timings, then says whether
 * the time went to the server (naming the service) or to the network; later versions carry the same
 * verdict; other alerts pass at once; state and timers end at zero.
 */
class SlowApiAttributionTest {
    static final long MIN = 60_000;
    static final Duration DELAY = Duration.ofMinutes(7);
    KeyedTwoInputStreamOperatorTestHarness<String, Alert, EndpointTiming, Alert> h;

    @BeforeEach
    void open() throws Exception {
        TracesConfig.Attribution cfg = new TracesConfig.Attribution();
        cfg.baselineWindows = 5;
        cfg.minJoined = 3;
        h =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new SlowApiAttribution(Duration.ofMinutes(1), DELAY, cfg),
                        SlowApiAttribution.alertKey(),
                        SlowApiAttribution.timingKey(),
                        Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static EndpointTiming window(int i, double clientP95, double serverP95, long joined) {
        EndpointTiming t = new EndpointTiming();
        t.app = "shop-web";
        t.endpoint = "POST /api/checkout";
        t.windowStart = T0 + i * MIN;
        t.windowEnd = t.windowStart + MIN;
        t.service = "shop-api";
        t.joined = joined;
        t.fetches = joined;
        t.clientP95 = clientP95;
        t.serverP95 = serverP95;
        t.networkP95 = clientP95 - serverP95;
        return t;
    }

    static Alert alert(String state, int firstWindow, int openedWindowEnd) {
        Alert a = new Alert();
        a.alertId = "a1";
        a.state = state;
        a.app = "shop-web";
        a.dimension = "endpoint";
        a.dimensionValue = "POST /api/checkout";
        a.metric = "fetch_p95";
        a.firstWindow = T0 + firstWindow * MIN;
        a.openedAt = T0 + openedWindowEnd * MIN;
        return a;
    }

    void timings(double slowClient, double slowServer) throws Exception {
        for (int i = 0; i < 5; i++) {
            EndpointTiming t = window(i, 300, 200, 10);
            h.processElement2(t, t.windowEnd);
        }
        for (int i = 5; i < 7; i++) {
            EndpointTiming t = window(i, slowClient, slowServer, 10);
            h.processElement2(t, t.windowEnd);
        }
    }

    @Test
    void aSlowerServerIsNamed() throws Exception {
        timings(1200, 1050);
        h.processElement1(alert(Alert.OPEN, 5, 7), T0 + 7 * MIN);
        assertThat(h.extractOutputValues()).isEmpty(); // waits for the windows' timings
        h.processBothWatermarks(new Watermark(T0 + 7 * MIN - 1 + DELAY.toMillis()));

        assertThat(h.extractOutputValues())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.latencyWhere).isEqualTo("server");
                            assertThat(a.backendService).isEqualTo("shop-api");
                            assertThat(a.clientDeltaMs).isEqualTo(900.0);
                            assertThat(a.serverDeltaMs).isEqualTo(850.0);
                            assertThat(a.networkDeltaMs).isEqualTo(50.0);
                            assertThat(a.rootCauseHints.get(0))
                                    .isEqualTo(
                                            "time went to the server shop-api: +850 ms of +900 ms");
                        });
    }

    @Test
    void aSlowerNetworkWithAnUnchangedServerIsSaidSoAndLaterVersionsKeepTheVerdict()
            throws Exception {
        timings(1200, 210);
        h.processElement1(alert(Alert.OPEN, 5, 7), T0 + 7 * MIN);
        Alert updated = alert(Alert.UPDATED, 5, 7);
        updated.updateSeq = 1;
        h.processElement1(updated, T0 + 8 * MIN); // queued behind the open version
        h.processBothWatermarks(new Watermark(T0 + 7 * MIN - 1 + DELAY.toMillis()));
        Alert resolved = alert(Alert.RESOLVED, 5, 7);
        resolved.updateSeq = 2;
        h.processElement1(resolved, T0 + 20 * MIN);

        List<Alert> out = h.extractOutputValues();
        assertThat(out)
                .extracting(a -> a.state)
                .containsExactly(Alert.OPEN, Alert.UPDATED, Alert.RESOLVED);
        for (Alert a : out) {
            assertThat(a.latencyWhere).isEqualTo("network");
            assertThat(a.backendService).isEqualTo("shop-api");
            assertThat(a.networkDeltaMs).isEqualTo(890.0);
            assertThat(a.rootCauseHints.get(0)).startsWith("time went to network/queueing");
        }
        h.processBothWatermarks(new Watermark(T0 + 60 * MIN));
        assertNothingLeft(h);
    }

    @Test
    void tooFewJoinedFetchesGiveUnknownAndOtherAlertsPassAtOnce() throws Exception {
        for (int i = 0; i < 7; i++) {
            EndpointTiming t = window(i, i < 5 ? 300 : 1200, 200, 2);
            h.processElement2(t, t.windowEnd);
        }
        Alert route = alert(Alert.OPEN, 5, 7);
        route.dimension = "route";
        route.dimensionValue = "/checkout";
        h.processElement1(route, T0 + 7 * MIN);
        assertThat(h.extractOutputValues())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.dimension).isEqualTo("route");
                            assertThat(a.latencyWhere).isNull();
                            assertThat(a.rootCauseHints).isEmpty();
                        });

        h.processElement1(alert(Alert.OPEN, 5, 7), T0 + 7 * MIN);
        h.processBothWatermarks(new Watermark(T0 + 7 * MIN - 1 + DELAY.toMillis()));
        assertThat(h.extractOutputValues().get(1).latencyWhere).isEqualTo("unknown");
        assertThat(h.extractOutputValues().get(1).backendService).isEqualTo("shop-api");
    }
}
