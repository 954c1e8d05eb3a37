package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ElasticsearchSinkBuilderTest {
    @Test
    void aSinkWithoutConfigOrEmitterIsRefusedWithTheCallToAdd() {
        assertThatThrownBy(() -> ElasticsearchSink.<String>builder().build())
                .hasMessageContaining(".config(ElasticsearchSinkConfig.parse(");
        assertThatThrownBy(
                        () ->
                                ElasticsearchSink.<String>builder()
                                        .config(ElasticsearchSinkConfig.DEFAULTS)
                                        .build())
                .hasMessageContaining(".emitter(JsonDocumentEmitter.of(");
    }

    @Test
    void anEmitterThatCannotTravelToTheTaskManagersIsRefusedAtBuildTime() {
        Object lock = new Object(); // not serializable, like a client or a connection
        DocumentEmitter<String> emitter =
                s -> {
                    synchronized (lock) {
                        return new ElasticsearchDocument("i", s, s.getBytes("UTF-8"));
                    }
                };
        assertThatThrownBy(
                        () ->
                                ElasticsearchSink.<String>builder()
                                        .config(ElasticsearchSinkConfig.DEFAULTS)
                                        .emitter(emitter)
                                        .build())
                .hasMessageContaining("not serializable")
                .hasMessageContaining("create it in open()");
    }

    @Test
    void theJsonEmitterWritesTheOutputFormAndTheChosenIndexAndId() throws Exception {
        JsonDocumentEmitter<Probe> emitter =
                JsonDocumentEmitter.of(p -> DailyIndex.name("rum-x-", p.windowStart), p -> p.id);
        Probe p = new Probe();
        p.id = "a|b";
        p.windowStart = 1_793_577_600_000L;
        p.pageViews = 3;
        ElasticsearchDocument d = emitter.emit(p);
        assertThat(d.index()).isEqualTo("rum-x-2026.11.02");
        assertThat(d.id()).isEqualTo("a|b");
        assertThat(new String(d.source(), "UTF-8"))
                .isEqualTo("{\"id\":\"a|b\",\"window_start\":1793577600000,\"page_views\":3.0}");
        assertThat(
                        ElasticsearchSink.<Probe>builder()
                                .config(ElasticsearchSinkConfig.DEFAULTS)
                                .emitter(emitter)
                                .build())
                .isNotNull();
    }

    public static class Probe {
        public String id;
        public long windowStart;
        public double pageViews;
        public String absent;
    }
}
