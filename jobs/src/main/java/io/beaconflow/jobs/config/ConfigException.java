package io.beaconflow.jobs.config;

/**
 * A configuration file that cannot be used. The message names the file, the key (and line when
 * known) and how to fix it, because the person reading it is editing a YAML file, not Java.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code "<source>: <key>: <problem>. Fix: <fix>"}. */
    public static ConfigException invalid(String source, String key, String problem, String fix) {
        return new ConfigException(source + ": " + key + ": " + problem + ". Fix: " + fix);
    }
}
