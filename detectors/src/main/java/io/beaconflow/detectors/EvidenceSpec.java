package io.beaconflow.detectors;

/**
 * The {@code evidence:} section of a detector spec: which recent windows are pooled and tested as
 * one observation ({@link io.beaconflow.detectors.evidence.PooledEvidence}).
 *
 * @param maxWindows longest run of recent windows whose evidence is pooled ({@code
 *     evidence.max_windows}); the scales tested run from 1 up to it, as many an octave as {@code
 *     scalesPerOctave} says (see {@link #scales}). 1 = every window is judged alone
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
 * @param scalesPerOctave scales tested between one length and its double ({@code
 *     evidence.scales_per_octave}): 1 tests 1, 2, 4, 8, ...; 2 adds the lengths half-way on the log
 *     scale, 1, 2, 3, 4, 6, 8, 11, 16, 23, 32. Why: a shift of {@code x} standard errors per window
 *     passes a threshold {@code T} on the first scale of at least {@code (T/x)²} windows, and with
 *     one scale per octave that length is rounded up to the next power of two: evidence that is
 *     complete after 5 windows waited for the 8-window scale, 9 windows for 16. Every scale is one
 *     more test for the budget ({@link DetectorSpec#testsPerWindow}), so the threshold rises a
 *     little (about 0.1 z from 6 to 10 scales). The scales overlap, so most chance excursions they
 *     add are ones their neighbours already count, but not all: on the evaluation's files two an
 *     octave found incidents 74 windows sooner in all and raised 36 false alerts where one raised
 *     33 (docs/detector-quality.md, session 2026-12-06 (7))
 */
public record EvidenceSpec(
        int maxWindows,
        double cap,
        boolean anchored,
        boolean pooledRate,
        Direction direction,
        int scalesPerOctave) {
    /**
     * Largest {@code evidence.max_windows}: the ring of pooled windows kept per series and metric.
     */
    public static final int MAX_WINDOWS = 64;

    /** Largest {@code evidence.scales_per_octave}. */
    public static final int MAX_SCALES_PER_OCTAVE = 4;

    /** The scales of every (scales per octave, max windows), built once: read on every window. */
    private static final int[][][] SCALES = new int[MAX_SCALES_PER_OCTAVE + 1][][];

    static {
        for (int p = 1; p <= MAX_SCALES_PER_OCTAVE; p++) {
            SCALES[p] = new int[MAX_WINDOWS + 1][];
            for (int m = 1; m <= MAX_WINDOWS; m++) {
                SCALES[p][m] = geometric(m, p);
            }
        }
    }

    /** Whether windows are pooled at all ({@code max_windows > 1}). */
    public boolean pooled() {
        return maxWindows > 1;
    }

    /**
     * The scales (numbers of recent windows) tested, shortest first: {@code round(2^(i/p))} for
     * {@code p} scales per octave, without repeats, up to {@link #maxWindows} (which is not itself
     * a scale unless it falls on the grid). Shared: do not modify.
     */
    public int[] scales() {
        if (maxWindows >= 1
                && maxWindows <= MAX_WINDOWS
                && scalesPerOctave >= 1
                && scalesPerOctave <= MAX_SCALES_PER_OCTAVE) {
            return SCALES[scalesPerOctave][maxWindows];
        }
        return geometric(maxWindows, Math.max(1, scalesPerOctave));
    }

    private static int[] geometric(int maxWindows, int perOctave) {
        int[] out = new int[0];
        int last = 0;
        for (int i = 0; ; i++) {
            int l = (int) Math.round(Math.pow(2, i / (double) perOctave));
            if (l > maxWindows) {
                return out;
            }
            if (l != last) {
                out = java.util.Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = l;
                last = l;
            }
        }
    }

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return ", evidenceWindows="
                + maxWindows
                + ", evidenceCap="
                + cap
                + (anchored ? ", evidenceAnchored=true" : "")
                + (pooledRate ? ", evidencePooledRate=true" : "")
                + (direction != Direction.BOTH ? ", evidenceDirection=" + direction : "")
                + (scalesPerOctave != 1 ? ", evidenceScalesPerOctave=" + scalesPerOctave : "");
    }
}
