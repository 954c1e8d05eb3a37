package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The epoch learner. Since templates became a function of event time (issue 13/16), the old
 * expectations "the learnAfter + 1-th distinct value is already templated" changed to "events of
 * the epochs after the deciding one are templated": every test below states the epoch it reads.
 */
class RouteTemplateLearnerTest {
    static final long MIN = 60_000;

    static final String[] WORDS = {
        "leather", "bag", "mini", "garden", "blue", "winter", "sale", "lamp", "desk", "chair"
    };

    static String slug(int i) {
        return WORDS[i % 10] + '-' + WORDS[(i / 10) % 10] + '-' + (char) ('a' + (i / 100) % 26);
    }

    /** One-minute epochs, applied from the next epoch, no lateness. */
    static RouteTemplateLearner learner(int learnAfter, int maxPrefixes) {
        return new RouteTemplateLearner(learnAfter, maxPrefixes, MIN, 1, 0, 1000);
    }

    /** Observes every route in {@code epoch}, then lets the watermark close that epoch. */
    static void learnIn(RouteTemplateLearner l, long epoch, String app, List<String> routes) {
        for (String r : routes) l.observe(app, r, epoch * MIN + 1);
        l.advance((epoch + 1) * MIN);
    }

    static List<String> slugRoutes(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(prefix + slug(i));
        return out;
    }

    @Test
    void aPositionWithMoreDistinctValuesThanTheThresholdBecomesAPlaceholder() {
        RouteTemplateLearner l = learner(5, 100);
        // Epoch 0 sees 8 distinct slugs; nothing is templated while epoch 0 is open (before: the
        // 6th was already), ...
        for (String r : slugRoutes("/category/", 0, 8)) l.observe("shop", r, 1);
        assertThat(l.apply("shop", "/category/" + slug(7), 1)).isEqualTo("/category/" + slug(7));
        assertThat(l.drainLearned()).isEmpty();
        l.advance(MIN);
        // ... its decision applies from epoch 1 on, and epoch 0's events keep their raw route.
        assertThat(l.apply("shop", "/category/" + slug(7), 2 * MIN)).isEqualTo("/category/:slug");
        assertThat(l.apply("shop", "/category/" + slug(7), MIN - 1))
                .isEqualTo("/category/" + slug(7));
        assertThat(l.drainLearned())
                .singleElement()
                .satisfies(
                        x -> {
                            assertThat(x.template()).isEqualTo("/category/:slug");
                            assertThat(x.effectiveFrom).isEqualTo(MIN);
                        });
        assertThat(l.drainLearned()).isEmpty();
        assertThat(l.templates("shop")).containsExactly("/category/:slug");
        assertThat(l.templates("blog")).isEmpty();
    }

    @Test
    void aLearnedTemplateNeverFlipsBackAndCoversValuesSeenBefore() {
        RouteTemplateLearner l = learner(3, 100);
        learnIn(l, 0, "shop", slugRoutes("/category/", 0, 4));
        for (int i = 1; i < 100; i++) {
            learnIn(l, i, "shop", List.of("/cart"));
            assertThat(l.apply("shop", "/category/" + slug(0), i * MIN))
                    .isEqualTo("/category/:slug");
            assertThat(l.apply("shop", "/category/" + slug(0) + "/reviews", i * MIN))
                    .isEqualTo("/category/:slug/reviews");
        }
    }

    @Test
    void repeatedAndLowCardinalityValuesNeverLearn() {
        RouteTemplateLearner l = learner(5, 100);
        String[] steps = {"shipping", "payment", "review", "confirm"};
        for (int i = 0; i < 10_000; i++) {
            l.observe("shop", "/checkout/" + steps[i % 4], i * 1000L);
            l.observe("shop", "/cart", i * 1000L);
            l.advance(i * 1000L);
            assertThat(l.apply("shop", "/checkout/" + steps[i % 4], i * 1000L))
                    .isEqualTo("/checkout/" + steps[i % 4]);
        }
        assertThat(l.templates("shop")).isEmpty();
    }

    @Test
    void builtInPlaceholdersAreKeptAndDeeperPositionsLearnBelowThem() {
        RouteTemplateLearner l = learner(3, 100);
        learnIn(l, 0, "news", slugRoutes("/articles/:id/", 0, 10));
        assertThat(l.apply("news", "/articles/:id/" + slug(77), MIN))
                .isEqualTo("/articles/:id/:slug");
        assertThat(l.templates("news")).containsExactly("/articles/:id/:slug");
    }

    @Test
    void learningIsPerAppAndOffWhenTheThresholdIsZero() {
        RouteTemplateLearner l = learner(3, 100);
        learnIn(l, 0, "shop", slugRoutes("/category/", 0, 10));
        assertThat(l.apply("blog", "/category/" + slug(1), MIN)).isEqualTo("/category/" + slug(1));

        RouteTemplateLearner off = learner(0, 100);
        for (int i = 0; i < 100; i++) {
            off.observe("shop", "/category/" + slug(i), i * MIN);
            off.advance(i * MIN);
            assertThat(off.isFinal(i * MIN)).isTrue();
            assertThat(off.apply("shop", "/category/" + slug(i), i * MIN))
                    .isEqualTo("/category/" + slug(i));
        }
        assertThat(off.snapshot()).isEmpty();
    }

    @Test
    void countedPrefixesPerAppAreCappedAndLearningDropsTheCountsBelowIt() {
        RouteTemplateLearner l = new RouteTemplateLearner(50, 20, MIN, 1, 0, 1000);
        // /u/<name>/posts counts one prefix per <name>: the cap holds them at 20.
        learnIn(l, 0, "shop", slugRoutes("/u/", 0, 30).stream().map(r -> r + "/posts").toList());
        assertThat(l.countedPrefixes("shop")).isEqualTo(20);
        assertThat(l.untracked()).isPositive();
        // Once /u learns, every count below it is gone.
        learnIn(l, 1, "shop", slugRoutes("/u/", 30, 100).stream().map(r -> r + "/posts").toList());
        assertThat(l.templates("shop")).containsExactly("/u/:slug");
        assertThat(l.countedPrefixes("shop")).isLessThanOrEqualTo(2);
    }

    @Test
    void aRestoreContinuesCountingAndDecidingWhereTheSnapshotWas() {
        RouteTemplateLearner l = learner(5, 100);
        learnIn(l, 0, "shop", slugRoutes("/category/", 0, 5));
        learnIn(l, 1, "shop", slugRoutes("/topics/", 0, 6));
        // Epoch 2 is open at the snapshot: its sample is state too.
        l.observe("shop", "/category/" + slug(4), 2 * MIN + 5);
        RouteTemplateLearner restored = learner(5, 100);
        restored.restore(l.snapshot());
        assertThat(restored.templates("shop")).containsExactly("/topics/:slug");
        assertThat(restored.decidedThrough()).isEqualTo(1);
        assertThat(restored.apply("shop", "/topics/x", 2 * MIN)).isEqualTo("/topics/:slug");
        assertThat(restored.apply("shop", "/topics/x", MIN)).isEqualTo("/topics/x");
        // A value seen before the snapshot does not count twice; a new one tips it over.
        restored.advance(3 * MIN);
        assertThat(restored.templates("shop")).containsExactly("/topics/:slug");
        learnIn(restored, 3, "shop", List.of("/category/" + slug(5)));
        assertThat(restored.templates("shop")).containsExactly("/category/:slug", "/topics/:slug");
        assertThat(restored.apply("shop", "/category/x", 4 * MIN)).isEqualTo("/category/:slug");
        assertThat(restored.snapshot()).containsExactlyInAnyOrderElementsOf(snapshotOf(restored));
    }

    private static List<String> snapshotOf(RouteTemplateLearner l) {
        RouteTemplateLearner again = learner(5, 100);
        again.restore(l.snapshot());
        return again.snapshot();
    }

    @Test
    void aLateEventGetsTheTemplatesValidAtItsOwnEventTime() {
        // Allowed lateness 5 min, out-of-orderness 30 s: epoch E's counts apply from E + 7.
        int delay = RouteTemplateLearner.delayFor(MIN, 5 * MIN, 30_000);
        assertThat(delay).isEqualTo(7);
        RouteTemplateLearner l = new RouteTemplateLearner(3, 100, MIN, delay, 5 * MIN, 1000);
        for (String r : slugRoutes("/category/", 0, 4)) l.observe("shop", r, 10 * MIN);
        l.advance(16 * MIN - 1);
        assertThat(l.templates("shop")).isEmpty();
        l.advance(16 * MIN); // end of epoch 10 + 5 min lateness
        assertThat(l.templates("shop")).containsExactly("/category/:slug");
        assertThat(l.isFinal(17 * MIN + 59_999)).isTrue();
        assertThat(l.isFinal(18 * MIN)).isFalse();
        // An event of epoch 16 (on time: at most 5 min behind this watermark) keeps its raw
        // route; one of epoch 17 gets the template.
        assertThat(l.apply("shop", "/category/zzz", 16 * MIN + 1)).isEqualTo("/category/zzz");
        assertThat(l.apply("shop", "/category/zzz", 17 * MIN)).isEqualTo("/category/:slug");
    }

    @Test
    void templatesThroughAPlaceholderStayAndOnesUnderARawSegmentArePrunedWhenNoEventNeedsThem() {
        // Counts of epoch E apply from E + 3.
        RouteTemplateLearner l = new RouteTemplateLearner(3, 100, MIN, 3, 0, 1000);
        learnIn(l, 0, "shop", List.of("/u/alice/a", "/u/alice/b", "/u/alice/c", "/u/alice/d"));
        assertThat(l.templates("shop")).containsExactly("/u/alice/:slug");
        learnIn(l, 1, "shop", List.of("/u/bob/x", "/u/carol/x", "/u/dave/x"));
        // An event of epoch 3 still gets /u/alice/:slug (history), one of epoch 4 gets /u/:slug.
        assertThat(l.apply("shop", "/u/alice/zz", 3 * MIN)).isEqualTo("/u/alice/:slug");
        assertThat(l.apply("shop", "/u/alice/zz", 4 * MIN)).isEqualTo("/u/:slug/zz");
        learnIn(l, 2, "shop", List.of("/u/e/p", "/u/f/q", "/u/g/r", "/u/h/s"));
        assertThat(l.templates("shop"))
                .containsExactly("/u/:slug", "/u/:slug/:slug", "/u/alice/:slug");
        l.advance(100 * MIN);
        // /u/alice/:slug is unreachable now; /u/:slug/:slug (through the placeholder) is not.
        assertThat(l.templates("shop")).containsExactly("/u/:slug", "/u/:slug/:slug");
        assertThat(l.apply("shop", "/u/zed/zz", 99 * MIN)).isEqualTo("/u/:slug/:slug");
    }

    @Test
    void observationsOfADecidedEpochAreCountedAndIgnored() {
        RouteTemplateLearner l = learner(3, 100);
        l.advance(5 * MIN);
        l.observe("shop", "/category/a", 4 * MIN);
        assertThat(l.lateObservations()).isEqualTo(1);
        assertThat(l.snapshot()).containsExactly("D\t4");
    }

    @Test
    void theEpochSampleIsTheSameWhateverOrderItWasFilledIn() {
        List<String> routes = slugRoutes("/category/", 0, 400);
        List<String> first = null;
        Random r = new Random(3);
        for (int run = 0; run < 5; run++) {
            Collections.shuffle(routes, r);
            RouteTemplateLearner l = new RouteTemplateLearner(20, 100, MIN, 1, 0, 50);
            routes.forEach(x -> l.observe("shop", x, 1));
            List<String> snap = new ArrayList<>(l.snapshot());
            snap.sort(null);
            assertThat(snap).hasSize(50);
            if (first == null) first = snap;
            assertThat(snap).isEqualTo(first);
        }
    }

    /**
     * The acceptance test of issue 13/16: one multiset of events, read from four partitions in
     * several interleavings with per-partition out-of-orderness, gives every event the same
     * template, driven the way the {@code Enricher} drives the learner (advance to the watermark
     * before each event; an event whose epoch is not final waits for the watermark to reach it).
     */
    @Test
    void theSameEventsInAnyOrderGetTheSameTemplates() {
        long ooo = 30_000;
        long lateness = 5 * MIN;
        List<long[]> events = new ArrayList<>(); // {id, eventTime, partition}
        List<String> paths = new ArrayList<>();
        Random gen = new Random(11);
        for (int i = 0; i < 6000; i++) {
            long t = i * 2_000L; // 200 minutes of event time
            String path =
                    switch (gen.nextInt(5)) {
                        case 0 -> "/category/" + slug(gen.nextInt(400));
                        case 1 -> "/articles/:id/" + slug(gen.nextInt(60));
                        case 2 -> "/checkout/" + (gen.nextBoolean() ? "payment" : "shipping");
                        case 3 -> "/u/" + slug(gen.nextInt(1000)) + "/posts";
                        default -> "/cart";
                    };
            events.add(new long[] {i, t, gen.nextInt(4)});
            paths.add(path);
        }
        Map<Long, String> first = null;
        for (int run = 0; run < 6; run++) {
            Random r = new Random(100 + run);
            Map<Long, String> got = replay(events, paths, r, ooo, lateness);
            assertThat(got).hasSize(events.size());
            if (first == null) {
                first = got;
                assertThat(got.values()).contains("/category/:slug", "/u/:slug/posts");
                assertThat(got.values())
                        .as("before learning the first epochs keep raw routes")
                        .anyMatch(p -> p.startsWith("/category/") && !p.contains(":slug"));
            } else {
                assertThat(got).isEqualTo(first);
            }
        }
    }

    /** Runs the events through a learner in a random partition interleaving. */
    private static Map<Long, String> replay(
            List<long[]> events, List<String> paths, Random r, long ooo, long lateness) {
        // Each partition is in time order up to a jitter within the out-of-orderness.
        List<List<long[]>> partitions = new ArrayList<>();
        for (int p = 0; p < 4; p++) partitions.add(new ArrayList<>());
        for (long[] e : events) partitions.get((int) e[2]).add(e);
        Map<Long, Long> arrival = new HashMap<>();
        for (long[] e : events) arrival.put(e[0], e[1] + (long) (r.nextDouble() * ooo));
        for (List<long[]> part : partitions) {
            part.sort((a, b) -> Long.compare(arrival.get(a[0]), arrival.get(b[0])));
        }
        RouteTemplateLearner l =
                new RouteTemplateLearner(
                        20,
                        100,
                        MIN,
                        RouteTemplateLearner.delayFor(MIN, lateness, ooo),
                        lateness,
                        1000);
        long[] maxSeen = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        int[] next = new int[4];
        PriorityQueue<long[]> held = new PriorityQueue<>((a, b) -> Long.compare(a[1], b[1]));
        Map<Long, String> out = new HashMap<>();
        long watermark = Long.MIN_VALUE;
        int left = events.size();
        while (left > 0) {
            int p = r.nextInt(4);
            if (next[p] == partitions.get(p).size()) continue;
            long[] e = partitions.get(p).get(next[p]++);
            left--;
            maxSeen[p] = Math.max(maxSeen[p], e[1]);
            String path = paths.get((int) e[0]);
            l.observe("shop", path, e[1]);
            l.advance(watermark);
            if (l.isFinal(e[1])) {
                out.put(e[0], l.apply("shop", path, e[1]));
            } else {
                held.add(e);
            }
            long wm = Long.MAX_VALUE;
            for (int q = 0; q < 4; q++) {
                boolean done = next[q] == partitions.get(q).size();
                wm = Math.min(wm, done ? Long.MAX_VALUE : maxSeen[q] - ooo);
            }
            watermark = Math.max(watermark, wm);
            while (!held.isEmpty() && held.peek()[1] <= watermark) {
                long[] h = held.poll();
                l.advance(h[1]); // as the Enricher's timer does
                out.put(h[0], l.apply("shop", paths.get((int) h[0]), h[1]));
            }
        }
        return out;
    }

    @Test
    void coverageAndBelowRespectSegmentBoundaries() {
        assertThat(RouteTemplateLearner.coveredBy("/category/bags", "/category")).isTrue();
        assertThat(RouteTemplateLearner.coveredBy("/category/:slug", "/category")).isFalse();
        assertThat(RouteTemplateLearner.coveredBy("/category-old/bags", "/category")).isFalse();
        assertThat(RouteTemplateLearner.coveredBy("/category", "/category")).isFalse();
        assertThat(RouteTemplateLearner.coveredBy("/cart", "")).isTrue();
        assertThat(RouteTemplateLearner.isBelow("/", "")).isFalse();
    }
}
