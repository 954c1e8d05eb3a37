package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.ScoredAggregate;

/**
 * What the alert operator receives of a scored row: its app (the key), its window end (when the
 * digest may go) and the {@link RowDigest} the root-cause hints read. A Flink POJO.
 *
 * <p><b>Why not the scored row itself.</b> A scored row carries the whole metric row (counts,
 * ratings, every percentile) that the alert operator never reads, and it was serialized across the
 * shuffle to the operator for every series and window, only for the digest to be taken there. Built
 * where the rows are scored (chained to the detector), only the digest travels; rows the hints skip
 * (late updates, rows without a score) do not travel at all.
 */
public class HintRow {
    public String app;
    public long windowEnd;
    public RowDigest digest;

    public HintRow() {}

    /**
     * Whether the hints read {@code row}: first versions with at least one score. A late update of
     * a window (update sequence above 0) repeats its first version's scores, which the digest
     * already holds.
     */
    public static boolean read(ScoredAggregate row) {
        return row.updateSeq == 0 && !row.scores.isEmpty();
    }

    /** The hint row of a scored row that {@link #read} accepts. */
    public static HintRow of(ScoredAggregate row) {
        HintRow h = new HintRow();
        h.app = row.app;
        h.windowEnd = row.windowEnd;
        h.digest = RowDigest.of(row);
        return h;
    }
}
