package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link EndpointTemplateLearner}: the endpoint of every fetch depends on the fetches' times and
 * paths only, not on the order they arrive in; a fetch is answered only when its answer is final.
 */
class EndpointTemplateLearnerTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_040_000L; // a whole minute
    private static final long LATENESS = 5 * MIN;
    private static final long MARGIN = 30_000L;

    /** A fetch of the test traffic: path and event time. */
    record Fetch(int id, String path, long time) {}

    static EndpointTemplateLearner learner() {
        return new EndpointTemplateLearner(3, 50, LATENESS, MARGIN);
    }

    /**
     * Twenty minutes of traffic: /api/topics/{slug} with a new slug every 30 s (learns), /api/users
     * with 3 names (never learns: learnAfter is 3) each with its own repos, and /api/feed.
     */
    static List<Fetch> traffic() {
        List<Fetch> out = new ArrayList<>();
        int id = 0;
        for (int s = 0; s < 40; s++) {
            long t = T0 + s * 30_000L;
            out.add(new Fetch(id++, "/api/topics/slug-" + s, t));
            out.add(new Fetch(id++, "/api/users/user-" + (s % 3) + "/repos/r" + s, t + 1_000));
            out.add(new Fetch(id++, "/api/feed", t + 2_000));
        }
        return out;
    }

    /**
     * Feeds the fetches in the given arrival order, as two input channels (fetch id even / odd,
     * each in time order, like Kafka partitions) with a watermark that trails the slower channel by
     * {@code lag}, as Flink combines them; holds undecided fetches as the enricher does. Returns
     * each fetch's endpoint.
     */
    static Map<Integer, String> run(List<Fetch> arrival, long lag, int watermarkEvery) {
        EndpointTemplateLearner l = learner();
        Map<Integer, String> out = new java.util.TreeMap<>();
        List<Fetch> held = new ArrayList<>();
        long wm = Long.MIN_VALUE;
        long[] maxSeen = {Long.MIN_VALUE, Long.MIN_VALUE};
        int n = 0;
        for (Fetch f : arrival) {
            String p = l.apply("app", f.path, f.time, settled(wm, held));
            if (p == null) held.add(f);
            else out.put(f.id, p);
            int c = f.id % 2;
            assertThat(f.time).as("channel %d in time order", c).isGreaterThanOrEqualTo(maxSeen[c]);
            maxSeen[c] = f.time;
            if (++n % watermarkEvery == 0
                    && maxSeen[0] != Long.MIN_VALUE
                    && maxSeen[1] != Long.MIN_VALUE) {
                long forwarded = wm;
                wm = Math.max(wm, Math.min(maxSeen[0], maxSeen[1]) - lag);
                release(l, wm, forwarded, held, out);
            }
        }
        release(l, Long.MAX_VALUE, wm, held, out);
        assertThat(held).as("every fetch decided at the end of input").isEmpty();
        return out;
    }

    /** The two channels merged: at each step the next fetch of a random channel. */
    static List<Fetch> interleaved(List<Fetch> inOrder, Random random, double pickFirst) {
        List<Fetch> a = new ArrayList<>();
        List<Fetch> b = new ArrayList<>();
        for (Fetch f : inOrder) (f.id % 2 == 0 ? a : b).add(f);
        List<Fetch> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j == b.size() || (i < a.size() && random.nextDouble() < pickFirst))
                out.add(a.get(i++));
            else out.add(b.get(j++));
        }
        return out;
    }

    /**
     * What the enricher does on a watermark before forwarding it ({@code forwarded} is the last one
     * it forwarded).
     */
    static void release(
            EndpointTemplateLearner l,
            long wm,
            long forwarded,
            List<Fetch> held,
            Map<Integer, String> out) {
        boolean progress = true;
        while (progress) {
            long s = settled(wm, held);
            l.advance(s);
            progress = false;
            for (var it = held.iterator(); it.hasNext(); ) {
                Fetch f = it.next();
                String p = l.apply("app", f.path, f.time, s);
                if (p != null) {
                    // Never sent behind a watermark already forwarded: not late downstream.
                    assertThat(f.time).isGreaterThan(forwarded);
                    out.put(f.id, p);
                    it.remove();
                    progress = true;
                }
            }
        }
    }

    static long settled(long wm, List<Fetch> held) {
        long w = wm;
        for (Fetch f : held) w = Math.min(w, f.time + LATENESS);
        return w;
    }

    @Test
    void everyFetchGetsTheSameEndpointWhateverTheArrivalOrder() {
        List<Fetch> inOrder = traffic();
        Map<Integer, String> reference = run(inOrder, 30_000L, 5);
        // The template takes effect at the first whole minute after the 4th distinct slug's time
        // (T0 + 1.5 min) + lateness + out-of-orderness (T0 + 7 min): T0 + 8 min. Raw before.
        assertThat(reference.get(0)).isEqualTo("/api/topics/slug-0");
        long effect = T0 + 8 * MIN;
        for (Fetch f : inOrder) {
            if (!f.path.startsWith("/api/topics/")) continue;
            assertThat(reference.get(f.id))
                    .as("fetch at +%d s", (f.time - T0) / 1000)
                    .isEqualTo(f.time >= effect ? "/api/topics/:slug" : f.path);
        }
        assertThat(reference.values())
                .as("three users never make a template")
                .contains("/api/users/user-0/repos/r0")
                .doesNotContain("/api/users/:slug/repos/r0");
        assertThat(reference.get(2)).isEqualTo("/api/feed");

        Random random = new Random(7);
        for (int trial = 0; trial < 30; trial++) {
            // Another interleaving of the channels (up to one far ahead of the other) and
            // watermarks at other moments.
            List<Fetch> arrival = interleaved(inOrder, random, random.nextDouble());
            Map<Integer, String> other =
                    run(arrival, 30_000L + random.nextInt(60_000), 1 + random.nextInt(7));
            assertThat(other).as("trial %d", trial).isEqualTo(reference);
        }
        // One channel entirely before the other (a catch-up after a restore).
        List<Fetch> skewed = interleaved(inOrder, random, 1.0);
        assertThat(run(skewed, 30_000L, 3)).isEqualTo(reference);
    }

    @Test
    void theOldLearnerGivesAnotherSplitForAnotherArrivalOrder() {
        // Why the event-time learner exists: RouteTemplateLearner learns on the fetch that tips
        // the prefix over, so the fetches named raw vs templated depend on arrival order.
        List<Fetch> inOrder = traffic();
        List<Fetch> skewed = interleaved(inOrder, new Random(7), 1.0);
        assertThat(oldLearner(inOrder)).isNotEqualTo(oldLearner(skewed));
    }

    static Map<Integer, String> oldLearner(List<Fetch> arrival) {
        RouteTemplateLearner l = new RouteTemplateLearner(3, 50);
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Fetch f : arrival) out.put(f.id, l.apply("app", f.path));
        return new java.util.TreeMap<>(out);
    }

    @Test
    void nestedTemplatesLearnUnderALearnedPrefix() {
        // Users learn first (effect T0 + 7 min), then the repos under /api/users/:slug.
        List<Fetch> in = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < 6; i++) in.add(new Fetch(id++, "/api/users/u" + i, T0 + i * 10_000L));
        for (int i = 0; i < 6; i++) {
            in.add(new Fetch(id++, "/api/users/v" + i + "/repos/r" + i, T0 + 20 * MIN + i * 1000L));
        }
        in.add(new Fetch(id++, "/api/users/w/repos/x", T0 + 40 * MIN));
        in.add(new Fetch(id++, "/api/users/w/repos/y", T0 + 40 * MIN));
        Map<Integer, String> out = run(in, 30_000L, 1);
        assertThat(out.get(0)).isEqualTo("/api/users/u0");
        assertThat(out.get(6)).as("users learned").isEqualTo("/api/users/:slug/repos/r0");
        assertThat(out.get(id - 1)).isEqualTo("/api/users/:slug/repos/:slug");
    }

    @Test
    void aDecisionIsOnlyGivenWhenItIsFinal() {
        EndpointTemplateLearner l = learner();
        // Before any watermark nothing is decided.
        assertThat(l.apply("app", "/a", T0, Long.MIN_VALUE)).isNull();
        // Within out-of-orderness of the watermark: decided at once (raw: little evidence).
        assertThat(l.apply("app", "/a", T0, T0)).isEqualTo("/a");
        // Far ahead of the watermark: evidence still to come could make it a template.
        assertThat(l.apply("app", "/b", T0 + 10 * MIN, T0)).isNull();
        assertThat(l.apply("app", "/c", T0 + 1000, T0)).isEqualTo("/c");
        assertThat(l.apply("app", "/d", T0 + 2000, T0)).isEqualTo("/d");
        l.apply("app", "/e", T0 + 3000, T0);
        // 5 distinct; the 4 earliest are a, c, d, e: m = T0 + 3 s, effect T0 + 6 min.
        assertThat(l.apply("app", "/f", T0 + 6 * MIN, T0))
                .as("at or after the current effect time: a template whatever comes")
                .isEqualTo("/:slug");
        assertThat(l.apply("app", "/f", T0 + 5 * MIN, T0))
                .as("before it, but beyond what the watermark settles: waits")
                .isNull();
        l.advance(T0 + 5 * MIN + 3000);
        assertThat(l.templates("app")).containsExactly(Map.entry("/:slug", T0 + 6 * MIN));
        assertThat(l.apply("app", "/f", T0 + 5 * MIN, T0 + 5 * MIN + 3000)).isEqualTo("/f");
        assertThat(l.countedPrefixes("app")).as("the decided prefix is not counted").isZero();
        // Once nothing before the effect time can come, the raw endpoints are given back.
        l.advance(T0 + 11 * MIN);
        assertThat(l.drainPruned()).hasSize(1);
    }

    @Test
    void aRestoreContinuesWithTheSameDecisionsAndOldRouteLearnerEntriesMoveOver() {
        EndpointTemplateLearner a = learner();
        for (Fetch f : traffic().subList(0, 30)) a.apply("app", f.path, f.time, f.time);
        a.advance(T0 + 9 * MIN);
        EndpointTemplateLearner b = learner();
        b.restore(a.snapshot());
        assertThat(b.snapshot()).containsExactlyInAnyOrderElementsOf(a.snapshot());
        for (Fetch f : traffic().subList(30, 120)) {
            assertThat(b.apply("app", f.path, f.time, f.time))
                    .isEqualTo(a.apply("app", f.path, f.time, f.time));
        }

        // Savepoints before this change: the route learner held "app NUL api" entries.
        EndpointTemplateLearner c = learner();
        List<String> rest =
                c.restoreFromRouteLearner(
                        List.of(
                                "L\tshop\u0000api\t/api/tags",
                                "C\tshop\u0000api\t/api\t" + Long.toHexString(17),
                                "L\tshop\t/category"),
                        EventEnrichment.API_NAMESPACE);
        assertThat(rest).containsExactly("L\tshop\t/category");
        assertThat(c.templates("shop")).containsEntry("/api/tags/:slug", Long.MIN_VALUE);
        assertThat(c.apply("shop", "/api/tags/x", T0, T0)).isEqualTo("/api/tags/:slug");
        assertThat(c.countedPrefixes("shop")).isEqualTo(2);
    }
}
