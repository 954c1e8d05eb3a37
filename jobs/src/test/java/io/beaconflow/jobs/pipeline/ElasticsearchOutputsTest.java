package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.io.elasticsearch.DocumentEmitter;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchDocument;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.elasticsearch.JsonDocumentEmitter;
import io.beaconflow.jobs.sessions.SessionRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ElasticsearchOutputsTest {
    /** 2026-11-02T23:59:59.999Z, the last millisecond of a day. */
    private static final long LAST_MS_OF_NOV_2 = 1_793_663_999_999L;

    @Test
    void aDailyEmitterPutsARecordInTheIndexOfItsEventTimesDayUnderItsId() throws Exception {
        DocumentEmitter<SessionRecord> emitter =
                JsonDocumentEmitter.daily("it-rum-sessions-", s -> s.start, s -> s.sessionKey);
        SessionRecord s = new SessionRecord();
        s.sessionKey = "shop|abc|" + LAST_MS_OF_NOV_2;
        s.start = LAST_MS_OF_NOV_2;
        // As the sink ships it to the task managers.
        DocumentEmitter<SessionRecord> shipped =
                InstantiationUtil.clone(emitter, getClass().getClassLoader());
        shipped.open();
        ElasticsearchDocument d = shipped.emit(s);
        assertThat(d.index()).isEqualTo("it-rum-sessions-2026.11.02");
        assertThat(d.id()).isEqualTo(s.sessionKey);
        assertThat(new String(d.source(), StandardCharsets.UTF_8))
                .startsWith("{\"session_key\":\"shop|abc|1793663999999\"");
        s.start = LAST_MS_OF_NOV_2 + 1;
        assertThat(shipped.emit(s).index()).isEqualTo("it-rum-sessions-2026.11.03");
    }

    @Test
    void everyOutputSinkBuildsWithTheDefaultConfigAndTheGivenPrefix() {
        ElasticsearchSinkConfig c = ElasticsearchSinkConfig.DEFAULTS;
        // build() refuses an emitter that cannot be serialized to the task managers.
        assertThat(ElasticsearchOutputs.metrics(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.sessions(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.alerts(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.errorGroups(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.comparisons(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.lateEvents(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.fetchTimings(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.endpointTimings(c, "p-").config()).isSameAs(c);
        assertThat(ElasticsearchOutputs.deadLetters(c).config()).isSameAs(c);
    }
}
