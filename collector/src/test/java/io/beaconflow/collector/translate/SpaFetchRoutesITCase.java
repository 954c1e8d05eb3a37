package io.beaconflow.collector.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.bench.MemoryBeaconSource;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The recorded single-page-app visit ({@code sdk-payloads/faro-spa.requests.ndjson}: Faro 2.12.1 in
 * Chromium on {@code src/test/browser/src/spa.js}) through the collector's translation and the
 * production graph ({@link BeaconflowPipeline}, generic types off, parallelism 2).
 *
 * <p>Faro sends its fetch spans in one batch from {@code /spa}, after the visit went to a product,
 * the checkout and back home; each fetch must still count on the route whose render made it. The
 * truth comes from the test app, not from the job: spa.js fetches {@code /api/products/1} on the
 * home route, {@code /api/products/42} on the product route and {@code /api/cart} on the checkout.
 */
class SpaFetchRoutesITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final String APP = "browser-spa";

    /** The route each API call of spa.js is made on (its render function). */
    private static final Map<String, String> ROUTE_OF_API =
            Map.of(
                    "/api/products/1", "/spa",
                    "/api/products/42", "/spa/product/:id",
                    "/api/cart", "/spa/checkout");

    @Test
    void fetchesSentInOneBatchFromHomeCountOnTheRoutesTheyWereMadeOn() throws Exception {
        List<RawBeacon> input = new ArrayList<>();
        for (Captured c : SdkFixtures.requests("faro-spa")) {
            if (!c.method().equals("POST")) continue;
            Translation t =
                    FaroTranslator.translate(c.json(), c.edge(), c.header("x-faro-session-id"));
            if (t.events().isEmpty()) continue;
            byte[] payload =
                    ContractEvents.batch(c.edge(), t.events())
                            .toString()
                            .getBytes(StandardCharsets.UTF_8);
            input.add(new RawBeacon(payload, "faro-spa", 0, input.size(), c.receivedAt()));
        }

        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        String run = "spa-fetch-routes-" + System.nanoTime();
        BeaconflowPipeline.build(
                        env,
                        new MemoryBeaconSource(
                                run,
                                input.toArray(new RawBeacon[0]),
                                new BeaconDecoder(config.ingest),
                                1),
                        "faro-spa",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named(run + "-events"))
                                .metrics(CollectingSink.named(run + "-metrics")));
        env.execute("spa-fetch-routes-itcase");

        // What was sent: every fetch carries the page of the batch that sent it.
        Map<String, String> sentRoute = new TreeMap<>();
        Map<String, Integer> truth = new TreeMap<>();
        for (RumEvent e : CollectingSink.<RumEvent>results(run + "-events")) {
            if (e.type != EventType.FETCH) continue;
            String path = java.net.URI.create(e.fetchUrl).getPath();
            sentRoute.put(path, e.route);
            truth.merge(ROUTE_OF_API.get(path), 1, Integer::sum);
        }
        assertThat(sentRoute)
                .as("the defect in the input: all three fetches sent from /spa")
                .containsOnlyKeys(ROUTE_OF_API.keySet())
                .allSatisfy((path, route) -> assertThat(route).isEqualTo("/spa"));

        // The latest version of each metric row (late updates overwrite by id).
        Map<String, ScoredAggregate> rows = new TreeMap<>();
        for (ScoredAggregate r : CollectingSink.<ScoredAggregate>results(run + "-metrics")) {
            if (!APP.equals(r.app)) continue;
            ScoredAggregate prev = rows.get(r.id);
            if (prev == null || prev.updateSeq < r.updateSeq) rows.put(r.id, r);
        }
        Map<String, Integer> fetchesByRoute = new TreeMap<>();
        Map<String, Integer> viewsByRoute = new TreeMap<>();
        double allFetches = 0;
        for (ScoredAggregate r : rows.values()) {
            if (r.dimension.equals("all")) allFetches += r.fetches;
            if (!r.dimension.equals("route")) continue;
            if (r.fetches > 0)
                fetchesByRoute.merge(r.dimensionValue, (int) r.fetches, Integer::sum);
            if (r.pageViews > 0)
                viewsByRoute.merge(r.dimensionValue, (int) r.pageViews, Integer::sum);
        }
        assertThat(fetchesByRoute)
                .as("fetches per route in the metric rows: where spa.js made them")
                .isEqualTo(truth)
                .containsEntry("/spa/product/:id", 1)
                .containsEntry("/spa/checkout", 1)
                .containsEntry("/spa", 1);
        assertThat(allFetches).as("the app total is unchanged: every fetch once").isEqualTo(3);
        assertThat(viewsByRoute)
                .as("views stay on their own routes: the load and the return home on /spa")
                .isEqualTo(Map.of("/spa", 2, "/spa/product/:id", 1, "/spa/checkout", 1));
    }
}
