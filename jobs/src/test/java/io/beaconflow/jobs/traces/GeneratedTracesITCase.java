package io.beaconflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.ServerSpanTraffic;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The generator's backends through the production graph (parallelism 2, generic types off): the
 * shipped generator's shop-web at five times its traffic (so one endpoint carries the 100 calls per
 * window its fetch_p95 detector needs), 95 minutes, with a backend_slow incident on {@code GET
 * /api/v2/products/{id}} (server time x3 from minute 60, after the detectors' ~30 windows of
 * warm-up, for 25 minutes), its SERVER spans through {@link BeaconflowPipeline#withServerSpans}
 * exactly as the demo feeds them, and {@code endpoint} among the metric dimensions.
 *
 * <p>Checked against the generator's own spans, not the job: every fetch the job accepted whose
 * span the backends sent is joined with it and no other is; server + network = client within the
 * beacon's rounding; and the incident raises an endpoint fetch-latency alert whose verdict is "the
 * server", naming the service that answers the endpoint.
 */
class GeneratedTracesITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final long SEED = 42;
    private static final String SLOW =
            "incidents:\n"
                    + "  - { id: products-backend-slow, kind: backend_slow, app: shop-web,"
                    + " dimension: route, value: '/product/{id}', endpoint: 'GET"
                    + " /api/v2/products/{id}', start: 60m, duration: 25m, magnitude: 3.0 }\n";

    @Test
    void everyFetchWithASpanIsJoinedAndASlowBackendIsBlamedByName() throws Exception {
        GeneratorConfig gen = ShippedGenerator.lasting("95m", SLOW).copy();
        gen.apps.get(0).sessionsPerHour *= 5;
        gen.apps.get(1).sessionsPerHour = 0;
        gen.validate();
        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.traces.enabled = true;
        config.metrics.dimensions = new ArrayList<>(config.metrics.dimensions);
        config.metrics.dimensions.add("endpoint");

        StreamExecutionEnvironment env = MiniClusters.environment(2);
        String run = "generated-traces-" + System.nanoTime();
        BeaconflowPipeline.build(
                        env, GeneratorSource.decoded(gen, SEED, config.ingest), "generator", config)
                .withServerSpans(
                        GeneratorSource.serverSpans(gen, SEED, config.ingest),
                        "generator-server-spans",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named(run + "-events"))
                                .fetchTimings(CollectingSink.named(run + "-fetches"))
                                .endpointTimings(CollectingSink.named(run + "-endpoints"))
                                .alerts(CollectingSink.named(run + "-alerts"))
                                .deadLetters(CollectingSink.named(run + "-dead"))
                                .lateEvents(CollectingSink.named(run + "-late")));
        env.execute("generated-traces-itcase");

        // What the backends sent: every split's spans, straight from the generator.
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> spanByParent = new HashMap<>();
        for (int split = 0; split < gen.splits; split++) {
            ServerSpanTraffic t = new ServerSpanTraffic(gen, SEED, split, gen.splits);
            while (t.hasNext()) {
                RawBeacon r = t.next();
                JsonNode s = json.readTree(r.payload);
                spanByParent.put(s.get("parent_span_id").asText(), s);
            }
        }
        assertThat(spanByParent).hasSizeGreaterThan(10_000);

        // The fetches the job accepted (duplicates dropped), by span id.
        Set<String> accepted = new HashSet<>();
        for (RumEvent e : CollectingSink.<RumEvent>results(run + "-events")) {
            if (e.type == EventType.FETCH && FetchServerJoin.joinable(e)) accepted.add(e.spanId);
        }
        Set<String> expected = new HashSet<>(accepted);
        expected.retainAll(spanByParent.keySet());

        List<FetchTiming> joined = CollectingSink.results(run + "-fetches");
        Set<String> joinedIds = new HashSet<>();
        for (FetchTiming f : joined) {
            assertThat(f.joined).isTrue();
            assertThat(joinedIds.add(f.spanId)).as("joined once: %s", f).isTrue();
            JsonNode span = spanByParent.get(f.spanId);
            assertThat(span).as("a span the backends sent: %s", f).isNotNull();
            assertThat(f.serverSpanId).isEqualTo(span.get("span_id").asText());
            assertThat(f.service).isEqualTo(span.get("service").asText());
            assertThat(f.serverMs).isEqualTo(span.get("duration_ms").asDouble());
            // The beacon's duration is in tenths of a ms, the span's in µs.
            assertThat(f.serverMs + f.networkMs).isCloseTo(f.clientMs, within(0.051));
        }
        assertThat(joinedIds).as("every accepted fetch with a span, joined").isEqualTo(expected);
        assertThat(CollectingSink.<Object>results(run + "-dead"))
                .as("dead letters: the generator's malformed beacons only")
                .allSatisfy(d -> assertThat(d.toString()).doesNotContain("server span"));

        // Per endpoint: the slow endpoint's server share rises in the incident.
        List<EndpointTiming> endpoints = CollectingSink.results(run + "-endpoints");
        assertThat(endpoints).isNotEmpty();
        long incidentStart = gen.startMillis() + 60 * 60_000L;
        double[] share = new double[2];
        int[] n = new int[2];
        for (EndpointTiming e : endpoints) {
            if (!"GET /api/v2/products/:id".equals(e.endpoint) || e.joined < 20) continue;
            int i =
                    e.windowStart >= incidentStart + 60_000
                                    && e.windowStart < incidentStart + 25 * 60_000
                            ? 1
                            : e.windowStart < incidentStart ? 0 : -1;
            if (i < 0) continue;
            share[i] += e.serverShare;
            n[i]++;
        }
        assertThat(n[0]).isGreaterThan(10);
        assertThat(n[1]).isGreaterThan(10);
        assertThat(share[1] / n[1]).isGreaterThan(share[0] / n[0] + 0.1);

        // The slow-API alert: the endpoint's fetch latency, the server to blame, by name.
        List<Alert> slowApi = new ArrayList<>();
        for (Alert a : CollectingSink.<Alert>results(run + "-alerts")) {
            if ("endpoint".equals(a.dimension)
                    && "GET /api/v2/products/:id".equals(a.dimensionValue)
                    && a.metric != null
                    && a.metric.startsWith("fetch_p")
                    && a.latencyWhere != null) {
                slowApi.add(a);
            }
        }
        assertThat(slowApi).as("alerts %s", CollectingSink.results(run + "-alerts")).isNotEmpty();
        for (Alert a : slowApi) {
            assertThat(a.openedAt).isGreaterThanOrEqualTo(incidentStart);
            assertThat(a.latencyWhere).isEqualTo("server");
            assertThat(a.backendService).isEqualTo("catalog-api");
        }
    }
}
