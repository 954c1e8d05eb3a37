package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static org.assertj.core.api.Assertions.assertThatCode;

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
        assertRejected(() -> c.validate(FILE), FILE, "sessions.gap", "Fix: set e.g. 30m");
    }

    @Test
    void aMaxDurationShorterThanTheGapIsRejected() {
        SessionConfig c = new SessionConfig();
        c.maxDuration = Duration.ofMinutes(10);
        assertRejected(
                () -> c.validate(FILE),
                "sessions.max-duration",
                "must not be shorter than sessions.gap");
    }

    @Test
    void aMaxDurationAboveSevenDaysIsRejected() {
        SessionConfig c = new SessionConfig();
        c.maxDuration = Duration.ofDays(8);
        assertRejected(() -> c.validate(FILE), "sessions.max-duration", "at most 7d");
    }

    @Test
    void anUpdateIntervalBelowOneSecondIsRejected() {
        SessionConfig c = new SessionConfig();
        c.updateInterval = Duration.ofMillis(200);
        assertRejected(
                () -> c.validate(FILE), "sessions.update-interval", "Fix: set e.g. 1m, or 0s");
    }

    @Test
    void aRageClickCountOfOneIsRejected() {
        SessionConfig c = new SessionConfig();
        c.rageClickCount = 1;
        assertRejected(() -> c.validate(FILE), "sessions.rage-click-count", "between 2 and 50");
    }

    @Test
    void aNegativeTimelineSizeIsRejected() {
        SessionConfig c = new SessionConfig();
        c.timelineSize = -1;
        assertRejected(() -> c.validate(FILE), "sessions.timeline-size");
    }

    @Test
    void aSignalWindowLongerThanAMinuteIsRejected() {
        SessionConfig c = new SessionConfig();
        c.errorClickWindow = Duration.ofMinutes(2);
        assertRejected(() -> c.validate(FILE), "sessions.error-click-window", "at most 1m");
    }
}
