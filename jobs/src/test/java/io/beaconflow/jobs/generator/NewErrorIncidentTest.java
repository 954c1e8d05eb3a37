package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.generator.GeneratedTraffic.Seen;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.testing.ShippedGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code new_error} incident kind: a release rolled out in the window ships a JS error no
 * earlier release has, on a share of its page views; nothing else changes.
 */
class NewErrorIncidentTest {
    private static final long SEED = 11L;
    private static final long MINUTE = 60_000;
    static final String RELEASE = ShippedGenerator.NEW_ERROR_RELEASE;
    static final String INCIDENTS = ShippedGenerator.NEW_ERROR_INCIDENTS;

    private static GeneratorConfig config;
    private static final List<Seen> withIncident = new ArrayList<>();
    private static final List<Seen> without = new ArrayList<>();

    @BeforeAll
    static void generate() {
        config =
                GeneratedTraffic.shipped()
                        .withIncidents(GeneratorConfig.incidentsFromYaml(INCIDENTS, "test"))
                        .withDuration("100m");
        read(config, withIncident);
        GeneratorConfig none =
                GeneratedTraffic.shipped()
                        .withIncidents(GeneratorConfig.incidentsFromYaml("incidents: []\n", "t"))
                        .withDuration("100m");
        read(none, without);
    }

    private static void read(GeneratorConfig c, List<Seen> into) {
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(c, SEED, c.splits);
        while (all.hasNext()) {
            RawBeacon r = all.next();
            try {
                into.addAll(GeneratedTraffic.events(r));
            } catch (IOException malformed) {
                // malformed beacons are part of the traffic; not what this test reads
            }
        }
    }

    static boolean isNewError(Seen e) {
        return "error".equals(e.type())
                && e.message() != null
                && e.message().contains("loyaltyTier");
    }

    @Test
    void theNewErrorComesOnlyWithTheReleaseOnlyInsideTheWindowInManySessions() {
        IncidentTruth t = TrafficGenerator.truths(config).get(0);
        Set<String> sessions = new HashSet<>();
        for (Seen e : withIncident) {
            if (!isNewError(e)) continue;
            assertThat(e.app()).isEqualTo("shop-web");
            assertThat(e.release()).isEqualTo(RELEASE);
            // arrival (the client clock may be skewed); beacons of a view leave up to its end
            assertThat(e.receivedAt()).isBetween(t.startMillis(), t.endMillis() + 30 * MINUTE);
            sessions.add(e.sessionId());
        }
        assertThat(sessions).hasSizeGreaterThan(30);
        assertThat(without).noneMatch(NewErrorIncidentTest::isNewError);
        assertThat(t.metrics()).isEqualTo(IncidentTruth.ERROR_METRICS);
    }

    @Test
    void theOtherErrorsStayAsFrequentAsWithoutTheIncident() {
        double with = otherErrorsPerView(withIncident);
        double base = otherErrorsPerView(without);
        assertThat(with / base).isBetween(0.85, 1.15);
    }

    private static double otherErrorsPerView(List<Seen> events) {
        long views = 0;
        long errors = 0;
        for (Seen e : events) {
            if (!e.app().equals("shop-web")) continue;
            if ("page_view".equals(e.type())) views++;
            if ("error".equals(e.type()) && !isNewError(e)) errors++;
        }
        return errors / (double) views;
    }

    @Test
    void aNewErrorWithoutItsReleaseIsRefusedWithTheFix() {
        assertThatThrownBy(
                        () ->
                                GeneratedTraffic.shipped()
                                        .withIncidents(
                                                GeneratorConfig.incidentsFromYaml(
                                                        "incidents:\n  - { id: x, kind: new_error,"
                                                                + " app: shop-web, dimension:"
                                                                + " browser, value: Safari, start:"
                                                                + " 1m, duration: 5m, magnitude:"
                                                                + " 0.1 }\n",
                                                        "t")))
                .hasMessageContaining("new_error comes with a rollout")
                .hasMessageContaining("Fix:");
    }
}
