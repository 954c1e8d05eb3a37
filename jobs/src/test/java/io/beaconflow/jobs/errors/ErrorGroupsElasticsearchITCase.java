package io.beaconflow.jobs.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.ElasticsearchIndices;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production graph, fed by the generator with a {@code new_error} incident (a release that
 * ships a new JS error), writing into a real Elasticsearch ({@code scripts/stack.sh up es}; {@code
 * BEACONFLOW_ES_URL}) under the job's own index templates with a fresh prefix: the error groups
 * index holds one document per group, equal to the job's last version; the new error alerts, named
 * by fingerprint, release and sessions, and nothing else does; late events are in their index with
 * their lateness.
 */
class ErrorGroupsElasticsearchITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final String RELEASE = ShippedGenerator.NEW_ERROR_RELEASE;

    @Test
    void errorGroupsNewErrorAlertsAndLateEventsLandInElasticsearch() throws Exception {
        try (ElasticsearchIndices es =
                new ElasticsearchIndices("eg", "rum-error-groups", "rum-late", "rum-alerts")) {
            runAndCheck(es.sink, es.prefix, es.run);
        }
    }

    private void runAndCheck(ElasticsearchSinkConfig es, String prefix, String run)
            throws Exception {
        GeneratorConfig gen =
                ShippedGenerator.lasting("110m", ShippedGenerator.NEW_ERROR_INCIDENTS);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.buildForDetection(
                        flink,
                        GeneratorSource.decoded(gen, 3L, config.ingest),
                        "generator",
                        config);
        pipeline.sinkTo(
                new BeaconflowPipeline.Sinks()
                        .errorGroups(ElasticsearchOutputs.errorGroups(es))
                        .alerts(ElasticsearchOutputs.alerts(es))
                        .lateEvents(ElasticsearchOutputs.lateEvents(es)));
        pipeline.errorGroups().sinkTo(CollectingSink.named("eg-" + run));
        pipeline.alerts().sinkTo(CollectingSink.named("eg-alerts-" + run));
        pipeline.notifications().sinkTo(CollectingSink.named("eg-notes-" + run));
        pipeline.lateEvents().sinkTo(CollectingSink.named("eg-late-" + run));
        flink.execute("error-groups-itcase");

        Map<String, ErrorGroup> groups = new HashMap<>();
        for (Object o : CollectingSink.results("eg-" + run)) {
            ErrorGroup g = (ErrorGroup) o;
            groups.merge(g.id, g, (a, b) -> a.updateSeq >= b.updateSeq ? a : b);
        }
        ElasticsearchIndices.send("POST", "/" + prefix + "*/_refresh");
        assertThat(ElasticsearchIndices.count(prefix + "rum-error-groups"))
                .isEqualTo(groups.size());
        assertThat(groups.size()).isGreaterThan(5);

        // The new error: first seen on the release, many sessions; the document is the last
        // version.
        ErrorGroup bug =
                groups.values().stream()
                        .filter(g -> g.message != null && g.message.contains("loyaltyTier"))
                        .filter(g -> "shop-web".equals(g.app))
                        .max((a, b) -> Long.compare(a.sessions, b.sessions))
                        .orElseThrow();
        assertThat(bug.firstRelease).isEqualTo(RELEASE);
        assertThat(bug.releases).containsExactly(RELEASE);
        assertThat(bug.sessions).isGreaterThanOrEqualTo(config.errors.newError.minSessions);
        assertThat(bug.spreadAt).isNotNull();
        JsonNode doc = ElasticsearchIndices.get(prefix + "rum-error-groups", bug.id);
        assertThat(doc.path("count").asLong()).isEqualTo(bug.count);
        assertThat(doc.path("sessions").asLong()).isEqualTo(bug.sessions);
        assertThat(doc.path("update_seq").asInt()).isEqualTo(bug.updateSeq);
        assertThat(doc.path("first_release").asText()).isEqualTo(RELEASE);
        assertThat(doc.path("stack").asText()).contains("renderLoyaltyBadge");
        // The dashboard tables' column: the group in words.
        assertThat(doc.path("title").asText()).isEqualTo(bug.title()).startsWith(bug.errorType);
        // Mapped by the job's template (keyword), not guessed by dynamic mapping.
        JsonNode mapping = ElasticsearchIndices.mapping(prefix + "rum-error-groups");
        assertThat(mapping.findPath("fingerprint").path("type").asText()).isEqualTo("keyword");
        assertThat(mapping.findPath("title").path("type").asText()).isEqualTo("keyword");

        // Alerts: new_error ones name the new fingerprints only (one per engine's message).
        List<Alert> newErrors =
                CollectingSink.<Alert>results("eg-alerts-" + run).stream()
                        .filter(a -> Finding.NEW_ERROR.equals(a.kind))
                        .filter(a -> Alert.OPEN.equals(a.state))
                        .toList();
        assertThat(newErrors).isNotEmpty();
        assertThat(newErrors)
                .allSatisfy(
                        a -> {
                            assertThat(a.release).isEqualTo(RELEASE);
                            assertThat(a.rootCauseHints.get(0)).contains("loyaltyTier");
                        });
        assertThat(newErrors)
                .anySatisfy(a -> assertThat(a.dimensionValue).isEqualTo(bug.fingerprint));
        List<Notification> notes = CollectingSink.results("eg-notes-" + run);
        assertThat(notes)
                .anySatisfy(
                        n ->
                                assertThat(n.title)
                                        .isEqualTo(
                                                "New error "
                                                        + bug.fingerprint
                                                        + " on shop-web after release "
                                                        + RELEASE
                                                        + ": "
                                                        + (long)
                                                                newErrors.stream()
                                                                        .filter(
                                                                                a ->
                                                                                        a
                                                                                                .dimensionValue
                                                                                                .equals(
                                                                                                        bug.fingerprint))
                                                                        .findFirst()
                                                                        .orElseThrow()
                                                                        .observed
                                                                        .doubleValue()
                                                        + " sessions"));
        JsonNode alertDoc =
                ElasticsearchIndices.get(prefix + "rum-alerts", newErrors.get(0).alertId);
        assertThat(alertDoc.path("kind").asText()).isEqualTo("new_error");

        // Late events: one document per app and event id, with its lateness.
        Map<String, DeadLetter> late = new HashMap<>();
        for (Object o : CollectingSink.results("eg-late-" + run)) {
            DeadLetter d = (DeadLetter) o;
            late.put(d.documentId(), d);
        }
        System.out.printf(
                "error groups: %d groups, new error %s in %d sessions (%d occurrences),"
                        + " %d new_error alerts, %d late events%n",
                groups.size(),
                bug.fingerprint,
                bug.sessions,
                bug.count,
                newErrors.size(),
                late.size());
        assertThat(late).as("the generator sends late beacons").isNotEmpty();
        assertThat(ElasticsearchIndices.count(prefix + "rum-late")).isEqualTo(late.size());
        DeadLetter one = late.values().iterator().next();
        JsonNode lateDoc = ElasticsearchIndices.get(prefix + "rum-late", one.documentId());
        assertThat(lateDoc.path("lateness_ms").asLong()).isEqualTo(one.receivedAt - one.eventTime);
        assertThat(lateDoc.path("reason").asText()).isEqualTo("LATE");
    }
}
