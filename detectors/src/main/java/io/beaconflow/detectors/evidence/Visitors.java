package io.beaconflow.detectors.evidence;

/**
 * How many distinct visitors (sessions) are behind a window, or behind the windows a pooled verdict
 * rests on, from a 64-bit session bitmap: each session sets bit {@code hash(session) mod 64}, so
 * windows unite by OR and the count comes back by linear counting (Whang et al., 1990): {@code n ≈
 * −64 · ln(1 − B/64)} for B bits set.
 *
 * <p>What it detects: nothing; it gates. Knob: {@code min_sessions} (see {@link
 * io.beaconflow.detectors.DetectorSpec#minSessions()}). Why: the false alerts left on the
 * development scenarios were thin segments whose latency p75 was one slow visitor, for a minute or
 * for an hour (docs/detector-quality.md). The sample counts behind a percentile cannot show that:
 * one visitor on a slow connection loading a page every minute for 16 minutes is 16 samples, and a
 * sample-count gate passes. Only the number of distinct visitors across the windows can.
 *
 * <p>Accuracy where the gate decides (a few visitors): the estimate is never below the bits set,
 * and bits equal visitors unless two of them share a bit (for 5 visitors: 15 % chance of one
 * collision, which then reads as 4.1). Beyond ~100 visitors the bitmap fills, which only ever
 * passes a gate. An empty bitmap (0) means "not known" (NAB files, rows from before the field) and
 * never blocks.
 */
public final class Visitors {
    private Visitors() {}

    /** The largest {@code min_sessions}: beyond it 64 bits no longer count reliably. */
    public static final int MAX_GATE = 20;

    /** The bit one session sets: a mix of its id's hash (Murmur3's finalizer), mod 64. */
    public static long bitOf(String sessionId) {
        long h = sessionId.hashCode();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return 1L << (h & 63);
    }

    /** Estimated distinct sessions in {@code bits}; infinite when every bit is set. */
    public static double estimate(long bits) {
        int b = Long.bitCount(bits);
        if (b >= 64) {
            return Double.POSITIVE_INFINITY;
        }
        return -64 * Math.log1p(-b / 64.0);
    }

    /** Whether the visitors in {@code bits} (known, possibly none) reach {@code min}. */
    public static boolean atLeast(long bits, int min) {
        return min <= 0 || estimate(bits) >= min;
    }

    /**
     * The visitor (bit) set in the most of the windows {@code windows[0..count)}, the lowest such
     * bit on a tie, or -1 when no window has a visitor. A collision only merges visitors into one,
     * which makes a test that sets that visitor aside stricter, never looser.
     */
    public static int mostFrequent(long[] windows, int count) {
        int[] frequency = new int[64];
        for (int w = 0; w < count; w++) {
            long bits = windows[w];
            while (bits != 0) {
                frequency[Long.numberOfTrailingZeros(bits)]++;
                bits &= bits - 1;
            }
        }
        int top = 0;
        for (int b = 1; b < 64; b++) {
            if (frequency[b] > frequency[top]) {
                top = b;
            }
        }
        return frequency[top] == 0 ? -1 : top;
    }

    /** Whether {@code bits} pass a gate of {@code min} visitors (unknown bits always do). */
    public static boolean enough(long bits, int min) {
        return min <= 0 || bits == 0 || estimate(bits) >= min;
    }
}
