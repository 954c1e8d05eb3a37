package io.beaconflow.config;

import java.util.List;

/**
 * A configuration file that cannot be used. The message names the file, the key (and line when
 * known) and how to fix it, because the person reading it is editing a YAML file, not Java.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    /** One exception for several problems: {@code message} names them all. */
    public ConfigException(String message, List<String> problems) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(message);
    }

    /** Each problem as {@code <file> line <n>: <key>: <problem>. Fix: <fix>}. */
    public List<String> problems() {
        return problems;
    }

    /** {@code "<source>: <key>: <problem>. Fix: <fix>"}. */
    public static ConfigException invalid(String source, String key, String problem, String fix) {
        return new ConfigException(source + ": " + key + ": " + problem + ". Fix: " + fix);
    }
}
