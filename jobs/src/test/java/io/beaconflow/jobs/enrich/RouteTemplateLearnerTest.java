package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteTemplateLearnerTest {
    static final String[] WORDS = {
        "leather", "bag", "mini", "garden", "blue", "winter", "sale", "lamp", "desk", "chair"
    };

    static String slug(int i) {
        return WORDS[i % 10] + '-' + WORDS[(i / 10) % 10] + '-' + (char) ('a' + (i / 100) % 26);
    }

    @Test
    void aPositionWithMoreDistinctValuesThanTheThresholdBecomesAPlaceholder() {
        RouteTemplateLearner l = new RouteTemplateLearner(5, 100);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(l.apply("shop", "/category/" + slug(i)));
        }
        // Five distinct values pass as they are; the sixth tips the prefix over.
        assertThat(out.subList(0, 5)).allMatch(r -> !r.contains(":slug"));
        assertThat(out.subList(5, 8)).containsOnly("/category/:slug");
        assertThat(l.drainLearned())
                .singleElement()
                .satisfies(x -> assertThat(x.template()).isEqualTo("/category/:slug"));
        assertThat(l.drainLearned()).isEmpty();
        assertThat(l.templates("shop")).containsExactly("/category/:slug");
        assertThat(l.templates("blog")).isEmpty();
    }

    @Test
    void aLearnedTemplateNeverFlipsBackAndCoversValuesSeenBefore() {
        RouteTemplateLearner l = new RouteTemplateLearner(3, 100);
        for (int i = 0; i < 4; i++) l.apply("shop", "/category/" + slug(i));
        for (int i = 0; i < 100; i++) {
            assertThat(l.apply("shop", "/category/" + slug(0))).isEqualTo("/category/:slug");
            assertThat(l.apply("shop", "/category/" + slug(0) + "/reviews"))
                    .isEqualTo("/category/:slug/reviews");
        }
    }

    @Test
    void repeatedAndLowCardinalityValuesNeverLearn() {
        RouteTemplateLearner l = new RouteTemplateLearner(5, 100);
        String[] steps = {"shipping", "payment", "review", "confirm"};
        for (int i = 0; i < 10_000; i++) {
            assertThat(l.apply("shop", "/checkout/" + steps[i % 4]))
                    .isEqualTo("/checkout/" + steps[i % 4]);
            assertThat(l.apply("shop", "/cart")).isEqualTo("/cart");
        }
        assertThat(l.templates("shop")).isEmpty();
    }

    @Test
    void builtInPlaceholdersAreKeptAndDeeperPositionsLearnBelowThem() {
        RouteTemplateLearner l = new RouteTemplateLearner(3, 100);
        for (int i = 0; i < 10; i++) {
            l.apply("news", "/articles/:id/" + slug(i));
        }
        assertThat(l.apply("news", "/articles/:id/" + slug(77))).isEqualTo("/articles/:id/:slug");
        assertThat(l.templates("news")).containsExactly("/articles/:id/:slug");
    }

    @Test
    void learningIsPerAppAndOffWhenTheThresholdIsZero() {
        RouteTemplateLearner l = new RouteTemplateLearner(3, 100);
        for (int i = 0; i < 10; i++) l.apply("shop", "/category/" + slug(i));
        assertThat(l.apply("blog", "/category/" + slug(1))).isEqualTo("/category/" + slug(1));

        RouteTemplateLearner off = new RouteTemplateLearner(0, 100);
        for (int i = 0; i < 100; i++) {
            assertThat(off.apply("shop", "/category/" + slug(i))).isEqualTo("/category/" + slug(i));
        }
        assertThat(off.snapshot()).isEmpty();
    }

    @Test
    void countedPrefixesPerAppAreCappedAndLearningDropsTheCountsBelowIt() {
        RouteTemplateLearner l = new RouteTemplateLearner(50, 20);
        // /u/<name>/posts counts one prefix per <name>: the cap holds them at 20.
        for (int i = 0; i < 30; i++) {
            l.apply("shop", "/u/" + slug(i) + "/posts");
        }
        assertThat(l.countedPrefixes("shop")).isEqualTo(20);
        assertThat(l.untracked()).isPositive();
        // Once /u learns, every count below it is gone.
        for (int i = 30; i < 100; i++) {
            l.apply("shop", "/u/" + slug(i) + "/posts");
        }
        assertThat(l.templates("shop")).containsExactly("/u/:slug");
        assertThat(l.countedPrefixes("shop")).isLessThanOrEqualTo(2);
    }

    @Test
    void aRestoreContinuesCountingWhereTheSnapshotWas() {
        RouteTemplateLearner l = new RouteTemplateLearner(5, 100);
        for (int i = 0; i < 5; i++) l.apply("shop", "/category/" + slug(i));
        for (int i = 0; i < 6; i++) l.apply("shop", "/topics/" + slug(i));
        RouteTemplateLearner restored = new RouteTemplateLearner(5, 100);
        restored.restore(l.snapshot());
        assertThat(restored.templates("shop")).containsExactly("/topics/:slug");
        // A value seen before the snapshot does not count twice; a new one tips it over.
        assertThat(restored.apply("shop", "/category/" + slug(4)))
                .isEqualTo("/category/" + slug(4));
        assertThat(restored.apply("shop", "/category/" + slug(5))).isEqualTo("/category/:slug");
        assertThat(restored.snapshot()).containsExactlyInAnyOrderElementsOf(snapshotOf(restored));
    }

    private static List<String> snapshotOf(RouteTemplateLearner l) {
        RouteTemplateLearner again = new RouteTemplateLearner(5, 100);
        again.restore(l.snapshot());
        return again.snapshot();
    }

    @Test
    void theLearnedTemplatesDoNotDependOnArrivalOrder() {
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            routes.add("/category/" + slug(i));
            routes.add("/articles/:id/" + slug(i + 7));
            routes.add("/checkout/" + (i % 3 == 0 ? "payment" : "shipping"));
            routes.add("/cart");
        }
        List<String> first = null;
        Random r = new Random(7);
        for (int run = 0; run < 5; run++) {
            Collections.shuffle(routes, r);
            RouteTemplateLearner l = new RouteTemplateLearner(20, 100);
            routes.forEach(x -> l.apply("shop", x));
            if (first == null) first = l.templates("shop");
            assertThat(l.templates("shop")).isEqualTo(first);
        }
        assertThat(first).containsExactly("/articles/:id/:slug", "/category/:slug");
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
