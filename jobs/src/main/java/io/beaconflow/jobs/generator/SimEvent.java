package io.beaconflow.jobs.generator;

/**
 * One simulated browser event, typed: each kind carries its own fields. Common to all: when it
 * happened (true time, before clock skew), its event id, the view and page URL it belongs to, and
 * the index of the incident that caused or shaped it (-1 for none), which counts as ground truth.
 */
sealed interface SimEvent {
    String[] TYPE_NAMES = {"page_view", "web_vital", "fetch", "error", "action"};

    long time();

    String id();

    String viewId();

    String url();

    int incident();

    /** Index into {@link #TYPE_NAMES}: the {@code type} field on the wire. */
    int typeIndex();

    /**
     * A navigation with its load timings (ms), or in an app with {@code spa: true} a route change
     * after the first view: then only {@code routeChangeMs} is sent (NaN for a document load).
     */
    record PageView(
            long time,
            String id,
            String viewId,
            String url,
            int incident,
            String referrer,
            double ttfbMs,
            double domContentLoadedMs,
            double loadMs,
            double routeChangeMs)
            implements SimEvent {
        /** A single-page app's route change ({@code routeChangeMs} set) rather than a load. */
        boolean routeChange() {
            return !Double.isNaN(routeChangeMs);
        }

        @Override
        public int typeIndex() {
            return 0;
        }
    }

    /** A Core Web Vital (TTFB, FCP, LCP, CLS, INP) with Google's rating. */
    record Vital(
            long time,
            String id,
            String viewId,
            String url,
            int incident,
            String name,
            double value,
            String rating)
            implements SimEvent {
        @Override
        public int typeIndex() {
            return 1;
        }

        /** Google's thresholds: good up to the first bound, poor above the second. */
        static String rating(String name, double v) {
            double good;
            double poor;
            switch (name) {
                case "LCP":
                    good = 2500;
                    poor = 4000;
                    break;
                case "INP":
                    good = 200;
                    poor = 500;
                    break;
                case "CLS":
                    good = 0.1;
                    poor = 0.25;
                    break;
                case "FCP":
                    good = 1800;
                    poor = 3000;
                    break;
                default: // TTFB
                    good = 800;
                    poor = 1800;
            }
            return v <= good ? "good" : v <= poor ? "needs-improvement" : "poor";
        }
    }

    /**
     * An API call; status 0 = aborted or timed out on the client; trace ids may be null. {@code
     * api} is the call's template ({@code "GET /api/v2/cart/{uuid}"}, null for pings) and {@code
     * serverMs} the time the backend spent on it (NaN when no instrumented backend answered): not
     * rendered into the beacon, only into the call's server span ({@link ServerSpanTraffic}).
     */
    record Fetch(
            long time,
            String id,
            String viewId,
            String url,
            int incident,
            String target,
            String method,
            int status,
            double durationMs,
            String traceId,
            String spanId,
            String api,
            double serverMs)
            implements SimEvent {
        @Override
        public int typeIndex() {
            return 2;
        }

        /** An instrumented backend answered: the call has a server span. */
        boolean served() {
            return !Double.isNaN(serverMs);
        }

        boolean failed() {
            return status == 0 || status >= 500;
        }
    }

    /** A JavaScript error as the session's engine words it; empty stack = none sent. */
    record JsError(
            long time,
            String id,
            String viewId,
            String url,
            int incident,
            String type,
            String message,
            String stack)
            implements SimEvent {
        @Override
        public int typeIndex() {
            return 3;
        }
    }

    /** A click (CSS selector, accessible name or empty); rageStart = first of a rage burst. */
    record Click(
            long time,
            String id,
            String viewId,
            String url,
            String target,
            String name,
            boolean rageStart)
            implements SimEvent {
        @Override
        public int incident() {
            return -1;
        }

        @Override
        public int typeIndex() {
            return 4;
        }
    }
}
