package io.beaconflow.collector.config;

/**
 * A collector configuration that cannot be used. The message names the file, the key and how to fix
 * it (same form as the job's config errors: {@code <source>: <key>: <problem>. Fix: <fix>}).
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public static ConfigException invalid(String source, String key, String problem, String fix) {
        return new ConfigException(source + ": " + key + ": " + problem + ". Fix: " + fix);
    }
}
