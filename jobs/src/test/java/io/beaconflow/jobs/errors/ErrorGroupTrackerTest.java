package io.beaconflow.jobs.errors;

import static io.beaconflow.jobs.errors.ErrorGroupTracker.FINDINGS;
import static io.beaconflow.jobs.errors.ErrorGroupTracker.WINDOW_COUNTS;
import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static io.beaconflow.jobs.testing.Harnesses.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.testing.EnrichedEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ErrorGroupTrackerTest {
    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final String FP = "0123456789abcdef";

    static ErrorGroupsConfig config() {
        ErrorGroupsConfig c = new ErrorGroupsConfig();
        c.idleTtl = Duration.ofHours(3);
        c.maxTrackedIds = 50;
        c.newError.minSessions = 3;
        c.newError.within = Duration.ofMinutes(10);
        c.newError.quiet = Duration.ofMinutes(20);
        return c;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, ErrorGroup> harness(
            ErrorGroupsConfig c) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ErrorGroupTracker(c, Duration.ofMinutes(1))),
                new ErrorGroupTracker.Key(),
                Types.STRING);
    }

    static int ids;

    static RumEvent jsError(String session, long at) {
        RumEvent e =
                EnrichedEvents.enriched(
                        EventType.ERROR, "ev-" + (ids++), "shop-web", session, at, "/account");
        e.userId = "user-of-" + session;
        e.release = "shop-web@2.5.0";
        e.errorType = "TypeError";
        e.errorMessage = "Cannot read properties of undefined (reading 'loyaltyTier')";
        e.errorStack = "TypeError: ...\n    at renderLoyaltyBadge (https://x/assets/a.js:1:2210)";
        e.errorFingerprint = FP;
        return e;
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, ErrorGroup> h, RumEvent e)
            throws Exception {
        h.processElement(e, e.eventTime);
    }

    @Test
    void occurrencesOfOneFingerprintBecomeOneGroupWrittenOncePerWindowWithTheEarliestSample()
            throws Exception {
        try (var h = harness(config())) {
            h.open();
            RumEvent later = jsError("s1", T0 + 40_000);
            later.errorMessage = "a later message";
            feed(h, later);
            RumEvent first = jsError("s2", T0 + 10_000);
            first.browser = "Safari";
            first.release = "shop-web@2.4.0";
            feed(h, first);
            feed(h, jsError("s1", T0 + 50_000)); // same session, same user
            RumEvent bot = jsError("b1", T0 + 20_000);
            bot.bot = true;
            feed(h, bot);
            assertThat(h.extractOutputValues()).isEmpty(); // nothing before the watermark

            h.processWatermark(T0 + MINUTE);
            List<ErrorGroup> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            ErrorGroup g = out.get(0);
            assertThat(g.id).isEqualTo(ErrorGroup.idOf("shop-web", FP)).startsWith("eg-");
            assertThat(g.count).isEqualTo(3);
            assertThat(g.sessions).isEqualTo(2);
            assertThat(g.users).isEqualTo(2);
            assertThat(g.countsCapped).isFalse();
            assertThat(g.firstSeen).isEqualTo(T0 + 10_000);
            assertThat(g.lastSeen).isEqualTo(T0 + 50_000);
            assertThat(g.firstRelease).isEqualTo("shop-web@2.4.0");
            assertThat(g.message).startsWith("Cannot read properties");
            assertThat(g.releases).containsExactly("shop-web@2.4.0", "shop-web@2.5.0");
            assertThat(g.browsers).containsExactly("Chrome", "Safari");
            assertThat(g.updateSeq).isZero();
            assertThat(g.updatedAt).isEqualTo(T0 + MINUTE - 1);

            // Another minute with errors: the next version, same id.
            feed(h, jsError("s3", T0 + 70_000));
            h.processWatermark(T0 + 2 * MINUTE);
            ErrorGroup v1 = h.extractOutputValues().get(1);
            assertThat(v1.id).isEqualTo(g.id);
            assertThat(v1.updateSeq).isEqualTo(1);
            assertThat(v1.count).isEqualTo(4);
            // A minute without errors writes nothing.
            h.processWatermark(T0 + 3 * MINUTE);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void aFingerprintThatReachesNSessionsWithinTheSpanSpreadsOnceThenGoesQuietAndLeavesNoState()
            throws Exception {
        ErrorGroupsConfig c = config();
        try (var h = harness(c)) {
            h.open();
            feed(h, jsError("s1", T0 + 5_000));
            feed(h, jsError("s2", T0 + 65_000));
            h.processWatermark(T0 + 2 * MINUTE);
            assertThat(sideOutput(h, FINDINGS)).isEmpty(); // two sessions, three needed
            // The third session, out of order within its minute, and a fourth.
            feed(h, jsError("s4", T0 + 150_000));
            feed(h, jsError("s3", T0 + 125_000));
            h.processWatermark(T0 + 3 * MINUTE);
            List<Finding> f = sideOutput(h, FINDINGS);
            assertThat(f)
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.kind).isEqualTo(Finding.ERROR_SPREAD);
                                assertThat(s.app).isEqualTo("shop-web");
                                assertThat(s.release).isEqualTo("shop-web@2.5.0");
                                assertThat(s.dimensionValue).isEqualTo(FP);
                                assertThat(s.observed).isEqualTo(4);
                                assertThat(s.firstWindowStart).isEqualTo(T0);
                                assertThat(s.at).isEqualTo(T0 + 3 * MINUTE - 1);
                                assertThat(s.key)
                                        .isEqualTo(ErrorGroupTracker.findingKey("shop-web", FP));
                                assertThat(s.detail).startsWith("TypeError: Cannot read");
                                assertThat(s.related).containsExactly("browser=Chrome");
                            });
            // More sessions: no second spread finding.
            feed(h, jsError("s5", T0 + 200_000));
            h.processWatermark(T0 + 5 * MINUTE);
            assertThat(sideOutput(h, FINDINGS)).hasSize(1);
            assertThat(h.extractOutputValues().get(h.extractOutputValues().size() - 1).spreadAt)
                    .isEqualTo(T0 + 3 * MINUTE - 1);

            // Quiet for 20 minutes after the last occurrence (T0 + 200 s): recovered.
            h.processWatermark(T0 + 200_000 + c.newError.quiet.toMillis());
            assertThat(sideOutput(h, FINDINGS)).hasSize(2);
            Finding quiet = sideOutput(h, FINDINGS).get(1);
            assertThat(quiet.kind).isEqualTo(Finding.RECOVERED);
            assertThat(quiet.key).isEqualTo(f.get(0).key);
            assertThat(quiet.firstWindowStart).isGreaterThanOrEqualTo(f.get(0).lastWindowEnd);

            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the cleanup timer alone
            h.processWatermark(T0 + 200_000 + c.idleTtl.toMillis());
            assertNothingLeft(h);
        }
    }

    @Test
    void sessionsOutsideTheSpanDoNotMakeAnErrorNewlySpread() throws Exception {
        try (var h = harness(config())) {
            h.open();
            feed(h, jsError("s1", T0));
            feed(h, jsError("s2", T0 + 11 * MINUTE)); // after first seen + 10 min
            feed(h, jsError("s3", T0 + 12 * MINUTE));
            h.processWatermark(T0 + 20 * MINUTE);
            assertThat(sideOutput(h, FINDINGS)).isEmpty();
            assertThat(h.extractOutputValues().get(h.extractOutputValues().size() - 1).sessions)
                    .isEqualTo(3);
            h.processWatermark(T0 + 12 * MINUTE + config().idleTtl.toMillis());
            assertNothingLeft(h);
        }
    }

    @Test
    void sessionAndUserCountsStopAtTheCapAndSayTheyAreLowerBounds() throws Exception {
        ErrorGroupsConfig c = config();
        c.maxTrackedIds = 3;
        c.maxListedValues = 2;
        try (var h = harness(c)) {
            h.open();
            for (int i = 0; i < 6; i++) {
                RumEvent e = jsError("s" + i, T0 + i * 1000);
                e.release = "r" + i;
                feed(h, e);
            }
            h.processWatermark(T0 + MINUTE);
            ErrorGroup g = h.extractOutputValues().get(0);
            assertThat(g.count).isEqualTo(6);
            assertThat(g.sessions).isEqualTo(3);
            assertThat(g.users).isEqualTo(3);
            assertThat(g.countsCapped).isTrue();
            assertThat(g.releases).containsExactly("r0", "r1");
        }
    }

    @Test
    void eachWindowSendsTheSessionsTheErrorHitForTheFirstTimeWhenTheWatermarkPassesIt()
            throws Exception {
        try (var h = harness(config())) {
            h.open();
            feed(h, jsError("s1", T0 + 5_000));
            feed(h, jsError("s2", T0 + 15_000));
            feed(h, jsError("s1", T0 + 25_000)); // s1 again: not new
            feed(h, jsError("s1", T0 + MINUTE + 5_000)); // and not in the next window either
            feed(h, jsError("s3", T0 + MINUTE + 6_000));
            feed(h, jsError("s4", T0 + 3 * MINUTE + 1_000));
            h.processWatermark(T0 + MINUTE - 1);
            assertThat(sideOutput(h, WINDOW_COUNTS))
                    .singleElement()
                    .satisfies(
                            c -> {
                                assertThat(c.app).isEqualTo("shop-web");
                                assertThat(c.fingerprint).isEqualTo(FP);
                                assertThat(c.windowStart).isEqualTo(T0);
                                assertThat(c.windowEnd).isEqualTo(T0 + MINUTE);
                                assertThat(c.newSessions).isEqualTo(2);
                                // where the two sessions first met it
                                assertThat(c.segments)
                                        .containsEntry("route=/account", 2L)
                                        .containsEntry("release=shop-web@2.5.0", 2L);
                            });
            h.processWatermark(T0 + 4 * MINUTE - 1);
            // minute 2 had no occurrence: no count; minute 3 had s4
            assertThat(sideOutput(h, WINDOW_COUNTS))
                    .extracting(c -> c.windowStart, c -> c.newSessions)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(T0, 2L),
                            org.assertj.core.groups.Tuple.tuple(T0 + MINUTE, 1L),
                            org.assertj.core.groups.Tuple.tuple(T0 + 3 * MINUTE, 1L));
            // a late session of minute 1 (decided already) counts in the window still open
            feed(h, jsError("s5", T0 + MINUTE + 10_000));
            h.processWatermark(T0 + 5 * MINUTE - 1);
            assertThat(sideOutput(h, WINDOW_COUNTS))
                    .last()
                    .satisfies(
                            c -> {
                                assertThat(c.windowStart).isEqualTo(T0 + 4 * MINUTE);
                                assertThat(c.newSessions).isEqualTo(1);
                            });
            // every window's count was sent and forgotten: after the idle TTL nothing is left
            h.processWatermark(T0 + 4 * MINUTE + Duration.ofHours(3).toMillis());
            assertNothingLeft(h);
        }
    }
}
