package io.beaconflow.jobs.detection;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Sums {@link RouteActivity} per route and window, then stamps the window bounds. */
final class RouteActivityWindow {
    private RouteActivityWindow() {}

    static final class Sum
            implements AggregateFunction<RouteActivity, RouteActivity, RouteActivity> {
        private static final long serialVersionUID = 1L;

        @Override
        public RouteActivity createAccumulator() {
            return new RouteActivity();
        }

        @Override
        public RouteActivity add(RouteActivity in, RouteActivity acc) {
            acc.app = in.app;
            acc.route = in.route;
            acc.pageViews += in.pageViews;
            acc.rageClicks += in.rageClicks;
            return acc;
        }

        @Override
        public RouteActivity getResult(RouteActivity acc) {
            return acc;
        }

        @Override
        public RouteActivity merge(RouteActivity a, RouteActivity b) {
            a.pageViews += b.pageViews;
            a.rageClicks += b.rageClicks;
            if (a.app == null) {
                a.app = b.app;
                a.route = b.route;
            }
            return a;
        }
    }

    static final class Stamp
            extends ProcessWindowFunction<RouteActivity, RouteActivity, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context ctx, Iterable<RouteActivity> in, Collector<RouteActivity> out) {
            for (RouteActivity a : in) {
                a.windowStart = ctx.window().getStart();
                a.windowEnd = ctx.window().getEnd();
                out.collect(a);
            }
        }
    }
}
