package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.Beacons.batch;
import static io.beaconflow.jobs.testing.Beacons.click;
import static io.beaconflow.jobs.testing.Beacons.fetch;
import static io.beaconflow.jobs.testing.Beacons.jsError;
import static io.beaconflow.jobs.testing.Beacons.pageView;
import static io.beaconflow.jobs.testing.Beacons.raw;
import static io.beaconflow.jobs.testing.Beacons.webVital;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeaconDecoderTest {
    private final IngestConfig config = new IngestConfig();
    private final BeaconDecoder decoder = new BeaconDecoder(config);

    private List<IngestRecord> decode(RawBeacon raw) {
        List<IngestRecord> out = new ArrayList<>();
        decoder.decode(raw, out::add);
        return out;
    }

    private DeadLetter onlyRejection(String json) {
        return onlyRejection(raw(json, T0));
    }

    private DeadLetter onlyRejection(RawBeacon raw) {
        List<IngestRecord> out = decode(raw);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isAccepted()).as("rejected: %s", out.get(0)).isFalse();
        return out.get(0).deadLetter;
    }

    private RumEvent onlyEvent(String json, Instant receivedAt) {
        List<IngestRecord> out = decode(raw(json, receivedAt));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isAccepted()).as("accepted: %s", out.get(0)).isTrue();
        return out.get(0).event;
    }

    @Test
    void aSingleEventRecordIsAcceptedWithAllItsFields() {
        RumEvent e =
                onlyEvent(
                        fetch("s1", T0, 503, 250.5)
                                .put("view_id", "v1")
                                .put("user_id", "u-42")
                                .put("country", "FR")
                                .raw("network", "{\"effective_type\":\"4g\"}")
                                .raw("experiments", "{\"checkout\":\"b\"}")
                                .raw("sample_rate", "0.25")
                                .single(),
                        T0.plusSeconds(1));
        assertThat(e.type).isEqualTo(EventType.FETCH);
        assertThat(e.app).isEqualTo("shop");
        assertThat(e.sessionId).isEqualTo("s1");
        assertThat(e.viewId).isEqualTo("v1");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.country).isEqualTo("FR");
        assertThat(e.networkType).isEqualTo("4g");
        assertThat(e.experiments).containsEntry("checkout", "b");
        assertThat(e.sampleRate).isEqualTo(0.25);
        assertThat(e.weight()).isEqualTo(4.0);
        assertThat(e.fetchStatus).isEqualTo(503);
        assertThat(e.fetchDurationMs).isEqualTo(250.5);
        assertThat(e.isFailedFetch()).isTrue();
        assertThat(e.traceId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(e.eventTime).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void aBatchYieldsEveryEventAndEventsInheritTheEnvelope() {
        String json =
                batch(
                        T0.plusSeconds(10),
                        T0.plusSeconds(11),
                        pageView("s1", T0),
                        webVital("s1", T0.plusSeconds(1), "LCP", 2300),
                        click("s1", T0.plusSeconds(2), "#buy"),
                        jsError("s1", T0.plusSeconds(3)));
        List<IngestRecord> out = decode(raw(json, T0.plusSeconds(99)));
        assertThat(out).hasSize(4).allMatch(IngestRecord::isAccepted);
        RumEvent first = out.get(0).event;
        assertThat(first.country).isEqualTo("DE");
        assertThat(first.clientIp).isEqualTo("203.0.113.77");
        assertThat(first.userAgent).contains("Chrome/120");
        // receivedAt is the trusted arrival (Kafka); the envelope's received_at only moved the
        // arrival used for skew correction earlier: sent 10 s after T0, arrived T0+11s.
        assertThat(first.receivedAt).isEqualTo(T0.plusSeconds(99).toEpochMilli());
        assertThat(first.eventTime).isEqualTo(T0.plusSeconds(1).toEpochMilli());
        assertThat(out.get(1).event.vitalName).isEqualTo("LCP");
        assertThat(out.get(2).event.actionTarget).isEqualTo("#buy");
        assertThat(out.get(3).event.errorType).isEqualTo("TypeError");
    }

    @Test
    void skewIsCorrectedFromSentAtWhenTheClientClockIsHoursOff() {
        // The client clock runs 3 h behind: it says the event happened at T0-3h and was sent 10 s
        // later; the collector received the beacon at T0+10s. So the event happened at T0.
        Instant clientOccurred = T0.minus(Duration.ofHours(3));
        String json =
                batch(
                        clientOccurred.plusSeconds(10),
                        T0.plusSeconds(10),
                        pageView("s1", clientOccurred));
        RumEvent e = onlyEvent(json, T0.plusSeconds(10));
        assertThat(e.eventTime).isEqualTo(T0.toEpochMilli());
        assertThat(e.occurredAt).isEqualTo(clientOccurred.toEpochMilli());
    }

    @Test
    void withoutSentAtAFastClientClockIsClampedToTheArrivalTime() {
        Instant arrival = T0.plusSeconds(5);
        RumEvent e = onlyEvent(pageView("s1", T0.plusSeconds(60)).single(), arrival);
        assertThat(e.eventTime).isEqualTo(arrival.toEpochMilli());
    }

    @Test
    void withoutSentAtASlowClientClockIsTakenAsIs() {
        RumEvent e = onlyEvent(pageView("s1", T0.minusSeconds(30)).single(), T0);
        assertThat(e.eventTime).isEqualTo(T0.minusSeconds(30).toEpochMilli());
    }

    @Test
    void receivedAtFallsBackToTheKafkaRecordTimestamp() {
        RumEvent e =
                onlyEvent(pageView("s1", T0).sentAt(T0.plusSeconds(2)).single(), T0.plusSeconds(7));
        assertThat(e.receivedAt).isEqualTo(T0.plusSeconds(7).toEpochMilli());
        assertThat(e.eventTime).isEqualTo(T0.plusSeconds(5).toEpochMilli());
    }

    @Test
    void aRecordThatIsNotJsonIsRejectedWithItsPayload() {
        DeadLetter d = onlyRejection("this is not json {");
        assertThat(d.reason).isEqualTo(RejectReason.NOT_JSON);
        assertThat(d.payload).isEqualTo("this is not json {");
        assertThat(d.position).startsWith("rum-raw/0@");
        assertThat(d.batchIndex).isEqualTo(-1);
    }

    @Test
    void anEmptyRecordIsNotJson() {
        assertThat(onlyRejection(raw(new byte[0], T0)).reason).isEqualTo(RejectReason.NOT_JSON);
    }

    @Test
    void invalidUtf8IsRejectedAsSuch() {
        byte[] good = pageView("s1", T0).single().getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[good.length + 2];
        System.arraycopy(good, 0, bad, 0, good.length - 2);
        // An invalid continuation sequence inside the last string value.
        bad[good.length - 2] = (byte) 0xC3;
        bad[good.length - 1] = (byte) 0x28;
        bad[good.length] = '"';
        bad[good.length + 1] = '}';
        DeadLetter d = onlyRejection(raw(bad, T0));
        assertThat(d.reason).isEqualTo(RejectReason.INVALID_UTF8);
        assertThat(d.payload).contains("\uFFFD");
    }

    @Test
    void anOversizedRecordIsRejectedAndItsPayloadTruncated() {
        config.maxRecordBytes = 1000;
        config.deadLetterPayloadBytes = 100;
        String json = pageView("s1", T0).put("referrer", "x".repeat(2000)).single();
        DeadLetter d = onlyRejection(json);
        assertThat(d.reason).isEqualTo(RejectReason.OVERSIZED);
        assertThat(d.truncated).isTrue();
        assertThat(d.payload).hasSize(100);
        assertThat(d.payloadBytes).isEqualTo(json.length());
    }

    @Test
    void nestingDeeperThanTheLimitIsRejected() {
        String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        String json = pageView("s1", T0).raw("custom_stuff", deep).single();
        assertThat(onlyRejection(json).reason).isEqualTo(RejectReason.TOO_DEEP);
    }

    @Test
    void wrongFieldTypesAreRejectedNamingTheField() {
        DeadLetter d = onlyRejection(pageView("s1", T0).raw("app", "42").single());
        assertThat(d.reason).isEqualTo(RejectReason.WRONG_TYPE);
        assertThat(d.detail).contains("app");

        DeadLetter t = onlyRejection(pageView("s1", T0).put("occurred_at", "yesterday").single());
        assertThat(t.reason).isEqualTo(RejectReason.WRONG_TYPE);
        assertThat(t.detail).contains("occurred_at");

        assertThat(onlyRejection("[1,2,3]").reason).isEqualTo(RejectReason.WRONG_TYPE);
        assertThat(onlyRejection("{\"schema_version\":1,\"events\":{}}").reason)
                .isEqualTo(RejectReason.WRONG_TYPE);
    }

    @Test
    void missingRequiredFieldsAreRejectedNamingTheField() {
        for (String field : List.of("event_id", "type", "app", "session_id", "occurred_at")) {
            DeadLetter d = onlyRejection(pageView("s1", T0).without(field).single());
            assertThat(d.reason).as(field).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(d.detail).contains(field);
        }
        DeadLetter fetchWithoutDuration =
                onlyRejection(fetch("s1", T0, 200, 10).raw("fetch", "{\"url\":\"/x\"}").single());
        assertThat(fetchWithoutDuration.reason).isEqualTo(RejectReason.MISSING_FIELD);
        assertThat(fetchWithoutDuration.detail).contains("fetch.duration_ms");
    }

    @Test
    void anUnknownEventTypeIsRejected() {
        DeadLetter d = onlyRejection(pageView("s1", T0).put("type", "scroll").single());
        assertThat(d.reason).isEqualTo(RejectReason.UNKNOWN_EVENT_TYPE);
        assertThat(d.detail).contains("scroll");
    }

    @Test
    void anUnknownSchemaVersionIsRejected() {
        String json =
                pageView("s1", T0).single().replace("\"schema_version\":1", "\"schema_version\":2");
        assertThat(onlyRejection(json).reason).isEqualTo(RejectReason.UNKNOWN_SCHEMA_VERSION);
        String missing = pageView("s1", T0).json();
        assertThat(onlyRejection(missing).reason).isEqualTo(RejectReason.MISSING_FIELD);
    }

    @Test
    void timestampsAbsurdlyFarInTheFutureOrPastAreRejected() {
        // Client says the event happened an hour after it sent the beacon.
        String future = batch(T0, T0, pageView("s1", T0.plus(Duration.ofHours(1))));
        assertThat(onlyRejection(future).reason).isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);

        String past = pageView("s1", T0.minus(Duration.ofDays(30))).single();
        assertThat(onlyRejection(past).reason).isEqualTo(RejectReason.TIMESTAMP_TOO_OLD);
    }

    @Test
    void negativeOrNaNDurationsAreRejected() {
        DeadLetter negative = onlyRejection(fetch("s1", T0, 200, -5).single());
        assertThat(negative.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(negative.detail).contains("fetch.duration_ms");

        String nan = pageView("s1", T0).raw("page_view", "{\"load_ms\":NaN}").single();
        DeadLetter d = onlyRejection(nan);
        assertThat(d.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(d.detail).contains("page_view.load_ms");

        String vital =
                webVital("s1", T0, "LCP", 1)
                        .raw("web_vital", "{\"name\":\"LCP\",\"value\":-1}")
                        .single();
        assertThat(onlyRejection(vital).reason).isEqualTo(RejectReason.INVALID_VALUE);
    }

    @Test
    void anEmptyBatchIsRejected() {
        assertThat(onlyRejection("{\"schema_version\":1,\"events\":[]}").reason)
                .isEqualTo(RejectReason.EMPTY_BATCH);
    }

    @Test
    void oneBadEventInABatchIsRejectedAloneAndItsSiblingsAreAccepted() {
        String json =
                batch(
                        T0,
                        T0,
                        pageView("s1", T0),
                        pageView("s1", T0).id("bad-one").put("type", "hover"),
                        click("s1", T0, "#ok"));
        List<IngestRecord> out = decode(raw(json, T0));
        assertThat(out).hasSize(3);
        assertThat(out.get(0).isAccepted()).isTrue();
        assertThat(out.get(2).isAccepted()).isTrue();
        DeadLetter d = out.get(1).deadLetter;
        assertThat(d.reason).isEqualTo(RejectReason.UNKNOWN_EVENT_TYPE);
        assertThat(d.batchIndex).isEqualTo(1);
        assertThat(d.position).endsWith("#1");
        assertThat(d.eventId).isEqualTo("bad-one");
        assertThat(d.app).isEqualTo("shop");
        assertThat(d.payload).contains("\"hover\"").doesNotContain("#ok");
    }

    @Test
    void aBatchLargerThanTheLimitIsRejectedWhole() {
        config.maxBatchEvents = 2;
        String json = batch(T0, T0, pageView("s1", T0), pageView("s1", T0), pageView("s1", T0));
        assertThat(onlyRejection(json).reason).isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void aSampleRateOutsideZeroToOneIsRejected() {
        assertThat(onlyRejection(pageView("s1", T0).raw("sample_rate", "0").single()).reason)
                .isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(onlyRejection(pageView("s1", T0).raw("sample_rate", "1.5").single()).reason)
                .isEqualTo(RejectReason.INVALID_VALUE);
    }

    @Test
    void theDecoderSurvivesJavaSerializationAsFlinkShipsIt() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
            o.writeObject(decoder);
        }
        BeaconDecoder copy;
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(
                        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (BeaconDecoder) in.readObject();
        }
        List<IngestRecord> out = new ArrayList<>();
        copy.decode(raw(pageView("s1", T0).single(), T0), out::add);
        assertThat(out).hasSize(1).allMatch(IngestRecord::isAccepted);
    }

    // ---- ingest.limits: every number of the contract is bounded ----

    @Test
    void numbersThatAreFiniteButAbsurdAreRejectedNamingTheFieldAndTheLimit() {
        String load = pageView("s1", T0).raw("page_view", "{\"load_ms\":1.79e308}").single();
        DeadLetter d = onlyRejection(load);
        assertThat(d.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(d.detail).contains("page_view.load_ms", "ingest.limits.max-duration-ms");

        DeadLetter fetch = onlyRejection(fetch("s1", T0, 200, 1e300).single());
        assertThat(fetch.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(fetch.detail).contains("fetch.duration_ms");

        for (String vital : List.of("LCP", "INP", "FCP", "TTFB")) {
            DeadLetter v = onlyRejection(webVital("s1", T0, vital, 3_600_001).single());
            assertThat(v.reason).as(vital).isEqualTo(RejectReason.INVALID_VALUE);
            assertThat(v.detail).as(vital).contains("web_vital.value");
        }
        DeadLetter cls = onlyRejection(webVital("s1", T0, "CLS", 100.5).single());
        assertThat(cls.detail).contains("ingest.limits.max-cls");
        assertThat(onlyEvent(webVital("s1", T0, "CLS", 100).single(), T0).vitalValue)
                .isEqualTo(100.0);

        for (String timing : List.of("ttfb_ms", "dom_content_loaded_ms")) {
            String json = pageView("s1", T0).raw("page_view", "{\"" + timing + "\":4e6}").single();
            assertThat(onlyRejection(json).detail).contains("page_view." + timing);
        }
        String rtt = pageView("s1", T0).raw("network", "{\"rtt_ms\":1e10}").single();
        assertThat(onlyRejection(rtt).detail).contains("network.rtt_ms");
        String downlink = pageView("s1", T0).raw("network", "{\"downlink_mbps\":1e9}").single();
        assertThat(onlyRejection(downlink).detail).contains("network.downlink_mbps");
        String custom =
                pageView("s1", T0)
                        .put("type", "custom")
                        .raw("custom", "{\"name\":\"x\",\"value\":-1e16}")
                        .single();
        assertThat(onlyRejection(custom).detail).contains("custom.value");
    }

    @Test
    void negativeZeroIsReadAsZero() {
        String json = pageView("s1", T0).raw("page_view", "{\"load_ms\":-0.0}").single();
        assertThat(Double.doubleToRawLongBits(onlyEvent(json, T0).loadMs)).isZero();
    }

    @Test
    void theLargestAcceptedDurationIsTheConfiguredLimit() {
        assertThat(onlyEvent(fetch("s1", T0, 200, 3_600_000).single(), T0).fetchDurationMs)
                .isEqualTo(3_600_000.0);
        config.limits.maxDurationMs = 60_000;
        assertThat(onlyRejection(fetch("s1", T0, 200, 60_001).single()).reason)
                .isEqualTo(RejectReason.INVALID_VALUE);
    }

    @Test
    void aTinySampleRateThatWouldWeighOneViewAsTrillionsIsRejected() {
        DeadLetter d = onlyRejection(pageView("s1", T0).raw("sample_rate", "1e-300").single());
        assertThat(d.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(d.detail).contains("ingest.limits.min-sample-rate");
        assertThat(onlyEvent(pageView("s1", T0).raw("sample_rate", "0.0001").single(), T0).weight())
                .isEqualTo(10_000.0);
    }

    @Test
    void integersBeyondALongDoNotWrapAroundIntoValidValues() {
        // 2^64 + 1 and 2^32 + 200 would read as 1 and 200 through asLong()/asInt().
        String version =
                pageView("s1", T0)
                        .single()
                        .replace("\"schema_version\":1", "\"schema_version\":18446744073709551617");
        assertThat(onlyRejection(version).reason).isEqualTo(RejectReason.UNKNOWN_SCHEMA_VERSION);
        String status =
                fetch("s1", T0, 200, 10)
                        .raw("fetch", "{\"url\":\"/x\",\"duration_ms\":1,\"status\":4294967496}")
                        .single();
        assertThat(onlyRejection(status).reason).isEqualTo(RejectReason.WRONG_TYPE);
    }

    // ---- trusted time: the Kafka record timestamp, never a payload field alone ----

    private static final Instant YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z");

    @Test
    void aPayloadReceivedAtInTheFarFutureCannotMakeAFarFutureEventAcceptable() {
        // Before: received_at 3000 replaced the Kafka timestamp and the check compared the event
        // with it, so this was accepted at year 3000. Now a clock that says 3000 everywhere is
        // just a fast clock: skew correction puts the event at its trusted arrival.
        String json = batch(YEAR_3000, YEAR_3000, pageView("s1", YEAR_3000));
        RumEvent consistent = onlyEvent(json, T0);
        assertThat(consistent.eventTime).isEqualTo(T0.toEpochMilli());
        assertThat(consistent.receivedAt).isEqualTo(T0.toEpochMilli());

        String single = pageView("s1", YEAR_3000).receivedAt(YEAR_3000).single();
        assertThat(onlyRejection(raw(single, T0)).reason)
                .isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);
    }

    @Test
    void aPayloadReceivedAtCanMoveArrivalEarlierButNeverPastTrustedTime() {
        // The hint is later than the Kafka timestamp: ignored, event time = trusted time.
        String later =
                pageView("s1", T0).sentAt(T0).receivedAt(T0.plus(Duration.ofMinutes(4))).single();
        RumEvent e = onlyEvent(later, T0);
        assertThat(e.eventTime).isEqualTo(T0.toEpochMilli());
        assertThat(e.receivedAt).isEqualTo(T0.toEpochMilli());
        // Earlier (a collector that batched before writing to Kafka): used for skew correction.
        String earlier =
                pageView("s1", T0.minusSeconds(20))
                        .sentAt(T0.minusSeconds(10))
                        .receivedAt(T0.minusSeconds(5))
                        .single();
        assertThat(onlyEvent(earlier, T0).eventTime).isEqualTo(T0.minusSeconds(15).toEpochMilli());
    }

    @Test
    void withoutSentAtAClientClockBeyondMaxFutureIsRejected() {
        DeadLetter d = onlyRejection(raw(pageView("s1", YEAR_3000).single(), T0));
        assertThat(d.reason).isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);
    }

    @Test
    void aPayloadReceivedAtFarInThePastMakesTheEventTooOldNotAcceptedInThePast() {
        String json = pageView("s1", T0).sentAt(T0).receivedAt(Instant.EPOCH).single();
        assertThat(onlyRejection(raw(json, T0)).reason).isEqualTo(RejectReason.TIMESTAMP_TOO_OLD);
    }

    @Test
    void extremeEpochValuesNeitherOverflowNorSlipThrough() {
        long max = Long.MAX_VALUE;
        String a = pageView("s1", T0).raw("occurred_at", "0").raw("sent_at", "" + max).single();
        assertThat(onlyRejection(a).reason).isEqualTo(RejectReason.TIMESTAMP_TOO_OLD);
        String b = pageView("s1", T0).raw("occurred_at", "" + max).raw("sent_at", "0").single();
        assertThat(onlyRejection(b).reason).isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);
        String c = pageView("s1", T0).raw("occurred_at", "" + max).single();
        assertThat(onlyRejection(c).reason).isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE);
        // a record timestamp at the end of time: accepted events stay at or before it
        RawBeacon end = raw(pageView("s1", T0).raw("sent_at", "" + max).single(), T0);
        end.receivedAt = max;
        assertThat(decode(end)).allMatch(r -> !r.isAccepted() || r.event.eventTime <= max);
    }

    @Test
    void aRecordWithoutATrustedArrivalTimeIsRejected() {
        RawBeacon r = raw(pageView("s1", T0).single(), T0);
        r.receivedAt = -1; // Kafka's NO_TIMESTAMP, or an unreadable received-at header
        DeadLetter d = onlyRejection(r);
        assertThat(d.reason).isEqualTo(RejectReason.INVALID_VALUE);
        assertThat(d.detail).contains("arrival time");
    }
}
