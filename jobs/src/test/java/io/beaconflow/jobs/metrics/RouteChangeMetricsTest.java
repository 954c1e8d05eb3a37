package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.RumEvents.T0;
import static io.beaconflow.jobs.metrics.RumEvents.pageView;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

/**
 * A single-page app's route change is a page view of its route (same series, same count) that is
 * also counted in {@code route_changes} and timed in {@code route_change_p*}, without load or
 * Apdex.
 */
class RouteChangeMetricsTest {

    static RumEvent routeChange(long t, Double ms) {
        RumEvent e = RumEvents.event(EventType.PAGE_VIEW, t);
        e.routeChange = true;
        e.routeChangeMs = ms;
        return e;
    }

    private static List<SeriesSample> samples(RumEvent e) {
        List<SeriesSample> out = new ArrayList<>();
        SeriesFanOut.emit(
                e,
                new MetricsConfig().dimensionList().toArray(new Dimension[0]),
                new ListCollector<>(out));
        return out;
    }

    @Test
    void aRouteChangeGoesToTheSameSeriesAsAPageLoadNoNewOnes() {
        List<String> load = samples(pageView(T0, 900)).stream().map(s -> s.key).toList();
        List<String> spa = samples(routeChange(T0, 120.0)).stream().map(s -> s.key).toList();
        assertThat(spa).isEqualTo(load);
    }

    @Test
    void theRowCountsRouteChangesAmongPageViewsWithTheirPercentilesAndNoApdex() {
        MetricAccumulator acc = new MetricAccumulator(0.01);
        List<RumEvent> events =
                List.of(
                        pageView(T0, 1500),
                        routeChange(T0 + 1, 100.0),
                        routeChange(T0 + 2, 300.0),
                        routeChange(T0 + 3, null)); // an SDK that does not time it
        RumEvent sampled = routeChange(T0 + 4, 200.0);
        sampled.sampleRate = 0.5;
        List<RumEvent> all = new ArrayList<>(events);
        all.add(sampled);
        for (RumEvent e : all) {
            acc.add(samples(e).get(0)); // the app total
        }
        MetricAggregate row = acc.toAggregate();
        assertThat(row.pageViews).isEqualTo(6.0); // 1 load + 3 + 1 weighted 2
        assertThat(row.routeChanges).isEqualTo(5.0);
        assertThat(row.routeChange.count).as("timed ones, unweighted").isEqualTo(3);
        assertThat(row.routeChange.p50).isCloseTo(200.0, org.assertj.core.data.Offset.offset(4.0));
        // Weighted ranks 0..3: 100, 200, 200 (the sampled one counts twice), 300; DDSketch's p99 is
        // the value at rank 0.99 * 3 = 2.97, i.e. 200; unweighted it would be 300.
        assertThat(row.value("route_change_p99"))
                .isCloseTo(200, org.assertj.core.data.Offset.offset(4.0));
        assertThat(row.denominator("route_change_p75")).isEqualTo(3.0);
        assertThat(row.load.count).as("only the document load").isEqualTo(1);
        assertThat(row.apdexSatisfied + row.apdexTolerating + row.apdexFrustrated).isEqualTo(1.0);
    }

    @Test
    void routeChangeCountsAndSketchesSurviveTheAccumulatorSerializer() throws Exception {
        MetricAccumulator acc = new MetricAccumulator(0.01);
        acc.add(samples(routeChange(T0, 250.0)).get(0));
        acc.add(samples(pageView(T0, 800)).get(0));
        org.apache.flink.core.memory.DataOutputSerializer out =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        MetricAccumulatorSerializer.INSTANCE.serialize(acc, out);
        MetricAccumulator back =
                MetricAccumulatorSerializer.INSTANCE.deserialize(
                        new org.apache.flink.core.memory.DataInputDeserializer(
                                out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(acc);
        assertThat(back.toAggregate().routeChanges).isEqualTo(1.0);
        assertThat(back.toAggregate().routeChange.count).isEqualTo(1);
    }
}
