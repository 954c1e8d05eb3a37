package io.beaconflow.detectors;

/**
 * The {@code evidence:} section of a detector spec: which recent windows are pooled and tested as
 * one observation ({@link io.beaconflow.detectors.evidence.PooledEvidence}).
 *
 * @param maxWindows longest run of recent windows whose evidence is pooled ({@code
 *     evidence.max_windows}); the scales tested are 1, 2, 4, ... up to it. 1 = every window is
 *     judged alone
 * @param cap largest standardized residual ({@code |y - expected| / spread}) one window brings into
 *     the pooled evidence ({@code evidence.cap}; 0 = no cap). A percentile from a thin window has a
 *     heavy tail (one slow visitor with a few views makes its p75): uncapped, such a window alone
 *     carries every pooled scale it is part of for as many windows as the scale spans. Capped, a
 *     pooled scale passes only when most of its windows lean the same way: the sustained shift
 *     pooling is there to find
 * @param anchored pooled scales are tested against the expectation before their first window
 *     ({@code evidence.anchored}) instead of each window's own, which has already learned the
 *     scale's earlier windows (see {@code PooledEvidence.anchoredZ})
 * @param pooledRate proportions only: pooled scales take each window's standard error at the
 *     baseline rate lifted once per scale, not per window ({@code evidence.pooled_rate}; see {@code
 *     ProportionScorer#pooledSpread})
 * @param direction which deviations the pooled scales (2 windows and more) may alert on, within the
 *     spec's direction ({@code evidence.direction}). A count's clusters (a visitor's views come
 *     together) make its pooled rises heavy-tailed, while a drop has no such tail: pooling only
 *     drops lets a thin segment's outage add up without pooling its bursts
 */
public record EvidenceSpec(
        int maxWindows, double cap, boolean anchored, boolean pooledRate, Direction direction) {
    /**
     * Largest {@code evidence.max_windows}: the ring of pooled windows kept per series and metric.
     */
    public static final int MAX_WINDOWS = 64;

    /** Whether windows are pooled at all ({@code max_windows > 1}). */
    public boolean pooled() {
        return maxWindows > 1;
    }

    /** The scales (numbers of recent windows) tested: 1, 2, 4, ... up to {@link #maxWindows}. */
    public int[] scales() {
        int n = 1;
        while ((1 << n) <= maxWindows) {
            n++;
        }
        int[] scales = new int[n];
        for (int i = 0; i < n; i++) {
            scales[i] = 1 << i;
        }
        return scales;
    }

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return ", evidenceWindows="
                + maxWindows
                + ", evidenceCap="
                + cap
                + (anchored ? ", evidenceAnchored=true" : "")
                + (pooledRate ? ", evidencePooledRate=true" : "")
                + (direction != Direction.BOTH ? ", evidenceDirection=" + direction : "");
    }
}
