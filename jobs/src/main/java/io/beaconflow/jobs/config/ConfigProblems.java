package io.beaconflow.jobs.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a configuration before anything is reported, each as {@code <file> line
 * <n>: <key>: <problem>. Fix: <fix>}, so one run names all the mistakes of an edit instead of one
 * per attempt. The shared checks (positive, at least, ...) live here once instead of in every
 * section. {@link #throwIfAny()} ends the check with one {@link ConfigException}.
 */
public final class ConfigProblems {
    private final String source;
    private final KeyLines lines;
    private final List<String> found = new ArrayList<>();

    public ConfigProblems(String source, KeyLines lines) {
        this.source = source;
        this.lines = lines;
    }

    /** Problems of settings built in code: named by {@code source}, without lines. */
    public static ConfigProblems of(String source) {
        return new ConfigProblems(source, KeyLines.NONE);
    }

    /** Adds a problem of {@code key} (the full dotted path, as written in the file). */
    public void add(String key, String problem, String fix) {
        Integer line = lines.line(key);
        found.add(
                (line == null ? source : source + " line " + line)
                        + ": "
                        + key
                        + ": "
                        + problem
                        + ". Fix: "
                        + fix);
    }

    /** Adds the problem unless {@code ok}. */
    public void require(boolean ok, String key, String problem, String fix) {
        if (!ok) add(key, problem, fix);
    }

    /** A duration above zero; {@code example} such as {@code 1s}. */
    public void positive(String key, Duration value, String example) {
        if (value == null || value.isZero() || value.isNegative()) {
            add(key, "is " + show(value), "use a positive duration such as " + example);
        }
    }

    /** A whole number of at least {@code min}. */
    public void atLeast(String key, long value, long min, String fix) {
        if (value < min) add(key, "is " + value + ", below " + min, fix);
    }

    private static String show(Duration d) {
        return d == null ? "empty" : Durations.format(d);
    }

    public List<String> all() {
        return List.copyOf(found);
    }

    /** Throws one exception naming every problem found, or returns when there is none. */
    public void throwIfAny() {
        if (found.isEmpty()) return;
        if (found.size() == 1) throw new ConfigException(found.get(0));
        throw new ConfigException(
                found.size() + " problems in " + source + ":\n  - " + String.join("\n  - ", found));
    }
}
