package io.beaconflow.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

    /**
     * Runs {@code check} over a fresh collector named {@code source} (settings built in code, no
     * lines) and throws one {@link ConfigException} naming every problem it found.
     */
    public static void check(String source, Consumer<ConfigProblems> check) {
        ConfigProblems problems = of(source);
        check.accept(problems);
        problems.throwIfAny();
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

    /** Adds a problem already worded in full (file, key and fix) by a check outside the kit. */
    public void addReported(String message) {
        found.add(message);
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

    /**
     * A nested section that must be present: adds the problem when {@code section} is null (a key
     * written with a scalar or {@code null} value) and returns whether its keys can be checked.
     */
    public boolean section(String key, Object section, String fix) {
        if (section == null) add(key, "must be a section", fix);
        return section != null;
    }

    /** A whole number above zero: {@code must be greater than 0}, fix {@code set <example>}. */
    public void greaterThanZero(String key, long value, String example) {
        rule(value > 0, key, "greater than 0", value, example);
    }

    /**
     * A whole number of at least {@code min}: {@code must be at least}; fix {@code set <example>}.
     */
    public void notBelow(String key, long value, long min, String example) {
        rule(value >= min, key, "at least " + min, value, example);
    }

    /** A whole number in {@code [min, max]}; fix {@code set <example>}. */
    public void between(String key, long value, long min, long max, String example) {
        rule(value >= min && value <= max, key, "between " + min + " and " + max, value, example);
    }

    /** A number in {@code [min, max]} (NaN is outside); fix {@code set <example>}. */
    public void between(String key, double value, double min, double max, String example) {
        rule(value >= min && value <= max, key, "between " + min + " and " + max, value, example);
    }

    /**
     * {@code must be <rule> (got <value>)}, fix {@code set <example>}: the range checks' wording.
     */
    private void rule(boolean ok, String key, String rule, Object got, String example) {
        require(ok, key, "must be " + rule + " (got " + got + ")", "set " + example);
    }

    /** A duration above zero: {@code must be a duration > 0}; fix {@code set <example>}. */
    public boolean durationAboveZero(String key, Duration value, String example) {
        boolean ok = value != null && !value.isNegative() && !value.isZero();
        require(ok, key, "must be a duration > 0 (got " + show(value) + ")", "set " + example);
        return ok;
    }

    /** A duration of zero or more: {@code must be a duration ≥ 0}; fix {@code set <example>}. */
    public boolean durationNotNegative(String key, Duration value, String example) {
        boolean ok = value != null && !value.isNegative();
        require(ok, key, "must be a duration ≥ 0 (got " + show(value) + ")", "set " + example);
        return ok;
    }

    /** A text that must not be empty. */
    public void notBlank(String key, String value, String problem, String fix) {
        require(value != null && !value.isBlank(), key, problem, fix);
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
                found.size() + " problems in " + source + ":\n  - " + String.join("\n  - ", found),
                found);
    }
}
