package io.beaconflow.detectors.report;

import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.backtest.Backtest;
import io.beaconflow.detectors.backtest.LabelledWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The data of one chart in an {@link HtmlReport}: a time series with what the detector expected
 * (value and band), the points it judged anomalous, the alerts it raised and, when known, the
 * labelled incident windows. Plain arrays so any producer (the backtest, the demo's metric rows)
 * can fill it without a dependency on the other.
 *
 * <p>Missing numbers are {@code NaN}: a point without a value leaves a gap in the line, a point
 * without a band (warm-up, skipped) leaves a gap in the band.
 */
public final class SeriesChart {
    /** A time span in epoch millis; {@code endMillis < 0} means still open at the end. */
    public record Interval(long startMillis, long endMillis, String label) {
        public Interval {
            Objects.requireNonNull(label, "label");
            if (endMillis >= 0 && endMillis < startMillis) {
                throw new IllegalArgumentException(
                        "interval ends before it starts: " + startMillis + " > " + endMillis);
            }
        }

        public boolean open() {
            return endMillis < 0;
        }
    }

    private final String title;
    private final long[] timestamps;
    private final double[] values;
    private final double[] expected;
    private final double[] lower;
    private final double[] upper;
    private final boolean[] anomaly;
    private final List<Interval> alerts;
    private final List<Interval> incidents;

    private SeriesChart(Builder b) {
        int n = b.size;
        this.title = b.title;
        this.timestamps = Arrays.copyOf(b.timestamps, n);
        this.values = Arrays.copyOf(b.values, n);
        this.expected = Arrays.copyOf(b.expected, n);
        this.lower = Arrays.copyOf(b.lower, n);
        this.upper = Arrays.copyOf(b.upper, n);
        this.anomaly = Arrays.copyOf(b.anomaly, n);
        this.alerts = List.copyOf(b.alerts);
        this.incidents = List.copyOf(b.incidents);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    /**
     * A chart of a backtest: every scored point with its band and anomaly flag, one interval per
     * alert (open alerts run to the end), and the labelled windows when given (may be empty).
     */
    public static SeriesChart of(
            String title, Backtest.Result result, List<LabelledWindow> incidentWindows) {
        Builder b = builder(title);
        for (PointResult p : result.scored()) {
            b.point(
                    p.timestampMillis(),
                    p.value(),
                    p.expected(),
                    p.lower(),
                    p.upper(),
                    p.anomaly());
        }
        for (Backtest.Alert a : result.alerts()) {
            b.alert(
                    a.openedMillis(),
                    a.closedMillis(),
                    String.format(
                            java.util.Locale.ROOT,
                            "alert %s, peak score %.2f, %d points",
                            a.direction() == null ? "" : a.direction().name().toLowerCase(),
                            a.peakScore(),
                            a.points()));
        }
        for (LabelledWindow w : incidentWindows) {
            b.incident(w.startMillis(), w.endMillis(), "labelled incident");
        }
        return b.build();
    }

    public String title() {
        return title;
    }

    public int size() {
        return timestamps.length;
    }

    public long timestamp(int i) {
        return timestamps[i];
    }

    public double value(int i) {
        return values[i];
    }

    public double expected(int i) {
        return expected[i];
    }

    public double lower(int i) {
        return lower[i];
    }

    public double upper(int i) {
        return upper[i];
    }

    public boolean anomaly(int i) {
        return anomaly[i];
    }

    public List<Interval> alerts() {
        return alerts;
    }

    public List<Interval> incidents() {
        return incidents;
    }

    /** Collects points in time order. */
    public static final class Builder {
        private final String title;
        private int size;
        private long[] timestamps = new long[64];
        private double[] values = new double[64];
        private double[] expected = new double[64];
        private double[] lower = new double[64];
        private double[] upper = new double[64];
        private boolean[] anomaly = new boolean[64];
        private final List<Interval> alerts = new ArrayList<>();
        private final List<Interval> incidents = new ArrayList<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
        }

        /**
         * Adds one point; timestamps must not go backwards (a chart is drawn left to right).
         *
         * @param expected the detector's expectation, NaN when it had none
         * @param lower lower edge of the band, NaN when none
         * @param upper upper edge of the band, NaN when none
         */
        public Builder point(
                long timestampMillis,
                double value,
                double expected,
                double lower,
                double upper,
                boolean anomaly) {
            if (size > 0 && timestampMillis < timestamps[size - 1]) {
                throw new IllegalArgumentException(
                        "point "
                                + size
                                + " of '"
                                + title
                                + "' goes back in time: "
                                + timestampMillis
                                + " < "
                                + timestamps[size - 1]
                                + "; add points in time order");
            }
            if (size == timestamps.length) {
                int n = size * 2;
                timestamps = Arrays.copyOf(timestamps, n);
                values = Arrays.copyOf(values, n);
                this.expected = Arrays.copyOf(this.expected, n);
                this.lower = Arrays.copyOf(this.lower, n);
                this.upper = Arrays.copyOf(this.upper, n);
                this.anomaly = Arrays.copyOf(this.anomaly, n);
            }
            timestamps[size] = timestampMillis;
            values[size] = value;
            this.expected[size] = expected;
            this.lower[size] = lower;
            this.upper[size] = upper;
            this.anomaly[size] = anomaly;
            size++;
            return this;
        }

        /** An alert from {@code start} to {@code end} (epoch millis; {@code end < 0}: open). */
        public Builder alert(long startMillis, long endMillis, String label) {
            alerts.add(new Interval(startMillis, endMillis, label));
            return this;
        }

        /** A known incident (ground truth) from {@code start} to {@code end}. */
        public Builder incident(long startMillis, long endMillis, String label) {
            incidents.add(new Interval(startMillis, endMillis, label));
            return this;
        }

        public SeriesChart build() {
            return new SeriesChart(this);
        }
    }
}
