package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.patterns.Finding;

/**
 * The kinds of pattern finding the alert lifecycle acts on, in the order it handles the findings of
 * one instant (so the result does not depend on arrival order); {@link #OTHER} is ignored.
 */
enum FindingKind {
    CORRELATED(Finding.CORRELATED),
    RELEASE_REGRESSION(Finding.RELEASE_REGRESSION),
    SUSTAINED(Finding.SUSTAINED),
    FRUSTRATION(Finding.FRUSTRATION),
    RECOVERED(Finding.RECOVERED),
    OTHER(null);

    /** The {@code kind} string of a {@link Finding}. */
    final String wire;

    FindingKind(String wire) {
        this.wire = wire;
    }

    static FindingKind of(Finding f) {
        for (FindingKind k : values()) {
            if (k.wire != null && k.wire.equals(f.kind)) return k;
        }
        return OTHER;
    }
}
