package io.beaconflow.jobs.patterns;

import java.util.Comparator;
import org.apache.flink.cep.EventComparator;

/**
 * The order CEP gives findings with the same event time. Without it CEP keeps arrival order, which
 * depends on how the upstream operators' outputs interleave: a replay after a failover (or a rerun)
 * could then match another of the tied findings first, so the alert got another primary metric and
 * another id, and the first attempt's alert stayed open next to the replay's. A release first seen
 * comes before anything else at its instant (the anomaly must follow it); the rest go by kind,
 * signal key and first window, which are all deterministic.
 */
public final class FindingTieOrder implements EventComparator<Finding> {
    private static final long serialVersionUID = 1L;

    private static final Comparator<Finding> ORDER =
            Comparator.comparingInt((Finding f) -> Finding.RELEASE_SEEN.equals(f.kind) ? 0 : 1)
                    .thenComparing(f -> f.kind == null ? "" : f.kind)
                    .thenComparing(f -> f.key == null ? "" : f.key)
                    .thenComparingLong(f -> f.firstWindowStart)
                    .thenComparing(f -> f.release == null ? "" : f.release);

    @Override
    public int compare(Finding a, Finding b) {
        return ORDER.compare(a, b);
    }
}
