package io.beaconflow.detectors.spec;

/**
 * A detector spec file is invalid. The message names the file, the line, the key and the fix, for
 * example {@code defaults.yaml:12: kinds.latency.z_treshold: unknown key. Fix: did you mean
 * 'z_threshold'?}.
 */
public class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String key;

    public SpecException(String source, int line, String key, String problem, String fix) {
        super(source + ":" + line + ": " + key + ": " + problem + ". Fix: " + fix);
        this.source = source;
        this.line = line;
        this.key = key;
    }

    public String source() {
        return source;
    }

    /** 1-based line number in the source. */
    public int line() {
        return line;
    }

    /** Dotted path of the key, as written in the file. */
    public String key() {
        return key;
    }
}
