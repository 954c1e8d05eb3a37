package io.beaconflow.jobs.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.config.BeaconflowConfig;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The job's config file in tests: the shipped one, and sections given as YAML text. */
public final class ConfigFiles {
    private ConfigFiles() {}

    /** {@code flink-conf/beaconflow.yaml}, from the jobs module's directory. */
    public static final Path SHIPPED = Path.of("../flink-conf/beaconflow.yaml");

    /**
     * The shipped file as the demo reads it: it sets no user-id salt of its own (production passes
     * one in the environment), so the demo's public salt stands in.
     */
    public static BeaconflowConfig shipped() {
        return BeaconflowConfig.load(
                SHIPPED, BeaconflowConfig.withDemoSalt(Map.<String, String>of()::get));
    }

    /**
     * A file {@code test.yaml} holding a salt (first, in lines 1-3) and then {@code yaml}, read
     * without environment variables.
     */
    public static BeaconflowConfig parse(String yaml) {
        return BeaconflowConfig.parse(
                "ingest:\n  privacy:\n    user-id-salt: s\n" + yaml,
                "test.yaml",
                Map.<String, String>of()::get);
    }

    /**
     * That {@code reading} (parsing or validating a config) fails with a {@link ConfigException}
     * whose message says each of {@code says}: the file, the key, the fix.
     */
    public static void assertRejected(ThrowingCallable reading, String... says) {
        AbstractThrowableAssert<?, ?> thrown =
                assertThatThrownBy(reading).isInstanceOf(ConfigException.class);
        for (String s : says) {
            thrown.hasMessageContaining(s);
        }
    }

    /** That {@link #parse parsing} {@code yaml} fails saying each of {@code says}. */
    public static void assertRejected(String yaml, String... says) {
        assertRejected(() -> parse(yaml), says);
    }
}
