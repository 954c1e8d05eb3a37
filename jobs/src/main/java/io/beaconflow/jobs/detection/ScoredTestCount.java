package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.evidence.AlertBudget;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tests (series × watched metrics) one scoring subtask makes per window, measured, so that the
 * false-alert budget can be checked against what the job really does.
 *
 * <p>Why: {@code budget.tests_per_window} is the user's estimate, and every per-test threshold
 * derives from it. A deployment with more apps, dimensions or cardinality than that estimate tests
 * more series per window than the budget assumes, and each false alert a day it promised becomes
 * several, silently. The count is shown as the gauge {@code scoredTestsPerWindow} (per subtask; the
 * job's figure is their sum) and the job logs a warning naming the value to set ({@link
 * #budgetWarning}).
 *
 * <p>A window is closed once a window two or more later is scored: a window's first scorings come
 * together, when the watermark passes its end, so by then it is complete, but for the few empty
 * windows that zero-fill scores after the allowed lateness; those, and any other test of a window
 * already closed, are left out (the figure is an estimate for an upper bound). Not state: after a
 * restore it measures afresh. Plain Java, no Flink.
 */
final class ScoredTestCount {
    /** Closed windows the mean runs over: an hour of one-minute windows. */
    static final int MEAN_WINDOWS = 60;

    private final long windowMs;
    private final TreeMap<Long, long[]> open = new TreeMap<>();
    private final long[] recent = new long[MEAN_WINDOWS];
    private long closedUpTo = Long.MIN_VALUE;
    private int closed;
    private long recentSum;
    private long last;

    /** The job-wide tests per window the last warning named (it repeats on 25 % more). */
    private double warnedAt;

    ScoredTestCount(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Counts one test of the window starting at {@code windowStart}; true when a window closed. */
    boolean record(long windowStart) {
        if (windowStart <= closedUpTo) {
            return false;
        }
        open.computeIfAbsent(windowStart, k -> new long[1])[0]++;
        long limit = windowStart - 2 * windowMs;
        boolean any = false;
        while (!open.isEmpty() && open.firstKey() <= limit) {
            Map.Entry<Long, long[]> w = open.pollFirstEntry();
            close(w.getValue()[0]);
            any = true;
        }
        if (any) {
            closedUpTo = Math.max(closedUpTo, limit);
        }
        return any;
    }

    private void close(long tests) {
        int slot = closed % MEAN_WINDOWS;
        if (closed >= MEAN_WINDOWS) {
            recentSum -= recent[slot];
        }
        recent[slot] = tests;
        recentSum += tests;
        last = tests;
        closed++;
    }

    /** Tests of the last closed window (0 before any). */
    long lastWindow() {
        return last;
    }

    /** Mean tests per closed window over the last {@link #MEAN_WINDOWS}; NaN before a full hour. */
    double hourMean() {
        return closed < MEAN_WINDOWS ? Double.NaN : (double) recentSum / MEAN_WINDOWS;
    }

    /**
     * Once an hour of windows is measured: the warning to log when the job ({@code parallelism}
     * subtasks like this one) scores more tests a window than the spec's budget assumes, or null;
     * after one warning, null until the measure grows by another 25 %.
     */
    String budgetWarningOnce(AlertBudget budget, int parallelism, String source) {
        double measured = hourMean() * parallelism;
        if (!(measured > warnedAt * 1.25)) return null;
        String warning = budgetWarning(budget, measured, source);
        if (warning != null) warnedAt = measured;
        return warning;
    }

    /** The job-wide tests per window the last warning named, 0 if none. */
    double warnedAt() {
        return warnedAt;
    }

    /**
     * The warning to log when the job tests more per window than the budget assumes, or null.
     *
     * @param measured tests per window of the whole job (a subtask's mean × parallelism)
     * @param source the spec file, named in the fix
     */
    static String budgetWarning(AlertBudget budget, double measured, String source) {
        if (budget == null || !(measured > budget.testsPerWindow())) {
            return null;
        }
        double implied = budget.falseAlertsPerDay() * measured / budget.testsPerWindow();
        return String.format(
                Locale.ROOT,
                "budget.tests_per_window is %d in %s, but the job scores about %.0f tests a window"
                        + " (the last hour): its thresholds allow up to %.2f false alerts a day"
                        + " instead of the %s set. Fix: set tests_per_window: %d there (or more,"
                        + " for growth) and resubmit or update the spec",
                budget.testsPerWindow(),
                source,
                measured,
                implied,
                stripZeros(budget.falseAlertsPerDay()),
                (long) Math.ceil(measured));
    }

    private static String stripZeros(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
