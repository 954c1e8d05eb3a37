package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.IncidentTruth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation's counting and formatting, from matcher verdicts on hand-made alerts. */
class EvaluationTest {
    static final long M = 60_000;
    static final Duration W = Duration.ofMinutes(1);

    static IncidentTruth incident(String id, String country, int start) {
        return new IncidentTruth(
                id,
                "error_spike",
                "shop",
                "country",
                country,
                null,
                0.2,
                IncidentTruth.ERROR_METRICS,
                start * M,
                (start + 30) * M);
    }

    static Alert alert(String id, String country, int opened) {
        Alert a = new Alert();
        a.alertId = id;
        a.app = "shop";
        a.dimension = "country";
        a.dimensionValue = country;
        a.series = "shop|country|" + country;
        a.metric = "error_rate";
        a.kind = "sustained";
        a.severity = "warning";
        a.openedAt = opened * M;
        return a;
    }

    /**
     * A run whose verdicts are the matcher's on these incidents and alerts, windows of {@link #W}.
     */
    static Evaluation.Run run(
            String scenario,
            long seed,
            double simulatedDays,
            List<IncidentTruth> incidents,
            List<Alert> alerts,
            long eventsAccepted,
            double wallSeconds) {
        return new Evaluation.Run(
                scenario,
                seed,
                simulatedDays,
                IncidentMatcher.match(incidents, alerts, W, IncidentMatcher.grace(W)),
                eventsAccepted,
                wallSeconds);
    }

    /** Two incidents alerted after 2 and 5 windows, one missed, one false alert; half a day. */
    static Evaluation.Run first() {
        return run(
                "a.yaml",
                1,
                0.5,
                List.of(
                        incident("de", "DE", 100),
                        incident("fr", "FR", 300),
                        incident("gb", "GB", 500)),
                List.of(alert("x1", "DE", 102), alert("x2", "FR", 305), alert("x3", "US", 700)),
                1000,
                2.0);
    }

    /** One incident alerted after 4 windows, two false alerts; half a day. */
    static Evaluation.Run second() {
        return run(
                "a.yaml",
                2,
                0.5,
                List.of(incident("de", "DE", 100)),
                List.of(alert("y1", "DE", 104), alert("y2", "US", 20), alert("y3", "JP", 9)),
                500,
                1.0);
    }

    @Test
    void theTotalsAddUpTheMatcherVerdictsOfEveryRun() {
        Evaluation.Figures f = Evaluation.Figures.of(List.of(first(), second()));
        assertThat(f.injected()).isEqualTo(4);
        assertThat(f.alerted()).isEqualTo(3);
        assertThat(f.delays()).containsExactlyInAnyOrder(2.0, 5.0, 4.0);
        assertThat(f.medianDelay()).isEqualTo(4.0);
        assertThat(f.maxDelay()).isEqualTo(5.0);
        assertThat(f.unmatched()).isEqualTo(3);
        assertThat(f.falseAlertsPerDay()).isEqualTo(3.0);
        assertThat(Evaluation.lastLine(List.of(first(), second())))
                .isEqualTo(
                        "evaluation: recall 3/4, false alerts per day 3.00, median delay 4"
                                + " windows");
    }

    @Test
    void anEvenNumberOfDelaysHasTheMeanOfTheMiddleTwoAsMedian() {
        assertThat(Evaluation.median(List.of(5.0, 2.0))).isEqualTo(3.5);
        assertThat(Evaluation.windows(3.5)).isEqualTo("3.5");
        assertThat(Evaluation.lastLine(List.of(first()))).endsWith("median delay 3.5 windows");
    }

    @Test
    void withNothingAlertedTheMedianDelayIsNotANumber() {
        Evaluation.Run none =
                run("none.yaml", 1, 2, List.of(), List.of(alert("z", "US", 5)), 10, 1);
        assertThat(Evaluation.lastLine(List.of(none)))
                .isEqualTo(
                        "evaluation: recall 0/0, false alerts per day 0.50, median delay n/a"
                                + " windows");
    }

    @Test
    void theTableHasARowPerRunPerFileAndTheTotal() {
        String table = Evaluation.table(List.of(first(), second()));
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1).split("\\s+"))
                .startsWith("a.yaml", "1", "2/3", "3.5", "5", "1", "2.00");
        assertThat(lines.get(2).split("\\s+")).startsWith("a.yaml", "2", "1/1", "4", "4", "2");
        assertThat(lines.get(3).split("\\s+")).startsWith("a.yaml", "all", "3/4", "4", "5", "3");
        assertThat(lines.get(4).split("\\s+")).startsWith("total", "3/4", "4", "5", "3", "3.00");
    }

    @Test
    void theJsonHoldsEveryRunItsIncidentsAndTheTotals(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("eval.json");
        Evaluation.writeJson(List.of(first(), second()), file);
        JsonNode doc = new ObjectMapper().readTree(file.toFile());
        assertThat(doc.path("runs")).hasSize(2);
        assertThat(doc.path("runs").get(0).path("incidents").get(2).path("alerted").asBoolean())
                .isFalse();
        assertThat(doc.path("runs").get(1).path("unmatched_alerts")).hasSize(2);
        assertThat(doc.path("total").path("alerted").asInt()).isEqualTo(3);
        assertThat(doc.path("total").path("median_delay_windows").asDouble()).isEqualTo(4.0);
        assertThat(doc.path("last_line").asText())
                .isEqualTo(Evaluation.lastLine(List.of(first(), second())));
    }
}
