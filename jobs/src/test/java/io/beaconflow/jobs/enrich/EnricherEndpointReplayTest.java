package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.Beacons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The enricher's endpoints under replay ({@link EnricherOperator}, {@link
 * EndpointTemplateLearner}): two arrival orders of the same fetches, as two input channels
 * interleave them differently in a replay, give every fetch the same endpoint; held fetches leave
 * ahead of the watermark that settles them; a checkpoint taken while fetches are held restores
 * them; nothing is left held at the end, in the operator or in its final checkpoint.
 */
class EnricherEndpointReplayTest {
    private static final long T0 = 1_700_000_040_000L;

    static IngestConfig config() {
        IngestConfig c = new IngestConfig();
        c.privacy.userIdSalt = "test-salt";
        c.routes.learnAfter = 5;
        return c;
    }

    static RumEvent fetch(String id, String url, long time) {
        RumEvent e = new RumEvent();
        e.app = "news";
        e.eventId = id;
        e.sessionId = "s-" + id;
        e.type = EventType.FETCH;
        e.pageUrl = "https://news.example/";
        e.fetchMethod = "GET";
        e.fetchUrl = url;
        e.fetchStatus = 200;
        e.fetchDurationMs = 30.0;
        e.userAgent = Beacons.CHROME_DESKTOP;
        e.eventTime = time;
        return e;
    }

    /** Two channels of 30 minutes: topic fetches with new slugs (learn) and the feed (never). */
    static List<List<RumEvent>> channels() {
        List<List<RumEvent>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (int s = 0; s < 120; s++) {
            long t = T0 + s * 15_000L;
            out.get(s % 2).add(fetch("t" + s, "https://api.news.example/api/topics/w" + s, t));
            out.get(s % 2).add(fetch("f" + s, "/api/feed?page=" + s, t + 500));
        }
        return out;
    }

    /** One step of an arrival order: the next event of a channel, or a watermark. */
    interface Step {}

    record Next(int channel) implements Step {}

    record Mark() implements Step {}

    /**
     * Runs the steps; the watermark is the slower channel's latest time - 30 s (bounded
     * out-of-orderness). Returns endpoint by event id and checks that no record leaves behind a
     * watermark the operator already forwarded.
     */
    static Map<String, String> run(List<Step> steps, Integer snapshotAfter) throws Exception {
        List<List<RumEvent>> ch = channels();
        int[] next = {0, 0};
        long[] latest = {Long.MIN_VALUE, Long.MIN_VALUE};
        Map<String, String> endpoints = new TreeMap<>();
        var h = harness();
        h.open();
        int k = 0;
        for (Step s : steps) {
            if (s instanceof Next n) {
                RumEvent e = ch.get(n.channel()).get(next[n.channel()]++);
                latest[n.channel()] = e.eventTime;
                h.processElement(e, e.eventTime);
            } else if (latest[0] != Long.MIN_VALUE && latest[1] != Long.MIN_VALUE) {
                h.processWatermark(new Watermark(Math.min(latest[0], latest[1]) - 30_000L));
            }
            if (snapshotAfter != null && ++k == snapshotAfter) {
                assertThat(((EnricherOperator) h.getOperator()).pendingCount())
                        .as("the checkpoint is taken while fetches are held")
                        .isPositive();
                OperatorSubtaskState state = h.snapshot(1, 1);
                collect(h, endpoints);
                h.close();
                h = harness();
                h.initializeState(state);
                h.open();
            }
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        collect(h, endpoints);
        assertThat(((EnricherOperator) h.getOperator()).pendingCount()).isZero();
        // Not keyed: the operator has no timer service at all; watermarks drive the releases.
        OperatorSubtaskState end = h.snapshot(2, 2);
        h.close();
        try (var after = harness()) {
            after.initializeState(end);
            after.open();
            assertThat(((EnricherOperator) after.getOperator()).pendingCount())
                    .as("no held fetch in the final checkpoint")
                    .isZero();
        }
        return endpoints;
    }

    static OneInputStreamOperatorTestHarness<RumEvent, RumEvent> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new EnricherOperator(new Enricher(config())));
    }

    static void collect(
            OneInputStreamOperatorTestHarness<RumEvent, RumEvent> h, Map<String, String> out) {
        long mark = Long.MIN_VALUE;
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                mark = w.getTimestamp();
            } else if (o instanceof StreamRecord<?> r) {
                RumEvent e = (RumEvent) r.getValue();
                assertThat(r.getTimestamp())
                        .as(e.eventId + " keeps its timestamp")
                        .isEqualTo(e.eventTime);
                assertThat(r.getTimestamp())
                        .as(e.eventId + " is not behind a forwarded watermark")
                        .isGreaterThan(mark);
                assertThat(out.put(e.eventId, e.endpoint)).as(e.eventId + " once").isNull();
            }
        }
        h.getOutput().clear();
    }

    /** Channels alternate, a watermark after every pair. */
    static List<Step> evenly() {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            s.add(new Next(0));
            s.add(new Next(1));
            s.add(new Mark());
        }
        return s;
    }

    /** Channel 1 reads 20 minutes ahead before channel 0 catches up (a replay's catch-up). */
    static List<Step> skewed() {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            s.add(new Next(1));
            s.add(new Mark());
        }
        for (int i = 0; i < 120; i++) {
            s.add(new Next(0));
            if (i >= 80) continue;
            s.add(new Mark());
        }
        for (int i = 80; i < 120; i++) {
            s.add(new Next(1));
            s.add(new Mark());
        }
        return s;
    }

    @Test
    void twoArrivalOrdersOfTheSameFetchesGiveTheSameEndpoints() throws Exception {
        Map<String, String> even = run(evenly(), null);
        assertThat(even).hasSize(240);
        // Learned: the 6th distinct slug is at T0 + 75 s; + 5 min lateness + 30 s margin, next
        // whole minute: T0 + 7 min (fetch t28 onwards). Raw before.
        assertThat(even.get("t27")).isEqualTo("GET /api/topics/w27");
        assertThat(even.get("t28")).isEqualTo("GET /api/topics/:slug");
        assertThat(even.get("t119")).isEqualTo("GET /api/topics/:slug");
        assertThat(even.get("f3")).isEqualTo("GET /api/feed");

        assertThat(run(skewed(), null)).isEqualTo(even);
    }

    @Test
    void aRestoreWhileFetchesAreHeldGivesTheSameEndpoints() throws Exception {
        Map<String, String> uninterrupted = run(skewed(), null);
        // After 40 steps of channel 1 alone: its fetches are far ahead of the watermark and held.
        assertThat(run(skewed(), 80)).isEqualTo(uninterrupted);
    }
}
