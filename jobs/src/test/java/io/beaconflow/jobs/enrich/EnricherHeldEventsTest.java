package io.beaconflow.jobs.enrich;

import static io.beaconflow.jobs.enrich.EnricherTemplateReplayTest.config;
import static io.beaconflow.jobs.enrich.EnricherTemplateReplayTest.fetch;
import static io.beaconflow.jobs.enrich.EnricherTemplateReplayTest.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Held events are asked again only when their answer can have changed ({@link Enricher}'s stamps:
 * the learner's version when it last answered "wait", and the event's time against the earliest
 * effect). The reference asks every held event at every watermark, as the enricher did before. Both
 * must send the same events, with the same routes, endpoints and timestamps, in the same order and
 * between the same watermarks, on streams that hold many events (read ahead of the watermark,
 * stalls) and learn templates at several depths while events wait.
 */
class EnricherHeldEventsTest {
    private static final long T0 = 1_700_000_040_000L;

    /** A stream of events and watermarks ({@code Long}), random but fixed by the seed. */
    static List<Object> stream(long seed) {
        Random r = new Random(seed);
        List<Object> out = new ArrayList<>();
        long t = T0;
        int stall = 0;
        for (int i = 0; i < 1_500; i++) {
            t += r.nextInt(1_500);
            // Mostly near the watermark; one in five read ahead by up to 15 minutes (held, some
            // past the effect time of a template learned while they wait).
            long time = t + (r.nextInt(5) == 0 ? r.nextInt(900_000) : -r.nextInt(20_000));
            String id = "e" + i;
            RumEvent e =
                    switch (r.nextInt(7)) {
                        // a new section every 5 minutes: templates learn all along
                        case 0 ->
                                view(
                                        id,
                                        "https://news.example/s"
                                                + (t - T0) / 300_000
                                                + "/w"
                                                + r.nextInt(40),
                                        time);
                        case 1 ->
                                view(
                                        id,
                                        "https://news.example/checkout/"
                                                + List.of("cart", "pay", "ship").get(r.nextInt(3)),
                                        time);
                        case 2 ->
                                view(
                                        id,
                                        "https://news.example/docs/d"
                                                + r.nextInt(9)
                                                + "/p"
                                                + r.nextInt(12),
                                        time);
                        case 3 -> fetch(id, "/api/topics/w" + r.nextInt(40), time);
                        case 4 ->
                                fetch(
                                        id,
                                        "/api/users/u" + r.nextInt(30) + "/repos/x" + r.nextInt(8),
                                        time);
                        case 5 -> fetch(id, "/api/feed?page=" + r.nextInt(5), time);
                        default -> view(id, "https://news.example/", time);
                    };
            out.add(e);
            if (stall > 0) {
                stall--;
            } else if (r.nextInt(100) == 0) {
                stall = 100 + r.nextInt(200); // one input stuck for a while
            } else if (r.nextInt(2) == 0) {
                out.add(t - 30_000L);
            }
        }
        out.add(Long.MAX_VALUE);
        return out;
    }

    /** What left, in order: events with their names and timestamps, and watermarks. */
    static List<String> run(List<Object> stream, boolean askEveryHeldEvent, long[] asked)
            throws Exception {
        List<String> out = new ArrayList<>();
        Enricher enricher = new Enricher(config());
        if (askEveryHeldEvent) enricher.askingEveryHeldEvent();
        var h = new OneInputStreamOperatorTestHarness<>(new EnricherOperator(enricher));
        h.open();
        long heldAtWatermarks = 0;
        for (Object o : stream) {
            if (o instanceof RumEvent e) {
                h.processElement(e, e.eventTime);
                continue;
            }
            heldAtWatermarks += ((EnricherOperator) h.getOperator()).pendingCount();
            h.processWatermark(new Watermark((Long) o));
        }
        drain(h, out);
        assertThat(((EnricherOperator) h.getOperator()).pendingCount()).isZero();
        if (asked != null) {
            asked[0] = ((EnricherOperator) h.getOperator()).heldAsked();
            asked[1] = heldAtWatermarks;
        }
        h.close();
        return out;
    }

    static void drain(OneInputStreamOperatorTestHarness<RumEvent, RumEvent> h, List<String> out) {
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("W " + w.getTimestamp());
            } else if (o instanceof StreamRecord<?> r) {
                RumEvent e = (RumEvent) r.getValue();
                out.add(
                        e.eventId
                                + ' '
                                + (e.type == EventType.FETCH ? e.endpoint : e.route)
                                + ' '
                                + r.getTimestamp());
            }
        }
        h.getOutput().clear();
    }

    @Test
    void askingOnlyWhatCanHaveChangedSendsWhatAskingEverythingSends() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            List<Object> stream = stream(seed);
            long[] asked = new long[2];
            List<String> stamped = run(stream, false, asked);
            List<String> everyTime = run(stream, true, null);
            assertThat(stamped).as("seed " + seed).isEqualTo(everyTime);
            assertThat(stamped.stream().filter(s -> !s.startsWith("W ")))
                    .as("every event leaves once")
                    .hasSize(1_500)
                    .doesNotHaveDuplicates();
            assertThat(stamped)
                    .as("templates learned while events waited")
                    .anyMatch(s -> s.matches("e\\d+ /s\\d+/:slug .*"))
                    .anyMatch(s -> s.contains("/api/users/:slug/repos/"))
                    .anyMatch(s -> s.matches("e\\d+ /s\\d+/w\\d+ .*"));
            // The old loop asked every held event at every watermark (asked[1]); most of those
            // answers could not have changed.
            assertThat(asked[1]).as("events were held at watermarks").isGreaterThan(2_000);
            assertThat(asked[0])
                    .as("asked again, seed %d, of %d", seed, asked[1])
                    .isLessThan(asked[1] / 3);
        }
    }
}
