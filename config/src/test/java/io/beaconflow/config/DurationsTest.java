package io.beaconflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration syntax of every configuration file and command option. */
class DurationsTest {
    @Test
    void readsANumberAndAUnitOrIso() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 30S ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT30M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("-5m")).isEqualTo(Duration.ofMinutes(-5));
    }

    @Test
    void saysWhatIsAcceptedWhenItCannotRead() {
        assertThatThrownBy(() -> Durations.parse("30")).hasMessageContaining("has no unit");
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("3w")).hasMessageContaining("unknown unit 'w'");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty duration");
        assertThatThrownBy(() -> Durations.parse("P1X")).hasMessageContaining("ISO-8601");
    }

    @Test
    void formatsTheShortestExactForm() {
        assertThat(Durations.format(Duration.ofSeconds(3600))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
