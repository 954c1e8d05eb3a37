package io.beaconflow.jobs.compare;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.store.Bin;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A latency distribution as the metric stage keeps it: the bins of a DDSketch (value, count), in
 * ascending order. Values within one bin (1 % apart at the default accuracy) are treated as ties by
 * the rank test: that is the whole cost of never keeping raw values.
 *
 * <p>Counts are rescaled so they sum to {@link #n}, the number of values actually received: the
 * sketch holds weighted counts (1 / sample rate), and a test's certainty must rest on what was
 * received, not on the traffic it stands for (the same rule as {@code
 * MetricAggregate#denominator}).
 */
public final class Binned {
    final double[] values;
    final double[] counts;
    final double n;

    Binned(double[] values, double[] counts) {
        this.values = values;
        this.counts = counts;
        double s = 0;
        for (double c : counts) s += c;
        this.n = s;
    }

    /** From raw values (tests and the textbook checks); equal values form one bin. */
    public static Binned ofValues(double... raw) {
        double[] sorted = raw.clone();
        java.util.Arrays.sort(sorted);
        List<double[]> bins = new ArrayList<>();
        for (double v : sorted) {
            if (!bins.isEmpty() && bins.get(bins.size() - 1)[0] == v) {
                bins.get(bins.size() - 1)[1]++;
            } else {
                bins.add(new double[] {v, 1});
            }
        }
        return of(bins);
    }

    /**
     * The positive bins and the zero bucket of {@code sketch} (latencies have no negatives),
     * rescaled to {@code received} values in total; {@code null} for an empty sketch.
     */
    public static Binned ofSketch(DDSketch sketch, long received) {
        if (sketch == null || sketch.isEmpty() || received <= 0) {
            return null;
        }
        IndexMapping mapping = sketch.getIndexMapping();
        double total = sketch.getCount();
        double scale = received / total;
        List<double[]> bins = new ArrayList<>();
        double zeros =
                total
                        - sketch.getPositiveValueStore().getTotalCount()
                        - sketch.getNegativeValueStore().getTotalCount();
        if (zeros > 1e-9) {
            bins.add(new double[] {0, zeros * scale});
        }
        Iterator<Bin> it = sketch.getPositiveValueStore().getAscendingIterator();
        while (it.hasNext()) {
            Bin b = it.next();
            if (b.getCount() > 0) {
                bins.add(new double[] {mapping.value(b.getIndex()), b.getCount() * scale});
            }
        }
        return bins.isEmpty() ? null : of(bins);
    }

    private static Binned of(List<double[]> bins) {
        double[] v = new double[bins.size()];
        double[] c = new double[bins.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = bins.get(i)[0];
            c[i] = bins.get(i)[1];
        }
        return new Binned(v, c);
    }

    /** Number of values (received, unweighted). */
    public double n() {
        return n;
    }

    /** The weighted median (lower median on an exact split), as the sketch would answer. */
    public double quantile(double q) {
        double target = q * n;
        double cum = 0;
        for (int i = 0; i < values.length; i++) {
            cum += counts[i];
            if (cum >= target - 1e-9) return values[i];
        }
        return values[values.length - 1];
    }
}
