package io.beaconflow.jobs.compare;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code comparisons:} section of the job config: experiment variants against their control and
 * releases against the previous release, written to the {@code rum-comparisons} index.
 */
public class ComparisonsConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_EMIT_EVERY = Duration.ofMinutes(15);
    public static final double DEFAULT_ALPHA = 0.05;
    public static final long DEFAULT_MIN_SAMPLES_PER_ARM = 50;
    public static final String DEFAULT_CONTROL = "control";
    public static final int DEFAULT_MAX_ARMS_PER_APP = 64;
    public static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(3);
    public static final boolean DEFAULT_SEQUENTIAL = true;

    /**
     * τ for rates: the smallest rate change worth detecting, an error or failure rate 1.5 times a
     * baseline of 2 % (2 % → 3 %), standardized per effective view: 0.01 / √(0.025 · 0.975) =
     * 0.064, rounded to 0.06. Not fitted to any test or demo (docs/DISCUSSION.md).
     */
    public static final double DEFAULT_MIXING_EFFECT_RATES = 0.06;

    /**
     * τ for latencies: the smallest slowdown worth detecting, 10 %, on session values whose log has
     * a spread of 0.5 (a log-normal σ typical of page loads): Cohen's d = ln 1.1 / 0.5 = 0.19, and
     * the standardized rank statistic √12 (P(X &gt; Y) − ½) is 0.98 d for a normal shift; rounded
     * to 0.2.
     */
    public static final double DEFAULT_MIXING_EFFECT_LATENCIES = 0.2;

    /** Off: the stage is not built. */
    public boolean enabled = true;

    /** Compare each release of an app with the previous one (besides experiments). */
    public boolean releases = true;

    /** A document per comparison and metric whenever event time crosses a multiple of this. */
    public Duration emitEvery = DEFAULT_EMIT_EVERY;

    /** Significance level after Holm; intervals are 1 − alpha. */
    public double alpha = DEFAULT_ALPHA;

    /**
     * Sessions each arm needs before a metric is tested: sessions with a view (error rate), with a
     * fetch (failure rate), or with a value of the latency. Sessions, since they are the unit the
     * tests count (ArmComparison).
     */
    public long minSamplesPerArm = DEFAULT_MIN_SAMPLES_PER_ARM;

    /** The control variant of experiments not listed in {@link #controls}, when present. */
    public String defaultControl = DEFAULT_CONTROL;

    /** Experiment name → its control variant. */
    public Map<String, String> controls = new LinkedHashMap<>();

    /** Variants plus releases tracked per app; the ones beyond are ignored and counted. */
    public int maxArmsPerApp = DEFAULT_MAX_ARMS_PER_APP;

    /** An arm without data for this long (event time) is forgotten with its comparisons. */
    public Duration idleTtl = DEFAULT_IDLE_TTL;

    /**
     * True: always-valid p-values and confidence sequences ({@link AlwaysValid}), honest however
     * often the comparison is looked at. False: fixed-horizon tests, valid for one planned look.
     */
    public boolean sequential = DEFAULT_SEQUENTIAL;

    /**
     * The mixing standard deviation τ of the sequential test for error and fetch failure rates: the
     * standardized effect (rate difference over √(p(1 − p)) per effective view) it is most
     * sensitive to; τ² is the mixing variance.
     */
    public double mixingEffectRates = DEFAULT_MIXING_EFFECT_RATES;

    /**
     * τ for the latencies: the standardized effect per session (√12 (P(arm &gt; control) − ½),
     * about Cohen's d) the sequential test is most sensitive to.
     */
    public double mixingEffectLatencies = DEFAULT_MIXING_EFFECT_LATENCIES;

    /** The control of {@code experiment}: configured, else {@link #defaultControl}. */
    public String controlOf(String experiment) {
        String c = controls == null ? null : controls.get(experiment);
        return c != null ? c : defaultControl;
    }

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source, Duration metricsWindow) {
        ConfigProblems.check(source, p -> check(p, metricsWindow));
    }

    /**
     * Adds every problem of the {@code comparisons:} section; {@code metricsWindow} is the window
     * the comparisons are emitted on a multiple of (null when it is itself invalid).
     */
    public void check(ConfigProblems p, Duration metricsWindow) {
        boolean emitOk = emitEvery != null;
        if (metricsWindow != null && metricsWindow.toMillis() > 0) {
            emitOk =
                    emitOk
                            && emitEvery.compareTo(metricsWindow) >= 0
                            && emitEvery.toMillis() % metricsWindow.toMillis() == 0;
            p.require(
                    emitOk,
                    "comparisons.emit-every",
                    "must be a multiple of metrics.window ("
                            + metricsWindow
                            + "), got "
                            + emitEvery,
                    "set e.g. 15m");
        } else {
            p.require(emitOk, "comparisons.emit-every", "must be a duration", "set e.g. 15m");
        }
        p.require(
                alpha > 0 && alpha <= 0.2,
                "comparisons.alpha",
                "must be in (0, 0.2] (got " + alpha + ")",
                "set e.g. 0.05 (95 % intervals)");
        p.require(
                minSamplesPerArm >= 20,
                "comparisons.min-samples-per-arm",
                "must be >= 20 (got "
                        + minSamplesPerArm
                        + "): below that the normal approximations of the tests do not hold",
                "set e.g. 200");
        p.notBlank(
                "comparisons.default-control",
                defaultControl,
                "must be a variant name",
                "set e.g. control");
        if (controls == null) {
            controls = new LinkedHashMap<>();
        }
        for (Map.Entry<String, String> e : controls.entrySet()) {
            p.notBlank(
                    "comparisons.controls." + e.getKey(),
                    e.getValue(),
                    "must name the control variant of experiment " + e.getKey(),
                    "write e.g. " + e.getKey() + ": control");
        }
        p.require(
                maxArmsPerApp >= 2,
                "comparisons.max-arms-per-app",
                "must be >= 2 (got " + maxArmsPerApp + ")",
                "set e.g. 64 (state: about 20 KB per arm)");
        p.require(
                mixingEffectRates > 0 && mixingEffectRates <= 2,
                "comparisons.mixing-effect-rates",
                "must be in (0, 2] (got "
                        + mixingEffectRates
                        + "): the standardized rate change the sequential test is most"
                        + " sensitive to",
                "set e.g. 0.06 (an error rate 2 % -> 3 %)");
        p.require(
                mixingEffectLatencies > 0 && mixingEffectLatencies <= 2,
                "comparisons.mixing-effect-latencies",
                "must be in (0, 2] (got "
                        + mixingEffectLatencies
                        + "): the standardized latency shift the sequential test is most"
                        + " sensitive to",
                "set e.g. 0.2 (about 10 % slower)");
        p.require(
                idleTtl != null && (emitEvery == null || idleTtl.compareTo(emitEvery) > 0),
                "comparisons.idle-ttl",
                "must be longer than comparisons.emit-every (got " + idleTtl + ")",
                "set e.g. 3d");
    }
}
