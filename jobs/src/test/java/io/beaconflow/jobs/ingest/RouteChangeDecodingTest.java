package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.Beacons.pageView;
import static io.beaconflow.jobs.testing.Beacons.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code page_view.navigation} and {@code route_change_ms}: single-page apps' route changes. */
class RouteChangeDecodingTest {
    private final BeaconDecoder decoder = new BeaconDecoder(new IngestConfig());

    private IngestRecord only(String json) {
        List<IngestRecord> out = new ArrayList<>();
        decoder.decode(raw(json, T0), out::add);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void aRouteChangeIsAPageViewWithItsTimingAndNoLoadTimings() {
        RumEvent e =
                only(pageView("s1", T0)
                                .put("view_id", "v2")
                                .raw(
                                        "page_view",
                                        "{\"navigation\":\"route_change\",\"route_change_ms\":240.5}")
                                .single())
                        .event;
        assertThat(e.routeChange).isTrue();
        assertThat(e.routeChangeMs).isEqualTo(240.5);
        assertThat(e.viewId).isEqualTo("v2");
        assertThat(e.loadMs).isNull();
    }

    @Test
    void aFullLoadIsNoRouteChangeAndAStrayRouteChangeTimeOnItIsDropped() {
        RumEvent plain = only(pageView("s1", T0).single()).event;
        assertThat(plain.routeChange).isFalse();
        RumEvent full =
                only(pageView("s1", T0)
                                .raw(
                                        "page_view",
                                        "{\"navigation\":\"full\",\"load_ms\":900,\"route_change_ms\":5}")
                                .single())
                        .event;
        assertThat(full.routeChange).isFalse();
        assertThat(full.routeChangeMs).isNull();
        assertThat(full.loadMs).isEqualTo(900.0);
    }

    @Test
    void anUnknownNavigationOrAnOutOfBoundsTimingIsRejectedNamingTheField() {
        IngestRecord bad =
                only(pageView("s1", T0).raw("page_view", "{\"navigation\":\"soft\"}").single());
        assertThat(bad.deadLetter.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(bad.deadLetter.detail).contains("page_view.navigation");
        IngestRecord huge =
                only(
                        pageView("s1", T0)
                                .raw(
                                        "page_view",
                                        "{\"navigation\":\"route_change\",\"route_change_ms\":1e300}")
                                .single());
        assertThat(huge.deadLetter.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(huge.deadLetter.detail).contains("page_view.route_change_ms");
    }
}
