package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.click;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.SessionEvents.typicalSession;
import static io.beaconflow.jobs.sessions.SessionEvents.vital;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SessionStateTest {
    private static final long T = T0.toEpochMilli();
    private static final SessionRules RULES = new SessionRules(new SessionConfig());

    static SessionState fold(List<RumEvent> events) {
        SessionState s = SessionState.startingAt(events.get(0).eventTime);
        for (RumEvent e : events) s.add(e, RULES, false);
        return s;
    }

    private static <T> byte[] bytes(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /**
     * A typical open session as it sits in state, with the watermark {@code lagMs} behind its last
     * event and the session not yet closed.
     */
    static SessionState typicalOpenSession(long lagMs) {
        List<RumEvent> events = typicalSession("s1", T0);
        SessionState s = fold(events);
        s.settle(events.get(events.size() - 1).eventTime - lagMs, RULES);
        s.idStart = s.start;
        s.timerAt = s.end + RULES.gapMs;
        s.nextUpdateAt = s.start + 2 * RULES.updateIntervalMs;
        s.updateSeq = 1;
        return s;
    }

    private static int compactBytes(SessionState s) throws IOException {
        @SuppressWarnings("unchecked")
        TypeSerializer<SessionState> operatorSerializer =
                (TypeSerializer<SessionState>) SessionAssembler.stateDescriptor().getSerializer();
        return bytes(operatorSerializer, s).length;
    }

    @Test
    void aTypicalOpenSessionTakesAtMost300BytesOfState() throws Exception {
        // Most of an open session's life is the wait for the gap: the watermark is past its last
        // event and the frustration-signal tail is empty.
        SessionState waiting = typicalOpenSession(-60_000);
        int compact = compactBytes(waiting);
        TypeSerializer<SessionState> pojo =
                TypeInformation.of(SessionState.class).createSerializer(new SerializerConfigImpl());
        int pojoBytes = bytes(pojo, waiting).length;
        // While events still arrive (watermark 30 s behind, as ingest's default bound), recent
        // clicks and effects sit in the tail as well.
        int active = compactBytes(typicalOpenSession(30_000));

        System.out.printf(
                "SessionState, typical 20-event session: %d bytes waiting for the gap, %d bytes"
                        + " while active (compact serializer); %d bytes waiting (POJO)%n",
                compact, active, pojoBytes);
        assertThat(compact).isLessThanOrEqualTo(300);
        assertThat(active).isLessThanOrEqualTo(400);
        assertThat(compact).isLessThan(pojoBytes / 2);
    }

    @Test
    void theCompactSerializerRoundTripsEveryField() throws Exception {
        SessionState s = typicalOpenSession(5000);
        s.dims.experiments = Map.of("checkout-v2", "b", "banner", "off");
        s.dims.sampleRate = 0.25;
        s.anyBot = true;
        s.add(fetch("s1", T0.plusSeconds(30), 500, "not-a-hex-trace-id"), RULES, true);
        byte[] b = bytes(SessionStateSerializer.INSTANCE, s);
        SessionState back =
                SessionStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(b));
        assertThat(back.sameAs(s)).isTrue();
        assertThat(back.toRecord("shop", "s1", false, "open", 2))
                .usingRecursiveComparison()
                .isEqualTo(s.toRecord("shop", "s1", false, "open", 2));
        assertThat(SessionStateSerializer.INSTANCE.copy(s).sameAs(s)).isTrue();
    }

    @Test
    void stateRecordAndTimelineAreFlinkPojosWithGenericTypesDisabled() {
        SerializerConfigImpl noGenerics = new SerializerConfigImpl();
        noGenerics.setGenericTypes(false);
        for (Class<?> c : List.of(SessionState.class, SessionRecord.class, TimelineEntry.class)) {
            TypeInformation<?> info = TypeInformation.of(c);
            assertThat(info).as(c.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            assertThat(info).as(c.getSimpleName()).isNotInstanceOf(GenericTypeInfo.class);
            // Throws when any field would fall back to Kryo.
            assertThat(info.createSerializer(noGenerics)).isNotNull();
        }
    }

    @Test
    void p75IsTheNearestRankOverTheKeptTopValues() {
        SessionState s = SessionState.startingAt(T);
        // 1..100 ms in a scrambled order.
        for (int i = 0; i < 100; i++) {
            int v = (i * 37) % 100 + 1;
            s.add(vital("s1", T0.plusMillis(i), "LCP", v), RULES, false);
        }
        SessionRecord r = s.toRecord("shop", "s1", true, "inactivity", 1);
        assertThat(r.lcpWorst).isEqualTo(100.0);
        assertThat(r.lcpP75).isEqualTo(75.0);
        assertThat(s.vitals.kept(SessionVitals.LCP)).isEqualTo(32);
        assertThat(r.inpP75).isNull();
    }

    @Test
    void p75OfMoreThan128ValuesOverestimatesWithTheSmallestKeptValue() {
        SessionState s = SessionState.startingAt(T);
        for (int v = 1; v <= 200; v++) s.add(vital("s1", T0, "INP", v), RULES, false);
        // True p75 is 150; the 32 largest are 169..200.
        assertThat(s.toRecord("shop", "s1", true, "inactivity", 1).inpP75).isEqualTo(169.0);
    }

    @Test
    void clsKeepsFourDecimals() {
        SessionState s = SessionState.startingAt(T);
        s.add(vital("s1", T0, "CLS", 0.12346), RULES, false);
        s.add(vital("s1", T0, "CLS", 0.02), RULES, false);
        SessionRecord r = s.toRecord("shop", "s1", true, "inactivity", 1);
        assertThat(r.clsWorst).isEqualTo(0.1235);
        assertThat(r.clsP75).isEqualTo(0.1235);
    }

    @Test
    void mergingTwoHalvesGivesTheSameRecordAsFoldingEverything() {
        List<RumEvent> events = typicalSession("s1", T0);
        SessionState all = fold(events);
        SessionState odd = fold(events.subList(1, 2));
        SessionState even = fold(events.subList(0, 1));
        for (int i = 2; i < events.size(); i++) {
            (i % 2 == 0 ? even : odd).add(events.get(i), RULES, false);
        }
        odd.merge(even, RULES);
        all.settle(Long.MAX_VALUE, RULES);
        odd.settle(Long.MAX_VALUE, RULES);
        assertThat(odd.toRecord("shop", "s1", true, "inactivity", 1))
                .usingRecursiveComparison()
                .isEqualTo(all.toRecord("shop", "s1", true, "inactivity", 1));
    }

    @Test
    void aSettledTailKeepsOnlyWhatUndecidedClicksCanNeed() {
        SessionState s = SessionState.startingAt(T);
        for (int i = 0; i < 100; i++) {
            s.add(click("s1", T0.plusSeconds(i), "#next"), RULES, false);
        }
        s.settle(T + 100_000, RULES);
        // Decided up to 99 s; kept from 97 s (two 1 s windows back).
        assertThat(s.clicks.size).isEqualTo(3);
        assertThat(s.clicks.deadClicks).isEqualTo(99);
    }

    @Test
    void theTimelineKeepsTheFirstEntriesByTimeWhateverTheArrivalOrder() {
        SessionConfig c = new SessionConfig();
        c.timelineSize = 3;
        SessionRules rules = new SessionRules(c);
        SessionState s = SessionState.startingAt(T + 50_000);
        for (int i = 5; i >= 0; i--) {
            s.add(pageView("s1", T0.plusSeconds(10 * i), "/p" + i), rules, false);
        }
        assertThat(s.toRecord("shop", "s1", true, "inactivity", 1).timeline)
                .extracting(e -> e.route)
                .containsExactly("/p0", "/p1", "/p2");
    }

    @Test
    void moreThan60PageViewsAMinuteOverTwoMinutesIsABot() {
        SessionState human = SessionState.startingAt(T);
        SessionState crawler = SessionState.startingAt(T);
        for (int i = 0; i < 150; i++) {
            human.add(pageView("h", T0.plusSeconds(2L * i)), RULES, false);
            crawler.add(pageView("c", T0.plusMillis(800L * i)), RULES, false);
        }
        assertThat(human.toRecord("shop", "h", true, "inactivity", 1).bot).isFalse();
        assertThat(crawler.toRecord("shop", "c", true, "inactivity", 1).bot).isTrue();
    }
}
