package io.beaconflow.detectors.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.detectors.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NabSpecTest {
    private static final String METRIC =
            """
            version: 1
            metrics:
              value:
                kind: generic
                z_threshold: 4
            """;

    @Test
    void theNabSectionSetsTheScalesAndTheRestIsTheDetectorSpec() {
        NabSpec s =
                NabSpec.parse(
                        """
                        nab:
                          scales: [1, 12, 48]
                        """
                                + METRIC,
                        "t.yaml",
                        "value");
        assertThat(s.scales()).containsExactly(1, 12, 48);
        assertThat(s.spec().zThreshold()).isEqualTo(4.0);
        assertThat(s.detector().scales()).containsExactly(1, 12, 48);
    }

    @Test
    void withoutANabSectionOnlyTheRawSeriesIsJudged() {
        assertThat(NabSpec.parse(METRIC, "t.yaml", "value").scales()).containsExactly(1);
    }

    @Test
    void anErrorAfterTheNabSectionNamesItsOwnLine() {
        String text =
                """
                nab:
                  scales:
                    - 1
                    - 12
                version: 1
                metrics:
                  value:
                    kind: generic
                    z_treshold: 4
                """;
        assertThatThrownBy(() -> NabSpec.parse(text, "t.yaml", "value"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("t.yaml:9: ")
                .hasMessageContaining("z_treshold");
    }

    @Test
    void badScalesNameTheKeyTheLineAndTheFix() {
        for (String bad : List.of("[0, 12]", "[1, 1]", "[1, x]", "[]", "5", "[1, 10001]")) {
            assertThatThrownBy(
                            () ->
                                    NabSpec.parse(
                                            "nab:\n  scales: " + bad + "\n" + METRIC,
                                            "t.yaml",
                                            "value"))
                    .as(bad)
                    .isInstanceOf(SpecException.class)
                    .hasMessageStartingWith("t.yaml:2: nab.scales: ")
                    .hasMessageContaining("Fix: list distinct integers in [1, 10000]");
        }
    }

    @Test
    void unknownNabKeysAndUnknownMetricsAreErrors() {
        assertThatThrownBy(() -> NabSpec.parse("nab:\n  scale: [1]\n" + METRIC, "t.yaml", "value"))
                .hasMessageStartingWith("t.yaml:2: nab.scale: unknown key");
        assertThatThrownBy(() -> NabSpec.parse(METRIC, "t.yaml", "latency"))
                .hasMessageContaining("metrics.latency")
                .hasMessageContaining("[value]");
    }
}
