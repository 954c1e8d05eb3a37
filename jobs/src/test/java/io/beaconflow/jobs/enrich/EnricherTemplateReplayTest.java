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
 * The enricher's routes and endpoints under replay ({@link EnricherOperator}, {@link
 * PathTemplateLearner}): two arrival orders of the same page views and fetches, as two input
 * channels interleave them differently in a replay, give every view the same route and every fetch
 * the same endpoint; held events leave ahead of the watermark that settles them; a checkpoint taken
 * while events are held restores them; nothing is left held at the end, in the operator or in its
 * final checkpoint.
 */
class EnricherTemplateReplayTest {
    private static final long T0 = 1_700_000_040_000L;

    static IngestConfig config() {
        IngestConfig c = new IngestConfig();
        c.privacy.userIdSalt = "test-salt";
        c.routes.learnAfter = 5;
        return c;
    }

    /** At most this many events wait in {@link #aStalledWatermarkHoldsAtMostTheBound}. */
    static final int BOUND = 40;

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

    static RumEvent view(String id, String url, long time) {
        RumEvent e = fetch(id, null, time);
        e.type = EventType.PAGE_VIEW;
        e.fetchMethod = null;
        e.fetchStatus = null;
        e.fetchDurationMs = null;
        e.pageUrl = url;
        return e;
    }

    /** Events per channel: 60 steps of 15 s (30 minutes), four events each. */
    static final int PER_CHANNEL = 240;

    /**
     * Two channels of 30 minutes: topic pages and topic fetches with new slugs (both learn, each in
     * its own learner), the feed (never), and the home page.
     */
    static List<List<RumEvent>> channels() {
        List<List<RumEvent>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (int s = 0; s < 120; s++) {
            long t = T0 + s * 15_000L;
            List<RumEvent> c = out.get(s % 2);
            c.add(view("v" + s, "https://news.example/topics/w" + s + "?ref=x", t));
            c.add(fetch("t" + s, "https://api.news.example/api/topics/w" + s, t + 200));
            c.add(fetch("f" + s, "/api/feed?page=" + s, t + 500));
            c.add(view("h" + s, "https://news.example/", t + 700));
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
                        .as("the checkpoint is taken while events are held")
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
                    .as("no held event in the final checkpoint")
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
                String named = e.type == EventType.FETCH ? e.endpoint : e.route;
                assertThat(out.put(e.eventId, named)).as(e.eventId + " once").isNull();
            }
        }
        h.getOutput().clear();
    }

    /** Channels alternate, a watermark after every pair. */
    static List<Step> evenly() {
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < PER_CHANNEL; i++) {
            s.add(new Next(0));
            s.add(new Next(1));
            s.add(new Mark());
        }
        return s;
    }

    /** Channel 1 reads 20 minutes ahead before channel 0 catches up (a replay's catch-up). */
    static List<Step> skewed() {
        int ahead = PER_CHANNEL * 2 / 3;
        List<Step> s = new ArrayList<>();
        for (int i = 0; i < ahead; i++) {
            s.add(new Next(1));
            s.add(new Mark());
        }
        for (int i = 0; i < PER_CHANNEL; i++) {
            s.add(new Next(0));
            if (i >= ahead) continue;
            s.add(new Mark());
        }
        for (int i = ahead; i < PER_CHANNEL; i++) {
            s.add(new Next(1));
            s.add(new Mark());
        }
        return s;
    }

    /**
     * No watermark at all (one input stuck): without a bound every event would wait, on the heap
     * and in every checkpoint, and nothing would reach the stages downstream. With it, at most
     * {@link #BOUND} wait; the oldest leave decided on the evidence so far, with their own
     * timestamps. The evidence here comes in time order, so that answer is the settled one.
     */
    @Test
    void aStalledWatermarkHoldsAtMostTheBound() throws Exception {
        IngestConfig c = config();
        c.routes.maxHeldEvents = BOUND;
        Map<String, String> named = new TreeMap<>();
        int fed = 0;
        try (var h =
                new OneInputStreamOperatorTestHarness<>(new EnricherOperator(new Enricher(c)))) {
            h.open();
            List<List<RumEvent>> ch = channels();
            for (int i = 0; i < PER_CHANNEL; i++) {
                for (List<RumEvent> channel : ch) {
                    RumEvent e = channel.get(i);
                    h.processElement(e, e.eventTime);
                    fed++;
                    int held = ((EnricherOperator) h.getOperator()).pendingCount();
                    assertThat(held).as("events waiting after " + fed).isBetween(1, BOUND);
                    collect(h, named);
                    assertThat(named).hasSize(fed - held);
                }
            }
            assertThat(named).as("most events left before any watermark").hasSizeGreaterThan(400);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            collect(h, named);
            assertThat(((EnricherOperator) h.getOperator()).pendingCount()).isZero();
        }
        assertThat(named).isEqualTo(run(evenly(), null));
    }

    @Test
    void twoArrivalOrdersOfTheSameViewsAndFetchesGiveTheSameRoutesAndEndpoints() throws Exception {
        Map<String, String> even = run(evenly(), null);
        assertThat(even).hasSize(2 * PER_CHANNEL);
        // Learned: the 6th distinct slug is at T0 + 75 s; + 5 min lateness + 30 s margin, next
        // whole minute: T0 + 7 min (view and fetch 28 onwards). Raw before. Routes and endpoints
        // learn separately, at the same moments here because they have the same slugs.
        assertThat(even.get("t27")).isEqualTo("GET /api/topics/w27");
        assertThat(even.get("t28")).isEqualTo("GET /api/topics/:slug");
        assertThat(even.get("t119")).isEqualTo("GET /api/topics/:slug");
        assertThat(even.get("f3")).isEqualTo("GET /api/feed");
        assertThat(even.get("v27")).isEqualTo("/topics/w27");
        assertThat(even.get("v28")).isEqualTo("/topics/:slug");
        assertThat(even.get("v119")).isEqualTo("/topics/:slug");
        assertThat(even.get("h3")).isEqualTo("/");

        assertThat(run(skewed(), null)).isEqualTo(even);
    }

    @Test
    void aRestoreWhileViewsAndFetchesAreHeldGivesTheSameRoutesAndEndpoints() throws Exception {
        Map<String, String> uninterrupted = run(skewed(), null);
        // After 80 steps of channel 1 alone: its events are far ahead of the watermark and held.
        assertThat(run(skewed(), 160)).isEqualTo(uninterrupted);
    }
}
