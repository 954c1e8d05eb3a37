package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PathTemplateLearner}: the template of every path (an endpoint of a fetch, a route of a
 * page view) depends on the events' times and paths only, not on the order they arrive in; an event
 * is answered only when its answer is final.
 */
class PathTemplateLearnerTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_040_000L; // a whole minute
    private static final long LATENESS = 5 * MIN;
    private static final long MARGIN = 30_000L;

    /** A fetch of the test traffic: path and event time. */
    record Fetch(int id, String path, long time) {}

    static PathTemplateLearner learner() {
        return new PathTemplateLearner(3, 50, LATENESS, MARGIN);
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
        PathTemplateLearner l = learner();
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
            PathTemplateLearner l,
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

        sameInEveryOrder(inOrder, reference, new Random(7), 30);
    }

    /**
     * Other interleavings of the channels (up to one far ahead of the other) with watermarks at
     * other moments, and one channel entirely before the other (a catch-up after a restore), give
     * the same answer for every event.
     */
    static void sameInEveryOrder(
            List<Fetch> inOrder, Map<Integer, String> reference, Random random, int trials) {
        for (int trial = 0; trial < trials; trial++) {
            List<Fetch> arrival = interleaved(inOrder, random, random.nextDouble());
            Map<Integer, String> other =
                    run(arrival, 30_000L + random.nextInt(60_000), 1 + random.nextInt(7));
            assertThat(other).as("trial %d", trial).isEqualTo(reference);
        }
        List<Fetch> skewed = interleaved(inOrder, random, 1.0);
        assertThat(run(skewed, 30_000L, 3)).isEqualTo(reference);
    }

    static final String[] WORDS = {
        "leather", "bag", "mini", "garden", "blue", "winter", "sale", "lamp", "desk", "chair"
    };

    static String slug(int i) {
        return WORDS[i % 10] + '-' + WORDS[(i / 10) % 10] + '-' + (char) ('a' + (i / 100) % 26);
    }

    /**
     * Thirty minutes of a shop's and a newspaper's page views, as routes after the rules and the
     * built-in placeholders: a new category slug every 20 s, an article ({@code /articles/:id/
     * <slug>}) every minute, the checkout steps (few values: never learn), and the category's
     * reviews below the slug (a deeper position under a learning one).
     */
    static List<Fetch> pageViews() {
        List<Fetch> out = new ArrayList<>();
        int id = 0;
        String[] steps = {"shipping", "payment", "review"};
        for (int s = 0; s < 90; s++) {
            long t = T0 + s * 20_000L;
            out.add(new Fetch(id++, "/category/" + slug(s), t));
            out.add(new Fetch(id++, "/checkout/" + steps[s % 3], t + 1_000));
            out.add(new Fetch(id++, "/category/" + slug(s / 2) + "/reviews", t + 3_000));
            if (s % 3 == 0) out.add(new Fetch(id++, "/articles/:id/" + slug(s + 7), t + 4_000));
        }
        return out;
    }

    @Test
    void routesOfPageViewsGetTheSameTemplatesInEveryWindowWhateverTheArrivalOrder() {
        List<Fetch> inOrder = pageViews();
        Map<Integer, String> reference = run(inOrder, 30_000L, 5);
        // Category: the 4th distinct slug is at T0 + 60 s; + lateness + margin → T0 + 7 min.
        long effect = T0 + 7 * MIN;
        for (Fetch f : inOrder) {
            String route = reference.get(f.id);
            if (f.path.startsWith("/checkout/")) {
                assertThat(route).as("few values never learn").isEqualTo(f.path);
            } else if (f.path.startsWith("/category/")) {
                String expected =
                        f.time >= effect
                                ? f.path.replaceFirst("^/category/[^/]+", "/category/:slug")
                                : f.path;
                assertThat(route).as("view at +%d s", (f.time - T0) / 1000).isEqualTo(expected);
            }
        }
        assertThat(reference.values())
                .contains("/articles/:id/:slug", "/category/:slug/reviews")
                .doesNotContain("/checkout/:slug", "/:slug");

        sameInEveryOrder(inOrder, reference, new Random(11), 20);
        // So per one-minute window, the routes and their view counts (what the metric rows hold)
        // are the same too; here they are, raw before the effect time and templated from it.
        Map<String, Integer> windows = perWindow(inOrder, reference);
        long minute6 = Math.floorDiv(T0, MIN) + 6;
        assertThat(windows).containsKey(minute6 + " /category/" + slug(18));
        assertThat(windows).containsEntry((minute6 + 1) + " /category/:slug", 3);
        assertThat(windows.keySet())
                .noneMatch(k -> k.startsWith((minute6 + 1) + " /category/") && !k.contains(":"));
    }

    /** "minute route" → views, like the route rows of the metric stage. */
    static Map<String, Integer> perWindow(List<Fetch> events, Map<Integer, String> routes) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (Fetch f : events) {
            out.merge(Math.floorDiv(f.time, MIN) + " " + routes.get(f.id), 1, Integer::sum);
        }
        return out;
    }

    @Test
    void learningIsPerAppBoundedInPrefixesAndOffWhenTheThresholdIsZero() {
        PathTemplateLearner l = learner();
        for (int i = 0; i < 10; i++) l.apply("shop", "/category/" + slug(i), T0, Long.MAX_VALUE);
        assertThat(l.apply("shop", "/category/x", T0 + 10 * MIN, Long.MAX_VALUE))
                .isEqualTo("/category/:slug");
        assertThat(l.apply("blog", "/category/x", T0 + 10 * MIN, Long.MAX_VALUE))
                .as("another app learns on its own")
                .isEqualTo("/category/x");

        PathTemplateLearner off = new PathTemplateLearner(0, 50, LATENESS, MARGIN);
        for (int i = 0; i < 100; i++) {
            assertThat(off.apply("shop", "/category/" + slug(i), T0 + i, Long.MIN_VALUE))
                    .as("off: decided at once, even before any watermark")
                    .isEqualTo("/category/" + slug(i));
        }
        assertThat(off.snapshot()).isEmpty();

        // /u/<name>/posts counts one prefix per <name>: the cap holds them at 50 per app.
        PathTemplateLearner capped = new PathTemplateLearner(60, 50, LATENESS, MARGIN);
        for (int i = 0; i < 80; i++) {
            capped.apply("shop", "/u/" + slug(i) + "/posts", T0 + i, Long.MAX_VALUE);
        }
        assertThat(capped.countedPrefixes("shop")).isEqualTo(50);
        assertThat(capped.untracked()).isPositive();
        // Once /u has learned and nothing before its effect can come, the counts below it go.
        capped.advance(T0 + 60 * MIN);
        assertThat(capped.templates("shop")).containsOnlyKeys("/u/:slug");
        assertThat(capped.countedPrefixes("shop")).as("the top level only").isEqualTo(1);
        assertThat(capped.drainLearned())
                .singleElement()
                .satisfies(x -> assertThat(x.template()).isEqualTo("/u/:slug"));
        assertThat(capped.drainLearned()).isEmpty();
    }

    @Test
    void coverageAndBelowRespectSegmentBoundaries() {
        assertThat(PathTemplateLearner.coveredBy("/category/bags", "/category")).isTrue();
        assertThat(PathTemplateLearner.coveredBy("/category/:slug", "/category")).isFalse();
        assertThat(PathTemplateLearner.coveredBy("/category-old/bags", "/category")).isFalse();
        assertThat(PathTemplateLearner.coveredBy("/category", "/category")).isFalse();
        assertThat(PathTemplateLearner.coveredBy("/cart", "")).isTrue();
        assertThat(PathTemplateLearner.isBelow("/", "")).isFalse();
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
        PathTemplateLearner l = learner();
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
        PathTemplateLearner a = learner();
        for (Fetch f : traffic().subList(0, 30)) a.apply("app", f.path, f.time, f.time);
        a.advance(T0 + 9 * MIN);
        PathTemplateLearner b = learner();
        b.restore(a.snapshot());
        assertThat(b.snapshot()).containsExactlyInAnyOrderElementsOf(a.snapshot());
        for (Fetch f : traffic().subList(30, 120)) {
            assertThat(b.apply("app", f.path, f.time, f.time))
                    .isEqualTo(a.apply("app", f.path, f.time, f.time));
        }

        // Savepoints up to 2026-12-03: the route learner held "app NUL api" entries.
        PathTemplateLearner c = learner();
        List<String> rest =
                c.restoreNamespace(
                        List.of(
                                "L\tshop\u0000api\t/api/tags",
                                "C\tshop\u0000api\t/api\t" + Long.toHexString(17),
                                "L\tshop\t/category"),
                        EventEnrichment.API_NAMESPACE);
        assertThat(rest).containsExactly("L\tshop\t/category");
        assertThat(c.templates("shop")).containsEntry("/api/tags/:slug", Long.MIN_VALUE);
        assertThat(c.apply("shop", "/api/tags/x", T0, T0)).isEqualTo("/api/tags/:slug");
        assertThat(c.countedPrefixes("shop")).isEqualTo(2);

        // Savepoints up to 2026-12-04: the arrival-order route learner's entries for routes. A
        // learned prefix applies from the beginning of time; counted segments count as seen then,
        // so one new segment (learn-after 3) makes the prefix learn at its own time.
        PathTemplateLearner routes = learner();
        routes.restore(rest);
        routes.restore(
                List.of(
                        "C\tshop\t/topics\t"
                                + Long.toHexString(PathTemplateLearner.hash("a"))
                                + ","
                                + Long.toHexString(PathTemplateLearner.hash("b"))
                                + ","
                                + Long.toHexString(PathTemplateLearner.hash("c")),
                        "C\tshop\t/category/bags\t" + Long.toHexString(17)));
        assertThat(routes.apply("shop", "/category/shoes", T0, T0)).isEqualTo("/category/:slug");
        assertThat(routes.apply("shop", "/topics/d", T0, T0)).isEqualTo("/topics/d");
        routes.advance(T0 + 5 * MIN);
        assertThat(routes.templates("shop"))
                .containsEntry("/category/:slug", Long.MIN_VALUE)
                .containsEntry("/topics/:slug", T0 + 6 * MIN);
        assertThat(routes.countedPrefixes("shop"))
                .as("the counts below the learned /category are dropped: the top level only")
                .isEqualTo(1);
        assertThat(routes.apply("shop", "/topics/e", T0 + 6 * MIN, T0 + 6 * MIN))
                .isEqualTo("/topics/:slug");
    }

    /**
     * The evidence set keeps its latest entry up to date instead of scanning for it: after every
     * add, the kept set, add's answer and the latest time equal a plain implementation that scans
     * (the one before), over random segments with repeats, earlier times and ties.
     */
    @Test
    void evidenceKeepsTheSameSetAndLatestEntryAsAScanWould() {
        Random rnd = new Random(11);
        for (int run = 0; run < 300; run++) {
            int keep = 1 + rnd.nextInt(6);
            PathTemplateLearner.Evidence ev = new PathTemplateLearner.Evidence();
            Map<Long, Long> plain = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                long hash = rnd.nextInt(12) - 6; // negative hashes: compared unsigned
                long time = rnd.nextInt(40);
                assertThat(ev.add(hash, time, keep)).isEqualTo(plainAdd(plain, hash, time, keep));
                assertThat(ev.first).isEqualTo(plain);
                if (!plain.isEmpty() && rnd.nextBoolean()) {
                    assertThat(ev.latestTime()).isEqualTo(plainLatest(plain).getValue());
                }
            }
        }
    }

    private static boolean plainAdd(Map<Long, Long> first, long hash, long time, int keep) {
        Long had = first.get(hash);
        if (had != null) {
            if (time < had) {
                first.put(hash, time);
                return true;
            }
            return false;
        }
        if (first.size() < keep) {
            first.put(hash, time);
            return true;
        }
        Map.Entry<Long, Long> last = plainLatest(first);
        if (plainBefore(time, hash, last.getValue(), last.getKey())) {
            first.remove(last.getKey());
            first.put(hash, time);
            return true;
        }
        return false;
    }

    private static Map.Entry<Long, Long> plainLatest(Map<Long, Long> first) {
        Map.Entry<Long, Long> last = null;
        for (Map.Entry<Long, Long> x : first.entrySet()) {
            if (last == null
                    || plainBefore(last.getValue(), last.getKey(), x.getValue(), x.getKey())) {
                last = x;
            }
        }
        return Map.entry(last.getKey(), last.getValue());
    }

    private static boolean plainBefore(long t1, long h1, long t2, long h2) {
        return t1 < t2 || (t1 == t2 && Long.compareUnsigned(h1, h2) < 0);
    }
}
