package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.compare.ArmRules;
import java.io.Serializable;

/**
 * {@link SessionConfig} in the form the hot path wants: millis and ints, computed once. Immutable.
 */
public final class SessionRules implements Serializable {
    private static final long serialVersionUID = 1L;

    public final long gapMs;
    public final long maxDurationMs;
    public final long updateIntervalMs;
    public final int timelineSize;
    public final int maxTraceIds;
    public final int rageClickCount;
    public final int rageClickWindowMs;
    public final int errorClickWindowMs;
    public final int deadClickWindowMs;

    /** A click is decided once the watermark is this far past it (its forward windows). */
    final int forwardWindowMs;

    /** Signals older than the decided horizon by more than this can no longer matter. */
    final int retentionMs;

    /** The comparisons' counting rules, or null: no per-arm summaries ({@link SessionArms}). */
    public final ArmRules arms;

    public SessionRules(SessionConfig c) {
        this(c, null);
    }

    public SessionRules(SessionConfig c, ArmRules arms) {
        this.arms = arms;
        gapMs = c.gap.toMillis();
        maxDurationMs = c.maxDuration.toMillis();
        updateIntervalMs = c.updateInterval.toMillis();
        timelineSize = c.timelineSize;
        maxTraceIds = c.maxTraceIds;
        rageClickCount = c.rageClickCount;
        rageClickWindowMs = (int) c.rageClickWindow.toMillis();
        errorClickWindowMs = (int) c.errorClickWindow.toMillis();
        deadClickWindowMs = (int) c.deadClickWindow.toMillis();
        forwardWindowMs = Math.max(errorClickWindowMs, deadClickWindowMs);
        // A rage click looks back over two windows (its own and the previous click's).
        retentionMs = 2 * Math.max(rageClickWindowMs, forwardWindowMs);
    }
}
