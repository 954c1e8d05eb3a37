package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.enrich.PathTemplateLearner;
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
    @Test
    void slugRoutesOfTheGeneratorAreLearnedIntoTheSeriesTheIncidentsName() {
        BeaconflowConfig config = BeaconflowConfig.defaults();
        GeneratorConfig gen = ShippedGenerator.lasting("30m", List.of());
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
        // The end of the input: every template whose evidence came is decided.
        enrichment.advance(Long.MAX_VALUE);
        PathTemplateLearner learner = enrichment.routeLearner();

        Map<String, TreeSet<String>> routes = new TreeMap<>();
        for (RumEvent v : views) routes.computeIfAbsent(v.app, a -> new TreeSet<>()).add(v.route);
        assertThat(learner.templates("shop-web")).containsKey("/category/:slug");
        assertThat(learner.templates("news-web"))
                .containsKeys("/topics/:slug", "/articles/:id/:slug");
        // Few-valued positions stay as they are.
        assertThat(routes.get("shop-web")).contains("/checkout/shipping", "/cart", "/search");
        assertThat(learner.templates("shop-web").keySet())
                .noneMatch(t -> t.startsWith("/checkout"));

        share(views, "shop-web", "/category/", "/category/{slug}", learner);
        share(views, "news-web", "/topics/", "/topics/{slug}", learner);
        // The slug routes no longer crowd the app's route budget.
        assertThat(routes.get("shop-web")).doesNotContain("other");
    }

    /**
     * From the template's effect time on (in event time: {@link PathTemplateLearner}) every view
     * under {@code rawPrefix} lands on a series the incident matches, and before it every view
     * keeps its raw route; the template starts within the first 15 minutes (its evidence, then
     * allowed lateness + out-of-orderness), so most views are on it.
     */
    private static void share(
            List<RumEvent> views,
            String app,
            String rawPrefix,
            String incidentValue,
            PathTemplateLearner learner) {
        Long effect = learner.templates(app).get(rawPrefix + ":slug");
        assertThat(effect).as(rawPrefix + " learned").isNotNull();
        long total = 0;
        long beforeLearning = 0;
        long first = Long.MAX_VALUE;
        for (RumEvent v : views) {
            if (v.app.equals(app) && v.referrer.contains(rawPrefix)) {
                total++;
                first = Math.min(first, v.eventTime);
                boolean matched =
                        IncidentMatcher.matches("route", incidentValue, "route", v.route)
                                && v.route.endsWith(":slug");
                assertThat(matched)
                        .as(v.route + " at " + v.eventTime)
                        .isEqualTo(v.eventTime >= effect);
                if (!matched) beforeLearning++;
            }
        }
        assertThat(effect - first).isLessThanOrEqualTo(15 * 60_000L);
        assertThat(total).isGreaterThan(2 * beforeLearning);
    }
}
