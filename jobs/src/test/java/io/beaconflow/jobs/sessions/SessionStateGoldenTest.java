package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.asBot;
import static io.beaconflow.jobs.sessions.SessionEvents.click;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.jsError;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.SessionEvents.typicalSession;
import static io.beaconflow.jobs.sessions.SessionEvents.vital;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins {@link SessionStateSerializer}'s byte format: session state lives in checkpoints and
 * savepoints, so a refactoring of {@link SessionState} or its serializer must write the same bytes
 * and read the bytes older jobs wrote. The expected bytes are committed in {@code
 * src/test/resources/session-state-golden/NAME.bin}, written by the format-1 serializer before
 * SessionState was split; never regenerate them to make this test pass (a new format gets a new
 * version byte and keeps reading these).
 */
class SessionStateGoldenTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "session-state-golden");
    private static final SessionRules RULES = new SessionRules(new SessionConfig());

    /** Representative states, by name: every section of the format is non-trivial in one. */
    static Map<String, SessionState> states() {
        Map<String, SessionState> out = new LinkedHashMap<>();
        out.put("fresh", SessionState.startingAt(T0.toEpochMilli()));
        out.put("typical-waiting", SessionStateTest.typicalOpenSession(-60_000));
        out.put("typical-active", SessionStateTest.typicalOpenSession(30_000));
        out.put("rich", rich());
        out.put("merged", merged());
        return out;
    }

    static List<String> names() {
        return new ArrayList<>(states().keySet());
    }

    /**
     * A long bot-flagged, sampled session with experiments: more vitals than are kept, a timeline
     * and trace ids past their caps, late events, non-ASCII and uncommon strings, events before the
     * first one seen (negative offsets) and a dirty flag.
     */
    private static SessionState rich() {
        List<RumEvent> events = new ArrayList<>();
        Instant t = T0.plusSeconds(600);
        for (int i = 0; i < 70; i++) {
            Instant at = t.plusMillis(4_000L * i);
            String route = i % 3 == 0 ? "/produkt/größe" : "/category/:slug" + (i % 5);
            RumEvent pv = pageView("s2", at, route);
            // A HashMap, as the serializer reads it back (String keys: a stable order).
            pv.experiments = new HashMap<>();
            pv.experiments.put("checkout-v2", "b");
            pv.experiments.put("hero", "control");
            pv.sampleRate = 0.25;
            pv.country = "ZA";
            pv.browser = "Yandex Browser";
            pv.networkType = "3g";
            events.add(pv);
            events.add(vital("s2", at.plusMillis(700), "LCP", 1200 + 37 * i, route));
            events.add(vital("s2", at.plusMillis(800), "CLS", 0.013 * (i % 9), route));
            events.add(vital("s2", at.plusMillis(900), "INP", 90 + 11 * (i % 13), route));
            events.add(fetch("s2", at.plusMillis(1_000), i % 7 == 0 ? 502 : 200, trace(i), route));
            events.add(click("s2", at.plusMillis(1_500), "#buy-" + (i % 4), route));
            if (i % 10 == 0) {
                events.add(click("s2", at.plusMillis(1_700), "#buy-" + (i % 4), route));
                events.add(click("s2", at.plusMillis(1_900), "#buy-" + (i % 4), route));
                RumEvent err = jsError("s2", at.plusMillis(2_000), route);
                err.errorMessage = "Cannot read properties of undefined (reading 'größe') " + i;
                events.add(err);
            }
        }
        events.add(asBot(pageView("s2", t.minusSeconds(30), "/")));
        SessionState s = SessionState.startingAt(t.toEpochMilli());
        for (int i = 0; i < events.size(); i++) s.add(events.get(i), RULES, i % 17 == 5);
        s.settle(t.toEpochMilli() + 200_000, RULES);
        s.idStart = s.start;
        s.timerAt = s.end + RULES.gapMs;
        s.updateSeq = 7;
        s.dirty = true;
        return s;
    }

    private static String trace(int i) {
        return String.format("%08x%024x", 0xabc00000 + i, (long) i * 0x9E3779B97F4AL);
    }

    /** Two halves of one session folded apart and merged (the session-window merge). */
    private static SessionState merged() {
        List<RumEvent> events = typicalSession("s3", T0);
        SessionState a = SessionStateTest.fold(events.subList(0, 9));
        SessionState b = SessionStateTest.fold(events.subList(9, events.size()));
        a.merge(b, RULES);
        return a;
    }

    private static byte[] write(SessionState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SessionStateSerializer.INSTANCE.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    private static byte[] golden(String name) throws IOException {
        return Files.readAllBytes(GOLDEN.resolve(name + ".bin"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void theSerializerWritesTheCommittedBytes(String name) throws Exception {
        assertThat(write(states().get(name))).isEqualTo(golden(name));
    }

    @ParameterizedTest
    @MethodSource("names")
    void theCommittedBytesReadBackToTheSameStateAndBytes(String name) throws Exception {
        byte[] bytes = golden(name);
        SessionState read =
                SessionStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
        assertThat(read.sameAs(states().get(name))).isTrue();
        assertThat(write(read)).isEqualTo(bytes);
    }
}
