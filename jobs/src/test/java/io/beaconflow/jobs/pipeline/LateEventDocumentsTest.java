package io.beaconflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LateEventDocumentsTest {
    static DeadLetter late(String payload, boolean truncated) {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.LATE;
        d.detail = "event time 1000 is behind the watermark by more than the allowed lateness";
        d.app = "shop-web";
        d.eventId = "e-1";
        d.eventTime = 1_000;
        d.receivedAt = 601_000;
        d.payload = payload;
        d.truncated = truncated;
        return d;
    }

    static final String EVENT =
            "{\"type\":\"WEB_VITAL\",\"app\":\"shop-web\","
                    + "\"page_url\":\"https://shop.example.com/product/12\","
                    + "\"release\":\"shop-web@2.4.0\",\"environment\":\"production\","
                    + "\"session_id\":\"s-9\"}";

    @Test
    void aLateEventBecomesADocumentWithItsLatenessAndTheFieldsToGroupBy() throws Exception {
        LateEventDocuments docs = new LateEventDocuments("it-rum-late");
        LateEventDocuments.Document d = docs.of(late(EVENT, false));
        assertThat(d.latenessMs).isEqualTo(600_000);
        assertThat(d.pageUrl).isEqualTo("https://shop.example.com/product/12");
        assertThat(d.release).isEqualTo("shop-web@2.4.0");
        assertThat(d.type).isEqualTo("WEB_VITAL");
        assertThat(d.environment).isEqualTo("production");
        assertThat(d.sessionId).isEqualTo("s-9");
        var es = docs.emit(late(EVENT, false));
        assertThat(es.index()).isEqualTo("it-rum-late");
        assertThat(es.id()).isEqualTo("late-shop-web-e-1");
        String json = new String(es.source(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"lateness_ms\":600000").contains("\"reason\":\"LATE\"");
    }

    @Test
    void aCutPayloadKeepsTheCommonFieldsAndAClockFromTheFutureIsNotLate() {
        LateEventDocuments.Document d =
                new LateEventDocuments("x").of(late(EVENT.substring(0, 40), true));
        assertThat(d.release).isNull();
        assertThat(d.app).isEqualTo("shop-web");
        DeadLetter future = late(EVENT, false);
        future.receivedAt = 500;
        assertThat(new LateEventDocuments("x").of(future).latenessMs).isZero();
    }

    @Test
    void onlyLateRecordsAreAccepted() {
        DeadLetter d = late(EVENT, false);
        d.reason = RejectReason.NOT_JSON;
        assertThatThrownBy(() -> new LateEventDocuments("x").of(d))
                .hasMessageContaining("not a late event");
    }
}
