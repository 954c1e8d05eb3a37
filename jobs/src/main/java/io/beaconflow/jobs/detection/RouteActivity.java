package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.model.RumEvent;

/**
 * Page views and rage-click bursts of one route, summed per window into the rage-click rate (bursts
 * per page view). Counting views here too, rather than joining the metrics rows, gives every window
 * with traffic a rate, zeros included, which the baseline needs. Weighted by 1 / sample rate. A
 * Flink POJO: input, accumulator and (with the window bounds) output.
 */
public class RouteActivity {
    public String app;
    public String route;
    public double pageViews;
    public double rageClicks;
    public long windowStart;
    public long windowEnd;

    public RouteActivity() {}

    public static RouteActivity pageView(RumEvent e) {
        RouteActivity a = new RouteActivity();
        a.app = e.app;
        a.route = e.route;
        a.pageViews = e.weight();
        return a;
    }

    public static RouteActivity rageClick(RageClick c) {
        RouteActivity a = new RouteActivity();
        a.app = c.app;
        a.route = c.route;
        a.rageClicks = c.weight;
        return a;
    }

    public String key() {
        return app + '\u0000' + route;
    }

    /** Bursts per page view, or null without page views. */
    public Double rate() {
        return pageViews > 0 ? rageClicks / pageViews : null;
    }
}
