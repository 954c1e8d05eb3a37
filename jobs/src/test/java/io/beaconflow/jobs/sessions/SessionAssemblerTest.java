package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.TRACE_A;
import static io.beaconflow.jobs.sessions.SessionEvents.TRACE_B;
import static io.beaconflow.jobs.sessions.SessionEvents.TRACE_C;
import static io.beaconflow.jobs.sessions.SessionEvents.TRACE_D;
import static io.beaconflow.jobs.sessions.SessionEvents.click;
import static io.beaconflow.jobs.sessions.SessionEvents.jsError;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.SessionEvents.typicalSession;
import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionAssemblerTest {
    private static final long T = T0.toEpochMilli();
    private static final long GAP = Duration.ofMinutes(30).toMillis();
    private static final long MINUTE = 60_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> harness;

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) harness.close();
    }

    private static SessionConfig config(Duration updateInterval) {
        SessionConfig c = new SessionConfig();
        c.updateInterval = updateInterval;
        return c;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> open(
            SessionConfig c, OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SessionAssembler(c)),
                        SessionAssembler.key(),
                        Types.STRING);
        if (restoreFrom != null) h.initializeState(restoreFrom);
        h.open();
        return h;
    }

    private void start(SessionConfig c) throws Exception {
        harness = open(c, null);
    }

    private void send(RumEvent... events) throws Exception {
        for (RumEvent e : events) harness.processElement(e, e.eventTime);
    }

    private void watermark(long t) throws Exception {
        harness.processWatermark(new Watermark(t));
    }

    @SuppressWarnings("unchecked")
    private List<StreamRecord<SessionRecord>> output() {
        return (List<StreamRecord<SessionRecord>>) (List<?>) harness.extractOutputStreamRecords();
    }

    private List<SessionRecord> records() {
        return harness.extractOutputValues();
    }

    private static Instant at(long millis) {
        return Instant.ofEpochMilli(millis);
    }

    // ---------------------------------------------------------------------------------------
    // gap
    // ---------------------------------------------------------------------------------------

    @Test
    void aSessionClosesWhenTheWatermarkPassesItsLastEventPlusTheGap() throws Exception {
        start(config(Duration.ZERO));
        send(
                pageView("s1", T0, "/home"),
                click("s1", T0.plusSeconds(2), "#buy"),
                pageView("s1", T0.plusSeconds(5), "/cart"));
        long closeAt = T + 5000 + GAP;

        watermark(closeAt - 1);
        assertThat(output()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(closeAt);
        SessionRecord expected = new SessionRecord();
        expected.sessionKey = "shop:s1:" + T;
        expected.app = "shop";
        expected.sessionId = "s1";
        expected.userId = SessionEvents.USER;
        expected.release = "1.4.0";
        expected.environment = "prod";
        expected.browser = "Chrome";
        expected.browserVersion = "120";
        expected.os = "Windows";
        expected.deviceType = "desktop";
        expected.country = "DE";
        expected.networkType = "4g";
        expected.start = T;
        expected.end = T + 5000;
        expected.durationMs = 5000;
        expected.closed = true;
        expected.endReason = "inactivity";
        expected.updateSeq = 1;
        expected.events = 3;
        expected.pageViews = 2;
        expected.actions = 1;
        expected.landingRoute = "/home";
        expected.exitRoute = "/cart";
        // The click is followed by nothing for 3 s: one dead click, not enough for frustrated.
        expected.deadClicks = 1;
        expected.timeline =
                List.of(
                        new TimelineEntry(T, "page_view", "/home", null),
                        new TimelineEntry(T + 2000, "action", "/product/:id", "#buy"),
                        new TimelineEntry(T + 5000, "page_view", "/cart", null));
        expected.traceIds = List.of();
        expected.sampleRate = 1.0;

        assertThat(output()).hasSize(1);
        assertThat(output().get(0).getTimestamp()).isEqualTo(closeAt);
        assertThat(output().get(0).getValue()).usingRecursiveComparison().isEqualTo(expected);
        assertNothingLeft(harness);
    }

    @Test
    void anEventMoreThanTheGapAfterTheLastStartsANewSessionBeforeTheWatermarkSaysSo()
            throws Exception {
        start(config(Duration.ZERO));
        send(pageView("s1", T0, "/home"));
        send(pageView("s1", T0.plus(Duration.ofMinutes(31)), "/home"));

        assertThat(output()).hasSize(1);
        assertThat(output().get(0).getTimestamp()).isEqualTo(T + 31 * MINUTE);
        SessionRecord first = output().get(0).getValue();
        assertThat(first.sessionKey).isEqualTo("shop:s1:" + T);
        assertThat(first.endReason).isEqualTo("inactivity");
        assertThat(first.events).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(T + 31 * MINUTE + GAP);
        assertThat(records()).hasSize(2);
        SessionRecord second = records().get(1);
        assertThat(second.sessionKey).isEqualTo("shop:s1:" + (T + 31 * MINUTE));
        assertThat(second.start).isEqualTo(T + 31 * MINUTE);
        assertThat(second.closed).isTrue();
        assertNothingLeft(harness);
    }

    @Test
    void sessionsOfTwoUsersCloseIndependentlyAndLeaveNothingBehind() throws Exception {
        start(config(Duration.ZERO));
        send(pageView("s1", T0), pageView("s2", T0.plusSeconds(60)));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        watermark(T + GAP);
        assertThat(records()).extracting(r -> r.sessionId).containsExactly("s1");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        watermark(T + 60_000 + GAP);
        assertThat(records()).extracting(r -> r.sessionId).containsExactly("s1", "s2");
        assertNothingLeft(harness);
    }

    // ---------------------------------------------------------------------------------------
    // maximum duration
    // ---------------------------------------------------------------------------------------

    @Test
    void anEventAtStartPlusMaxDurationClosesTheSessionAndStartsANewOne() throws Exception {
        SessionConfig c = config(Duration.ZERO);
        c.maxDuration = Duration.ofHours(1);
        start(c);
        for (int m = 0; m <= 80; m += 20) {
            send(pageView("s1", T0.plus(Duration.ofMinutes(m)), "/p" + m));
        }

        assertThat(output()).hasSize(1);
        StreamRecord<SessionRecord> first = output().get(0);
        assertThat(first.getTimestamp()).isEqualTo(T + 60 * MINUTE);
        assertThat(first.getValue().sessionKey).isEqualTo("shop:s1:" + T);
        assertThat(first.getValue().endReason).isEqualTo("max_duration");
        assertThat(first.getValue().closed).isTrue();
        assertThat(first.getValue().start).isEqualTo(T);
        assertThat(first.getValue().end).isEqualTo(T + 40 * MINUTE);
        assertThat(first.getValue().pageViews).isEqualTo(3);
        assertThat(first.getValue().exitRoute).isEqualTo("/p40");

        watermark(T + 80 * MINUTE + GAP);
        assertThat(output()).hasSize(2);
        StreamRecord<SessionRecord> second = output().get(1);
        assertThat(second.getTimestamp()).isEqualTo(T + 80 * MINUTE + GAP);
        assertThat(second.getValue().sessionKey).isEqualTo("shop:s1:" + (T + 60 * MINUTE));
        assertThat(second.getValue().endReason).isEqualTo("inactivity");
        assertThat(second.getValue().landingRoute).isEqualTo("/p60");
        assertThat(second.getValue().durationMs).isEqualTo(20 * MINUTE);
        assertThat(second.getValue().updateSeq).isEqualTo(1);
        assertNothingLeft(harness);
    }

    @Test
    void theDefaultMaximumDurationSplitsAFourHourVisit() throws Exception {
        start(config(Duration.ZERO));
        for (int m = 0; m <= 250; m += 10) {
            send(pageView("s1", T0.plus(Duration.ofMinutes(m))));
        }
        watermark(T + 250 * MINUTE + GAP);
        assertThat(records())
                .extracting(r -> r.endReason, r -> r.durationMs, r -> r.pageViews)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("max_duration", 230 * MINUTE, 24),
                        org.assertj.core.groups.Tuple.tuple("inactivity", 10 * MINUTE, 2));
        assertNothingLeft(harness);
    }

    // ---------------------------------------------------------------------------------------
    // late events
    // ---------------------------------------------------------------------------------------

    @Test
    void aLateEventAfterItsSessionClosedStartsAPieceWithItsOwnIdAndClosesCleanly()
            throws Exception {
        start(config(Duration.ZERO));
        send(pageView("s1", T0, "/home"));
        watermark(T + GAP);
        assertThat(records()).hasSize(1);
        assertNothingLeft(harness);

        // 29 min after the closed session's only event, 1 min behind the watermark.
        RumEvent late = click("s1", T0.plus(Duration.ofMinutes(29)), "#buy");
        send(late);
        assertThat(records()).hasSize(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(T + 29 * MINUTE + GAP);
        assertThat(output()).hasSize(2);
        StreamRecord<SessionRecord> piece = output().get(1);
        assertThat(piece.getTimestamp()).isEqualTo(T + 29 * MINUTE + GAP);
        assertThat(piece.getValue().sessionKey).isEqualTo("shop:s1:" + (T + 29 * MINUTE));
        assertThat(piece.getValue().sessionKey).isNotEqualTo(records().get(0).sessionKey);
        assertThat(piece.getValue().events).isEqualTo(1);
        assertThat(piece.getValue().lateEvents).isEqualTo(1);
        assertThat(piece.getValue().closed).isTrue();
        // The first session's record is untouched.
        assertThat(records().get(0).events).isEqualTo(1);
        assertThat(records().get(0).lateEvents).isZero();
        assertNothingLeft(harness);
    }

    @Test
    void aLateEventWhileItsSessionIsOpenJoinsIt() throws Exception {
        start(config(Duration.ZERO));
        send(pageView("s1", T0, "/home"), pageView("s1", T0.plusSeconds(600), "/cart"));
        watermark(T + 700_000);
        send(click("s1", T0.plusSeconds(300), "#buy"));

        watermark(T + 600_000 + GAP);
        assertThat(records()).hasSize(1);
        SessionRecord r = records().get(0);
        assertThat(r.events).isEqualTo(3);
        assertThat(r.actions).isEqualTo(1);
        assertThat(r.lateEvents).isEqualTo(1);
        assertThat(r.timeline).extracting(e -> e.t).containsExactly(T, T + 300_000, T + 600_000);
        assertNothingLeft(harness);
    }

    @Test
    void aLateEventBeforeTheStartMovesTheStartButNotTheDocumentIdOnceEmitted() throws Exception {
        start(config(Duration.ofMinutes(1)));
        send(pageView("s1", T0.plus(Duration.ofMinutes(2)), "/cart"));
        watermark(T + 3 * MINUTE);
        assertThat(records()).hasSize(1);
        String id = records().get(0).sessionKey;
        assertThat(id).isEqualTo("shop:s1:" + (T + 2 * MINUTE));

        send(pageView("s1", T0.plus(Duration.ofMinutes(1)), "/home"));
        watermark(T + 2 * MINUTE + GAP);
        SessionRecord last = records().get(records().size() - 1);
        assertThat(last.closed).isTrue();
        assertThat(last.sessionKey).isEqualTo(id);
        assertThat(last.start).isEqualTo(T + MINUTE);
        assertThat(last.landingRoute).isEqualTo("/home");
        assertThat(last.lateEvents).isEqualTo(1);
        assertNothingLeft(harness);
    }

    // ---------------------------------------------------------------------------------------
    // early updates
    // ---------------------------------------------------------------------------------------

    @Test
    void aLongSessionEmitsUpdatesThatShareTheFinalRecordsId() throws Exception {
        start(config(Duration.ofMinutes(1)));
        send(pageView("s1", T0, "/home"), click("s1", T0.plusSeconds(30), "#buy"));
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(T + MINUTE);
        assertThat(output()).hasSize(1);
        StreamRecord<SessionRecord> update1 = output().get(0);
        assertThat(update1.getTimestamp()).isEqualTo(T + MINUTE);
        assertThat(update1.getValue().closed).isFalse();
        assertThat(update1.getValue().endReason).isEqualTo("open");
        assertThat(update1.getValue().updateSeq).isEqualTo(1);
        assertThat(update1.getValue().events).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        send(pageView("s1", T0.plusSeconds(90), "/cart"));
        watermark(T + 2 * MINUTE);
        assertThat(output()).hasSize(2);
        StreamRecord<SessionRecord> update2 = output().get(1);
        assertThat(update2.getTimestamp()).isEqualTo(T + 2 * MINUTE);
        assertThat(update2.getValue().updateSeq).isEqualTo(2);
        assertThat(update2.getValue().events).isEqualTo(3);
        assertThat(update2.getValue().closed).isFalse();

        // Nothing changed since: no update.
        watermark(T + 3 * MINUTE);
        assertThat(output()).hasSize(2);

        long closeAt = T + 90_000 + GAP;
        watermark(closeAt);
        assertThat(output()).hasSize(3);
        StreamRecord<SessionRecord> last = output().get(2);
        assertThat(last.getTimestamp()).isEqualTo(closeAt);
        assertThat(last.getValue().closed).isTrue();
        assertThat(last.getValue().endReason).isEqualTo("inactivity");
        assertThat(last.getValue().updateSeq).isEqualTo(3);
        assertThat(records()).extracting(r -> r.sessionKey).containsOnly("shop:s1:" + T);
        assertNothingLeft(harness);
    }

    @Test
    void aWatermarkJumpingPastTheCloseEmitsOnlyTheFinalRecord() throws Exception {
        start(config(Duration.ofMinutes(1)));
        send(pageView("s1", T0), pageView("s1", T0.plusSeconds(90)));
        watermark(T + 90_000 + GAP + 5 * MINUTE);
        assertThat(records()).hasSize(1);
        assertThat(records().get(0).closed).isTrue();
        assertThat(records().get(0).updateSeq).isEqualTo(1);
        assertNothingLeft(harness);
    }

    @Test
    void theEndOfInputWatermarkClosesOpenSessionsWithUpdatesOn() throws Exception {
        start(config(Duration.ofMinutes(1)));
        send(pageView("s1", T0), pageView("s1", T0.plusSeconds(90)), pageView("s2", T0));
        watermark(T + MINUTE);
        send(pageView("s1", T0.plusSeconds(100)));
        watermark(Long.MAX_VALUE);
        assertThat(records())
                .filteredOn(r -> r.closed)
                .extracting(r -> r.sessionId + " " + r.end)
                .containsExactlyInAnyOrder("s1 " + (T + 100_000), "s2 " + T);
        assertNothingLeft(harness);
    }

    // ---------------------------------------------------------------------------------------
    // out of order
    // ---------------------------------------------------------------------------------------

    private SessionRecord runToClose(List<RumEvent> events, long lagMs) throws Exception {
        if (harness != null) harness.close();
        start(config(Duration.ZERO));
        return feedAndClose(events, Long.MIN_VALUE, lagMs);
    }

    /**
     * Sends {@code events} to the open harness, each followed by a watermark {@code lagMs} behind
     * the newest event seen so far, {@code maxSeen} counting as seen before the first ({@code
     * lagMs} -1: no watermark until the close); then closes the session: its one record, with
     * nothing left behind.
     */
    private SessionRecord feedAndClose(List<RumEvent> events, long maxSeen, long lagMs)
            throws Exception {
        for (RumEvent e : events) {
            send(e);
            maxSeen = Math.max(maxSeen, e.eventTime);
            if (lagMs >= 0) watermark(maxSeen - lagMs);
        }
        watermark(maxSeen + GAP);
        assertThat(records()).hasSize(1);
        assertNothingLeft(harness);
        return records().get(0);
    }

    @Test
    void aTypicalSessionHasItsCountsVitalsSignalsAndTimeline() throws Exception {
        SessionRecord r = runToClose(typicalSession("s1", T0), -1);

        assertThat(r.events).isEqualTo(20);
        assertThat(r.pageViews).isEqualTo(3);
        assertThat(r.actions).isEqualTo(4);
        assertThat(r.fetches).isEqualTo(4);
        assertThat(r.failedFetches).isEqualTo(1);
        assertThat(r.errors).isEqualTo(1);
        assertThat(r.durationMs).isEqualTo(22_000);
        assertThat(r.landingRoute).isEqualTo("/home");
        assertThat(r.exitRoute).isEqualTo("/checkout");
        assertThat(r.bounce).isFalse();
        assertThat(r.lcpWorst).isEqualTo(2100.0);
        assertThat(r.lcpP75).isEqualTo(2100.0);
        assertThat(r.inpWorst).isEqualTo(320.0);
        assertThat(r.inpP75).isEqualTo(320.0);
        assertThat(r.clsWorst).isEqualTo(0.08);
        assertThat(r.clsP75).isEqualTo(0.08);
        assertThat(r.fcpP75).isEqualTo(850.0);
        assertThat(r.ttfbP75).isEqualTo(180.0);
        assertThat(r.rageClicks).isEqualTo(1);
        // Each of the three #checkout clicks is within 1 s before the error.
        assertThat(r.errorClicks).isEqualTo(3);
        // #add-to-cart is followed by a fetch after 0.2 s; the others by the error.
        assertThat(r.deadClicks).isZero();
        assertThat(r.frustrated).isTrue();
        assertThat(r.traceIds).containsExactly(TRACE_A, TRACE_B, TRACE_C, TRACE_D);
        assertThat(r.timeline)
                .extracting(e -> (e.t - T) + " " + e.type + " " + e.route + " " + e.detail)
                .containsExactly(
                        "0 page_view /home null",
                        "6000 action /home #add-to-cart",
                        "9000 page_view /cart null",
                        "12000 fetch /cart GET 503",
                        "15000 action /cart #checkout",
                        "15300 action /cart #checkout",
                        "15600 action /cart #checkout",
                        "15800 error /cart TypeError: x is undefined",
                        "20000 page_view /checkout null");
    }

    /**
     * The typical session run in order, then in five seeded orders {@code reorder} makes, each fed
     * with the watermark {@code lagMs} behind the newest event (-1: none until the close): every
     * run gives the in-order record, and none has a late event.
     */
    private void assertOrderChangesNothing(
            long lagMs, BiFunction<List<RumEvent>, Random, List<RumEvent>> reorder)
            throws Exception {
        SessionRecord inOrder = runToClose(typicalSession("s1", T0), lagMs);
        assertThat(inOrder.lateEvents).isZero();
        for (long seed = 1; seed <= 5; seed++) {
            List<RumEvent> events = new ArrayList<>(typicalSession("s1", T0));
            SessionRecord r = runToClose(reorder.apply(events, new Random(seed)), lagMs);
            assertThat(r.lateEvents).as("seed %d", seed).isZero();
            assertThat(r).as("seed %d", seed).usingRecursiveComparison().isEqualTo(inOrder);
        }
    }

    @Test
    void outOfOrderEventsInsideASessionGiveTheSameRecordAsInOrderOnes() throws Exception {
        assertOrderChangesNothing(
                -1,
                (events, random) -> {
                    Collections.shuffle(events, random);
                    return events;
                });
    }

    @Test
    void outOfOrderEventsWithinTheWatermarkBoundGiveTheSameRecordAsInOrderOnes() throws Exception {
        // The watermark trails the newest event by 5 s, as a bounded-out-of-orderness strategy
        // does; events are shuffled within 5 s windows, so none is ever behind the watermark.
        assertOrderChangesNothing(
                5000,
                (events, random) ->
                        events.stream()
                                .sorted(
                                        Comparator.comparingLong(
                                                e -> e.eventTime + random.nextInt(5000)))
                                .collect(Collectors.toList()));
    }

    // ---------------------------------------------------------------------------------------
    // frustration signals through the operator
    // ---------------------------------------------------------------------------------------

    @Test
    void threeQuickClicksOnOneTargetAreOneRageClickAndTwoAreNone() throws Exception {
        start(config(Duration.ZERO));
        send(
                click("s1", T0, "#buy"),
                click("s1", T0.plusMillis(400), "#buy"),
                click("s1", T0.plusMillis(800), "#buy"),
                click("s1", T0.plusMillis(900), "#buy"),
                click("s2", T0, "#buy"),
                click("s2", T0.plusMillis(400), "#buy"),
                click("s2", T0.plusMillis(1500), "#buy"));
        watermark(T + 1500 + GAP);
        assertThat(records())
                .extracting(r -> r.sessionId + " " + r.rageClicks)
                .containsExactlyInAnyOrder("s1 1", "s2 0");
        assertNothingLeft(harness);
    }

    @Test
    void aClickFollowedByAnErrorWithinOneSecondIsAnErrorClick() throws Exception {
        start(config(Duration.ZERO));
        send(
                click("s1", T0, "#pay"),
                jsError("s1", T0.plusMillis(700)),
                click("s1", T0.plusSeconds(10), "#pay"),
                jsError("s1", T0.plusMillis(11_500)));
        watermark(T + 11_500 + GAP);
        SessionRecord r = records().get(0);
        assertThat(r.errorClicks).isEqualTo(1);
        // The second click saw nothing within 1 s: dead, but one dead click is not frustration
        // on its own; the error click is.
        assertThat(r.deadClicks).isEqualTo(1);
        assertThat(r.frustrated).isTrue();
    }

    // ---------------------------------------------------------------------------------------
    // state
    // ---------------------------------------------------------------------------------------

    @Test
    void anOpenSessionSurvivesASnapshotAndRestore() throws Exception {
        List<RumEvent> events = typicalSession("s1", T0);
        SessionRecord uninterrupted = runToClose(events, 5000);

        harness.close();
        start(config(Duration.ZERO));
        for (RumEvent e : events.subList(0, 10)) send(e);
        watermark(events.get(9).eventTime - 5000);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = open(config(Duration.ZERO), snapshot);
        SessionRecord restored =
                feedAndClose(events.subList(10, events.size()), events.get(9).eventTime, 5000);
        assertThat(restored).usingRecursiveComparison().isEqualTo(uninterrupted);
    }

    @Test
    void aBotUserAgentFlagsTheSession() throws Exception {
        start(config(Duration.ZERO));
        send(pageView("s1", T0), SessionEvents.asBot(pageView("s1", T0.plusSeconds(1))));
        watermark(T + 1000 + GAP);
        assertThat(records().get(0).bot).isTrue();
        assertThat(at(records().get(0).end)).isEqualTo(T0.plusSeconds(1));
    }
}
