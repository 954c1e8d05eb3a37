package io.beaconflow.jobs.compare;

/**
 * Holm's step-down adjustment (S. Holm, "A simple sequentially rejective multiple test procedure",
 * Scandinavian Journal of Statistics 6:65–70, 1979), as R's {@code p.adjust(method = "holm")}: the
 * i-th smallest of m p-values is multiplied by m − i + 1, made monotone, capped at 1. It controls
 * the family-wise error rate (any false "significant" among the family) at α for any dependence
 * between the tests, which matters here: load, LCP and fetch time of one arm move together.
 */
public final class Holm {
    private Holm() {}

    /** Adjusted p-values, in the order of {@code p}; NaN entries are left out of the family. */
    public static double[] adjust(double[] p) {
        int m = 0;
        for (double v : p) if (!Double.isNaN(v)) m++;
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) order[i] = i;
        java.util.Arrays.sort(
                order,
                (a, b) -> {
                    boolean na = Double.isNaN(p[a]);
                    boolean nb = Double.isNaN(p[b]);
                    if (na || nb) return Boolean.compare(na, nb);
                    int c = Double.compare(p[a], p[b]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
        double[] out = new double[p.length];
        double running = 0;
        for (int rank = 0; rank < p.length; rank++) {
            int i = order[rank];
            if (Double.isNaN(p[i])) {
                out[i] = Double.NaN;
                continue;
            }
            running = Math.max(running, Math.min(1, (m - rank) * p[i]));
            out[i] = running;
        }
        return out;
    }
}
