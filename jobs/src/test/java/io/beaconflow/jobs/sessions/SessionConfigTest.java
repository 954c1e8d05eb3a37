package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SessionConfigTest {
    private static final String FILE = "flink-conf/beaconflow.yaml";

    /** Validating the defaults with one {@code change}. */
    private static ThrowingCallable change(Consumer<SessionConfig> change) {
        SessionConfig c = new SessionConfig();
        change.accept(c);
        return () -> c.validate(FILE);
    }

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
        assertRejected(
                change(c -> c.gap = Duration.ZERO), FILE, "sessions.gap", "Fix: set e.g. 30m");
    }

    @Test
    void aMaxDurationShorterThanTheGapIsRejected() {
        assertRejected(
                change(c -> c.maxDuration = Duration.ofMinutes(10)),
                "sessions.max-duration",
                "must not be shorter than sessions.gap");
    }

    @Test
    void aMaxDurationAboveSevenDaysIsRejected() {
        assertRejected(
                change(c -> c.maxDuration = Duration.ofDays(8)),
                "sessions.max-duration",
                "at most 7d");
    }

    @Test
    void anUpdateIntervalBelowOneSecondIsRejected() {
        assertRejected(
                change(c -> c.updateInterval = Duration.ofMillis(200)),
                "sessions.update-interval",
                "Fix: set e.g. 1m, or 0s");
    }

    @Test
    void aRageClickCountOfOneIsRejected() {
        assertRejected(
                change(c -> c.rageClickCount = 1), "sessions.rage-click-count", "between 2 and 50");
    }

    @Test
    void aNegativeTimelineSizeIsRejected() {
        assertRejected(change(c -> c.timelineSize = -1), "sessions.timeline-size");
    }

    @Test
    void aSignalWindowLongerThanAMinuteIsRejected() {
        assertRejected(
                change(c -> c.errorClickWindow = Duration.ofMinutes(2)),
                "sessions.error-click-window",
                "at most 1m");
    }
}
