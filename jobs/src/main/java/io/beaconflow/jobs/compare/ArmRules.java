package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricsConfig;
import java.io.Serializable;

/**
 * What the session assembler needs to keep one {@link SessionSummary} per session and arm for the
 * comparisons (sessions.SessionArms): the metric stage's counting rules (bots left out when {@code
 * metrics.exclude-bots}, the failing fetch statuses, Apdex T) and whether releases are compared.
 * Computed once from the configuration; immutable.
 */
public final class ArmRules implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Experiments plus the release one session can be in; further arms are counted, not kept. */
    public static final int MAX_ARMS_PER_SESSION = 32;

    public final boolean excludeBots;
    public final boolean[] failing;
    public final double apdexMs;
    public final boolean releases;

    public ArmRules(MetricsConfig metrics, boolean releases) {
        this.excludeBots = metrics.excludeBots;
        this.failing = metrics.failingStatuses();
        this.apdexMs = metrics.apdexThreshold.toMillis();
        this.releases = releases;
    }

    /** The rules for this configuration, or null when the comparisons are off. */
    public static ArmRules of(MetricsConfig metrics, ComparisonsConfig comparisons) {
        return comparisons.enabled ? new ArmRules(metrics, comparisons.releases) : null;
    }
}
