package io.beaconflow.jobs.sessions;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionConfigTest {
    private static final String FILE = "flink-conf/beaconflow.yaml";

    @Test
    void theDefaultsAreValid() {
        assertThatCode(() -> new SessionConfig().validate(FILE)).doesNotThrowAnyException();
    }

    @Test
    void zeroUpdateIntervalTurnsUpdatesOffAndIsValid() {
        SessionConfig c = new SessionConfig();
        c.updateInterval = Duration.ZERO;
        assertThatCode(() -> c.validate(FILE)).doesNotThrowAnyException();
    }

    @Test
    void aZeroGapNamesTheFileTheKeyAndTheFix() {
        SessionConfig c = new SessionConfig();
        c.gap = Duration.ZERO;
        assertThatThrownBy(() -> c.validate(FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(FILE)
                .hasMessageContaining("sessions.gap")
                .hasMessageContaining("Fix: set e.g. 30m");
    }

    @Test
    void aMaxDurationShorterThanTheGapIsRejected() {
        SessionConfig c = new SessionConfig();
        c.maxDuration = Duration.ofMinutes(10);
        assertThatThrownBy(() -> c.validate(FILE))
                .hasMessageContaining("sessions.max-duration")
                .hasMessageContaining("must not be shorter than sessions.gap");
    }

    @Test
    void aMaxDurationAboveSevenDaysIsRejected() {
        SessionConfig c = new SessionConfig();
        c.maxDuration = Duration.ofDays(8);
        assertThatThrownBy(() -> c.validate(FILE))
                .hasMessageContaining("sessions.max-duration")
                .hasMessageContaining("at most 7d");
    }

    @Test
    void anUpdateIntervalBelowOneSecondIsRejected() {
        SessionConfig c = new SessionConfig();
        c.updateInterval = Duration.ofMillis(200);
        assertThatThrownBy(() -> c.validate(FILE))
                .hasMessageContaining("sessions.update-interval")
                .hasMessageContaining("Fix: set e.g. 1m, or 0s");
    }

    @Test
    void aRageClickCountOfOneIsRejected() {
        SessionConfig c = new SessionConfig();
        c.rageClickCount = 1;
        assertThatThrownBy(() -> c.validate(FILE))
                .hasMessageContaining("sessions.rage-click-count")
                .hasMessageContaining("between 2 and 50");
    }

    @Test
    void aNegativeTimelineSizeIsRejected() {
        SessionConfig c = new SessionConfig();
        c.timelineSize = -1;
        assertThatThrownBy(() -> c.validate(FILE)).hasMessageContaining("sessions.timeline-size");
    }

    @Test
    void aSignalWindowLongerThanAMinuteIsRejected() {
        SessionConfig c = new SessionConfig();
        c.errorClickWindow = Duration.ofMinutes(2);
        assertThatThrownBy(() -> c.validate(FILE))
                .hasMessageContaining("sessions.error-click-window")
                .hasMessageContaining("at most 1m");
    }
}
