package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shipped generator's slug routes ({@code /category/{slug}}, {@code /topics/{slug}}, {@code
 * /articles/{id}/{slug}}) have no explicit rule in the job's default config: learned templates must
 * gather their views into the one series an incident on that template names, as {@link
 * IncidentMatcher} matches it.
 */
class LearnedRoutesMatchIncidentsTest {
    static final int LEARN_AFTER = IngestConfig.RoutesConfig.DEFAULT_LEARN_AFTER;

    @Test
    void slugRoutesOfTheGeneratorAreLearnedIntoTheSeriesTheIncidentsName() {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        GeneratorConfig gen = ShippedGenerator.lasting("20m", List.of());
        BeaconDecoder decoder = new BeaconDecoder(config.ingest);
        EventEnrichment enrichment = new EventEnrichment(config.ingest);
        List<RumEvent> views = new ArrayList<>();
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(gen, 1, 1);
        while (all.hasNext()) {
            decoder.decode(
                    all.next(),
                    r -> {
                        if (r.isAccepted() && r.event.type == EventType.PAGE_VIEW) {
                            String raw = r.event.pageUrl;
                            enrichment.enrich(r.event);
                            r.event.referrer = raw; // keep the raw URL for the check below
                            views.add(r.event);
                        }
                    });
        }
        assertThat(views).hasSizeGreaterThan(1000);

        Map<String, TreeSet<String>> routes = new TreeMap<>();
        for (RumEvent v : views) routes.computeIfAbsent(v.app, a -> new TreeSet<>()).add(v.route);
        assertThat(enrichment.learner().templates("shop-web")).contains("/category/:slug");
        assertThat(enrichment.learner().templates("news-web"))
                .contains("/topics/:slug", "/articles/:id/:slug");
        // Few-valued positions stay as they are.
        assertThat(routes.get("shop-web")).contains("/checkout/shipping", "/cart", "/search");
        assertThat(enrichment.learner().templates("shop-web"))
                .noneMatch(t -> t.startsWith("/checkout"));

        share(views, "shop-web", "/category/", "/category/{slug}");
        share(views, "news-web", "/topics/", "/topics/{slug}");
        // The slug routes no longer crowd the app's route budget.
        assertThat(routes.get("shop-web")).doesNotContain("other");
    }

    /**
     * Once the template is learned every view under {@code rawPrefix} lands on a series the
     * incident matches; before that, at most {@code learn-after} + 1 distinct slugs passed raw.
     */
    private static void share(
            List<RumEvent> views, String app, String rawPrefix, String incidentValue) {
        long total = 0;
        long beforeLearning = 0;
        boolean learned = false;
        TreeSet<String> rawRoutes = new TreeSet<>();
        for (RumEvent v : views) {
            if (v.app.equals(app) && v.referrer.contains(rawPrefix)) {
                total++;
                boolean matched =
                        IncidentMatcher.matches("route", incidentValue, "route", v.route)
                                && v.route.endsWith(":slug");
                if (matched) {
                    learned = true;
                } else {
                    assertThat(learned).as("a raw route after learning: " + v.route).isFalse();
                    beforeLearning++;
                    rawRoutes.add(v.route);
                }
            }
        }
        assertThat(learned).isTrue();
        assertThat(total).isGreaterThan(2 * beforeLearning);
        assertThat(rawRoutes.size()).isLessThanOrEqualTo(LEARN_AFTER + 1);
    }
}
