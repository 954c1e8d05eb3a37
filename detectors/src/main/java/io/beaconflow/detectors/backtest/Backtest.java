package io.beaconflow.detectors.backtest;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.PointStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a recorded series through a detector and collects the scored points, the alerts and,
 * given labelled windows, precision, recall and detection delay.
 */
public final class Backtest {
    private Backtest() {}

    /**
     * One alert: opened at a point, closed when hysteresis closed it (or open at the end).
     *
     * @param closedMillis timestamp of the point that closed it, or -1 when still open at the end
     */
    public record Alert(
            long openedMillis,
            long closedMillis,
            Direction direction,
            double value,
            double expected,
            double z,
            double peakScore,
            int points) {}

    /** Everything a replay produced. */
    public record Result(
            List<Point> points,
            List<PointResult> scored,
            List<Alert> alerts,
            Map<PointStatus, Integer> statusCounts) {}

    /**
     * Detection quality against labelled windows.
     *
     * @param precision alerts opened inside a window / all alerts (NaN without alerts)
     * @param recall windows with at least one alert opening / windows (NaN without windows)
     * @param meanDelayMillis mean time from window start to its first alert, over detected windows
     * @param medianDelayMillis median of the same
     */
    public record Evaluation(
            int alerts,
            int truePositiveAlerts,
            int windows,
            int detectedWindows,
            double precision,
            double recall,
            double meanDelayMillis,
            double medianDelayMillis) {}

    public static Result run(Detector detector, List<Point> points) {
        DetectorState state = detector.newState();
        List<PointResult> scored = new ArrayList<>(points.size());
        List<Alert> alerts = new ArrayList<>();
        Map<PointStatus, Integer> counts = new EnumMap<>(PointStatus.class);
        PointResult opening = null;
        double peak = 0;
        int alertPoints = 0;
        for (Point p : points) {
            PointResult r = detector.update(state, p.timestampMillis(), p.value(), p.denominator());
            scored.add(r);
            counts.merge(r.status(), 1, Integer::sum);
            if (r.alertOpened()) {
                opening = r;
                peak = r.score();
                alertPoints = 0;
            }
            if (opening != null) {
                alertPoints++;
                peak = Math.max(peak, r.score());
                if (!r.alertOpen()) {
                    alerts.add(alert(opening, r.timestampMillis(), peak, alertPoints));
                    opening = null;
                }
            }
        }
        if (opening != null) {
            alerts.add(alert(opening, -1, peak, alertPoints));
        }
        return new Result(points, scored, alerts, counts);
    }

    private static Alert alert(PointResult o, long closed, double peak, int n) {
        return new Alert(
                o.timestampMillis(),
                closed,
                o.direction(),
                o.value(),
                o.expected(),
                o.z(),
                peak,
                n);
    }

    public static Evaluation evaluate(List<Alert> alerts, List<LabelledWindow> windows) {
        int tpAlerts = 0;
        for (Alert a : alerts) {
            if (windows.stream().anyMatch(w -> w.contains(a.openedMillis()))) {
                tpAlerts++;
            }
        }
        List<Long> delays = new ArrayList<>();
        for (LabelledWindow w : windows) {
            alerts.stream()
                    .filter(a -> w.contains(a.openedMillis()))
                    .mapToLong(Alert::openedMillis)
                    .min()
                    .ifPresent(t -> delays.add(t - w.startMillis()));
        }
        delays.sort(null);
        double mean = delays.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        double median = Double.NaN;
        if (!delays.isEmpty()) {
            int m = delays.size();
            median =
                    (m & 1) == 1
                            ? delays.get(m / 2)
                            : 0.5 * (delays.get(m / 2 - 1) + delays.get(m / 2));
        }
        return new Evaluation(
                alerts.size(),
                tpAlerts,
                windows.size(),
                delays.size(),
                alerts.isEmpty() ? Double.NaN : (double) tpAlerts / alerts.size(),
                windows.isEmpty() ? Double.NaN : (double) delays.size() / windows.size(),
                mean,
                median);
    }
}
