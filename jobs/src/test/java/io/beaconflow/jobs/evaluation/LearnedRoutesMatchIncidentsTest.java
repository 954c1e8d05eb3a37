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
import java.nio.file.Path;
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
        GeneratorConfig gen =
                GeneratorConfig.load(Path.of("..", "flink-conf", "generator.yaml"))
                        .withIncidents(List.of())
                        .withDuration("40m")
                        .withSpeed("max");
        BeaconDecoder decoder = new BeaconDecoder(config.ingest);
        EventEnrichment enrichment = new EventEnrichment(config.ingest);
        List<RumEvent> views = new ArrayList<>();
        Map<String, Long> effective = new TreeMap<>();
        long[] newest = {Long.MIN_VALUE};
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(gen, 1, 1);
        while (all.hasNext()) {
            decoder.decode(
                    all.next(),
                    r -> {
                        if (!r.isAccepted()) return;
                        // The watermark the job would have: newest event time − out-of-orderness.
                        newest[0] = Math.max(newest[0], r.event.eventTime);
                        long watermark = newest[0] - config.ingest.outOfOrderness.toMillis();
                        for (var l : enrichment.advance(watermark)) {
                            effective.put(l.app + ' ' + l.template(), l.effectiveFrom);
                        }
                        if (r.event.type == EventType.PAGE_VIEW) {
                            String raw = r.event.pageUrl;
                            // An event on time always finds its templates decided.
                            assertThat(enrichment.templatesFinal(r.event)).isTrue();
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

        share(views, "shop-web", "/category/", "/category/{slug}", effective);
        share(views, "news-web", "/topics/", "/topics/{slug}", effective);
        // The slug routes no longer crowd the app's route budget.
        assertThat(routes.get("shop-web")).doesNotContain("other");
    }

    /**
     * Every view under {@code rawPrefix} from the event time its template applies on lands on a
     * series the incident matches, and every view before keeps its raw route (epochs: the template
     * depends on event time only, not on which view tipped the count over).
     */
    private static void share(
            List<RumEvent> views,
            String app,
            String rawPrefix,
            String incidentValue,
            Map<String, Long> effective) {
        Long from = effective.get(app + ' ' + rawPrefix + ":slug");
        assertThat(from).as("learned " + rawPrefix + ":slug for " + app).isNotNull();
        long total = 0;
        long beforeLearning = 0;
        for (RumEvent v : views) {
            if (v.app.equals(app) && v.referrer.contains(rawPrefix)) {
                total++;
                boolean matched =
                        IncidentMatcher.matches("route", incidentValue, "route", v.route)
                                && v.route.endsWith(":slug");
                assertThat(matched)
                        .as(v.route + " at " + v.eventTime)
                        .isEqualTo(v.eventTime >= from);
                if (!matched) beforeLearning++;
            }
        }
        assertThat(total).isGreaterThan(2 * beforeLearning);
    }
}
