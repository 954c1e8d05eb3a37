package io.beaconflow.jobs.generator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One page view of a session and every event it causes: the navigation (URL, referrer), load
 * timings and vitals (route medians × device × network × any latency incident), fetches (with
 * api_failure), clicks and rage clicks, JavaScript errors (with error incidents), and CLS / INP at
 * page hide (with vital regressions); then how long the user stays before the next view.
 */
final class PageViews {
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long THIRTY_MINUTES = 30 * MINUTE;
    private static final int[] SERVER_ERRORS = {500, 502, 503, 504};
    private static final int[] FAILURES = {500, 502, 503, 504, 0};

    private final Rng rnd;
    private final Urls urls;
    private final IncidentEffects effects;
    private final GeneratorConfig.BehaviourSpec behaviour;
    private final StringBuilder sb = new StringBuilder(256);
    private final List<SimEvent> events = new ArrayList<>();

    PageViews(Rng rnd, IncidentEffects effects, GeneratorConfig.BehaviourSpec behaviour) {
        this.rnd = rnd;
        this.urls = new Urls(rnd);
        this.effects = effects;
        this.behaviour = behaviour;
    }

    /**
     * Simulates the session's next view, starting at t: its events, in time order, into {@link
     * #events()} (reused for the next view), and returns the time until the next view.
     */
    long view(SimSession s, long t) {
        SimApp app = s.app;
        int viewIndex = s.viewIndex++;
        SimApp.Route route = s.bot ? rnd.pick(app.routes) : app.routePick(rnd);

        // Navigation: URL with concrete ids, query strings on landings, referrer chain.
        sb.setLength(0);
        sb.append("https://").append(app.spec.host);
        urls.fill(sb, route.path);
        if (viewIndex == 0 && !s.bot && rnd.nextDouble() < 0.35) {
            urls.landingQuery(sb);
        } else if (rnd.nextDouble() < 0.1) {
            urls.innerQuery(sb);
        }
        String url = sb.toString();
        String referrer;
        if (viewIndex > 0) {
            referrer = s.previousUrl;
        } else if (s.bot || rnd.nextDouble() < 0.4) {
            referrer = null;
        } else {
            referrer = urls.externalReferrer();
        }
        s.previousUrl = url;
        String viewId = rnd.hex(16);

        // Time on this view, and when the next one starts.
        long gap;
        if (s.bot) {
            gap = 300 + rnd.nextInt(2700);
        } else if (s.longSession) {
            gap = 45 * SECOND + rnd.nextInt(45_000);
        } else {
            double median = behaviour.medianViewSeconds * SECOND;
            gap = (long) Math.min(20 * MINUTE, Math.max(2 * SECOND, rnd.lognormal(median, 0.9)));
        }
        if (viewIndex == s.idleAfterView) {
            // The user leaves the tab and comes back: same session id, activity resumes > 30 min
            // later; the last events before the gap are still sent at page hide.
            gap = THIRTY_MINUTES + MINUTE + (long) (rnd.nextDouble() * 90 * MINUTE);
        }
        long viewEnd =
                viewIndex == s.idleAfterView
                        ? t + Math.max(2 * SECOND, Math.min(gap / 40, 60 * SECOND))
                        : t + gap - 50;

        // Latency: route medians, device and network, and any latency regression in force.
        IncidentEffects.Latency latency =
                effects.latency(s, route, t, s.deviceFactor * s.netFactor);
        double latencyFactor = latency.factor();
        int latencyIncident = latency.incident();
        double ttfb = rnd.lognormal(route.spec.ttfbMs, 0.45) * (latencyFactor / s.deviceFactor);
        double fcp = ttfb + rnd.lognormal(route.spec.lcpMs * 0.45, 0.35) * latencyFactor;
        double lcp = fcp + rnd.lognormal(route.spec.lcpMs * 0.35, 0.6) * latencyFactor;
        double dcl = fcp + rnd.lognormal(120, 0.5) * latencyFactor;
        double load = Math.max(dcl, lcp) + rnd.lognormal(300, 0.6) * latencyFactor;
        long loaded = t + (long) load;
        long activeUntil = Math.max(loaded + 200, viewEnd - 100);

        // A single-page app loads its document once; later views are route changes, ready when
        // the new view rendered (no navigation request: LCP minus TTFB). Apps without spa: true
        // draw exactly the random numbers they drew before.
        boolean routeChange = app.spec.spa && viewIndex > 0;
        events.clear();
        events.add(
                new SimEvent.PageView(
                        t,
                        rnd.uuid(),
                        viewId,
                        url,
                        latencyIncident,
                        referrer,
                        ttfb,
                        dcl,
                        load,
                        routeChange ? lcp - ttfb : Double.NaN));
        if (!routeChange) {
            // web-vitals reports TTFB, FCP and LCP once per document load.
            events.add(vital("TTFB", ttfb, t + (long) ttfb, viewId, url, latencyIncident));
            events.add(vital("FCP", fcp, t + (long) fcp, viewId, url, latencyIncident));
            events.add(vital("LCP", lcp, t + (long) lcp, viewId, url, latencyIncident));
        }

        int fetches = rnd.poisson(route.spec.fetchesPerView);
        for (int i = 0; i < fetches; i++) {
            long at = t + (long) fcp + (long) (rnd.nextDouble() * (activeUntil - t - fcp));
            events.add(fetch(s, route, at, t, viewId, url, latencyFactor, latencyIncident));
        }

        int clicks = s.bot ? 0 : rnd.poisson(behaviour.clicksPerView);
        for (int i = 0; i < clicks; i++) {
            long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
            events.add(click(at, viewId, url, rnd.pick(Catalog.CLICK_TARGETS), false));
        }
        if (!s.bot && rnd.nextDouble() < behaviour.rageClickRate) {
            // 3-6 clicks 80-190 ms apart: always within 1 s of the first.
            int n = 3 + rnd.nextInt(4);
            String[] target =
                    Catalog.CLICK_TARGETS[
                            Catalog.RAGE_TARGETS[rnd.nextInt(Catalog.RAGE_TARGETS.length)]];
            long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded - 1000));
            for (int i = 0; i < n; i++) {
                events.add(click(at, viewId, url, target, i == 0));
                at += 80 + rnd.nextInt(111);
            }
            clicks += n;
        }

        double errorRate = s.bot ? behaviour.errorRatePerView / 2 : behaviour.errorRatePerView;
        if (rnd.nextDouble() < errorRate) {
            int kind = rnd.pickIndex(Catalog.ERROR_WEIGHTS);
            long at = t + (long) (rnd.nextDouble() * (activeUntil - t));
            events.add(error(Catalog.ERRORS[kind], s, at, viewId, url, -1));
        }
        effects.errors(
                s,
                route,
                t,
                rnd,
                incident -> {
                    long at =
                            loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
                    events.add(error(Catalog.INCIDENT_ERROR, s, at, viewId, url, incident));
                });
        effects.newErrors(
                s,
                t,
                rnd,
                incident -> {
                    // A bug that shipped with the release: a fingerprint no earlier release has.
                    long at =
                            loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
                    events.add(error(Catalog.RELEASE_ERROR, s, at, viewId, url, incident));
                });

        // At page hide: layout shift over the whole view, responsiveness if there was input.
        double cls =
                rnd.nextDouble() < 0.55
                        ? rnd.nextDouble() * 0.02
                        : rnd.lognormal(0.06, 0.9) * (s.device.equals("desktop") ? 1 : 1.3);
        ActiveIncident clsRegression = effects.vitalRegression(s, route, "CLS", t);
        if (clsRegression != null) cls *= clsRegression.truth.magnitude();
        events.add(vital("CLS", cls, viewEnd, viewId, url, index(clsRegression)));
        if (clicks > 0) {
            double inp = rnd.lognormal(route.spec.inpMs, 0.6) * s.deviceFactor;
            ActiveIncident inpRegression = effects.vitalRegression(s, route, "INP", t);
            if (inpRegression != null) inp *= inpRegression.truth.magnitude();
            events.add(vital("INP", inp, viewEnd, viewId, url, index(inpRegression)));
        }

        events.sort(Comparator.comparingLong(SimEvent::time));
        return gap;
    }

    /** The last view's events, in time order. */
    List<SimEvent> events() {
        return events;
    }

    private static int index(ActiveIncident in) {
        return in == null ? -1 : in.index;
    }

    private SimEvent.Fetch fetch(
            SimSession s,
            SimApp.Route route,
            long at,
            long viewStart,
            String viewId,
            String url,
            double latencyFactor,
            int latencyIncident) {
        String id = rnd.uuid();
        String api = rnd.pick(route.apis);
        int space = api.indexOf(' ');
        sb.setLength(0);
        sb.append("https://").append(s.app.apiHost);
        urls.fill(sb, api.substring(space + 1));
        String target = sb.toString();
        String method = api.substring(0, space);
        String traceId = rnd.hex(16) + rnd.hex(16);
        String spanId = rnd.hex(16);
        int status;
        double duration;
        int incident = latencyIncident;
        ActiveIncident failing = effects.apiFailure(s, route, api, viewStart);
        if (failing != null && rnd.nextDouble() < failing.truth.magnitude()) {
            // The endpoint answers with a server error (a timeout would be status 0, which the
            // failures below already include); its latency is the failing call's.
            status = SERVER_ERRORS[rnd.nextInt(SERVER_ERRORS.length)];
            duration = rnd.lognormal(400, 0.8) * latencyFactor;
            incident = failing.index;
        } else if (rnd.nextDouble() < behaviour.fetchFailureRate) {
            status = FAILURES[rnd.nextInt(FAILURES.length)];
            if (status == 0) {
                // aborted or timed out on the client: not a server latency
                duration = rnd.lognormal(8000, 0.8);
                incident = -1;
            } else {
                duration = rnd.lognormal(400, 0.8) * latencyFactor;
            }
        } else {
            status = method.equals("POST") ? 201 : rnd.nextInt(20) == 0 ? 304 : 200;
            duration = rnd.lognormal(140, 0.7) * latencyFactor;
        }
        // The backend's time, from the call's own stream (ServerTimes): the main stream draws
        // exactly what it drew before backends existed. A call aborted on the client (status 0)
        // or sent to an uninstrumented backend has no server span.
        double serverMs = Double.NaN;
        if (status != 0 && s.app.service(api) != null) {
            serverMs = duration * ServerTimes.share(ServerTimes.seed(spanId));
            ActiveIncident slow = effects.backendSlow(s, route, api, viewStart);
            if (slow != null) {
                // The handler got slower: the browser waits exactly the server's extra time, the
                // network time is unchanged.
                double extra = serverMs * (slow.truth.magnitude() - 1);
                serverMs += extra;
                duration += extra;
                incident = slow.index;
            }
        }
        return new SimEvent.Fetch(
                at, id, viewId, url, incident, target, method, status, duration, traceId, spanId,
                api, serverMs);
    }

    /** CLS and INP are measured at page hide: only a vital regression is their incident. */
    private SimEvent.Vital vital(
            String name, double value, long time, String viewId, String url, int incident) {
        return new SimEvent.Vital(
                time,
                rnd.uuid(),
                viewId,
                url,
                incident,
                name,
                value,
                SimEvent.Vital.rating(name, value));
    }

    private SimEvent.Click click(
            long time, String viewId, String url, String[] target, boolean rageStart) {
        return new SimEvent.Click(time, rnd.uuid(), viewId, url, target[0], target[1], rageStart);
    }

    private SimEvent.JsError error(
            Catalog.ErrorKind kind, SimSession s, long at, String viewId, String url, int inc) {
        String id = rnd.uuid();
        String type = kind.types[s.engine];
        String message = kind.messages[s.engine];
        if (kind.numbered) {
            int number = kind == Catalog.ERRORS[2] ? 500 + rnd.nextInt(5) : 100 + rnd.nextInt(900);
            message = message.replace("{n}", Integer.toString(number));
        }
        String stack = Catalog.stack(kind, s.engine, s.app.spec.host, type, message);
        return new SimEvent.JsError(at, id, viewId, url, inc, type, message, stack);
    }
}
