package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.generator.ActiveIncident.Kind;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * What the configured incidents do to sessions and views, and how many events or sessions each
 * affected (the ground truth the demo and evaluation compare alerts with). Each query walks the
 * incidents in file order and draws from the random stream only where the incident applies, in the
 * same order as the rest of the simulation.
 */
final class IncidentEffects {
    final ActiveIncident[] incidents;
    final long[] affected;

    IncidentEffects(List<IncidentTruth> truths, SimApp[] apps) {
        incidents = new ActiveIncident[truths.size()];
        for (int i = 0; i < incidents.length; i++) {
            IncidentTruth t = truths.get(i);
            SimApp app = null;
            for (SimApp a : apps) if (a.spec.name.equals(t.app())) app = a;
            incidents[i] = new ActiveIncident(i, t, app);
        }
        affected = new long[incidents.length];
    }

    void count(int incident) {
        affected[incident]++;
    }

    /** The release of a release-bound incident in force at t (the rollout), or {@code release}. */
    String release(SimApp app, long t, String release) {
        for (ActiveIncident in : incidents) {
            if (in.app == app && in.truth.release() != null && in.truth.contains(t)) {
                release = in.truth.release();
            }
        }
        return release;
    }

    /**
     * Whether a traffic drop keeps this new session from starting (counted as affected): it loses a
     * share (1 − magnitude) of the sessions that start in its segment.
     */
    boolean dropsNewSession(SimSession s, long t, Rng rnd) {
        for (ActiveIncident in : incidents) {
            if (in.active(Kind.TRAFFIC, s.app, t)
                    && in.matchesSession(s)
                    && rnd.nextDouble() >= in.truth.magnitude()) {
                affected[in.index]++;
                return true;
            }
        }
        return false;
    }

    /** Latency multiplier and the incident behind it (last one wins), for one view. */
    record Latency(double factor, int incident) {}

    Latency latency(SimSession s, SimApp.Route route, long t, double factor) {
        int incident = -1;
        for (ActiveIncident in : incidents) {
            if (in.active(Kind.LATENCY, s.app, t) && in.matchesView(s, route)) {
                factor *= in.truth.magnitude();
                incident = in.index;
            } else if (in.active(Kind.DRIFT, s.app, t) && in.matchesView(s, route)) {
                // A slow drift: 1x at the window's start, growing linearly to magnitude x at its
                // end (a leak or a filling cache), then back to normal.
                factor *= in.driftFactor(t);
                incident = in.index;
            } else if (in.active(Kind.VARIANT, s.app, t) && in.matchesSession(s)) {
                // variant_regression: the variant's whole page (timings, vitals, fetches) slower.
                factor *= in.truth.magnitude();
                incident = in.index;
            }
        }
        return new Latency(factor, incident);
    }

    /**
     * Calls {@code hit} with the index of each error incident that puts an error on this view: an
     * error_spike with probability magnitude, a partial_outage on every view of the sessions it
     * hits (a share chosen by session id, so the random stream is not consumed to choose them).
     * {@code hit} draws the error itself, between this method's draws.
     */
    void errors(SimSession s, SimApp.Route route, long t, Rng rnd, IntConsumer hit) {
        for (ActiveIncident in : incidents) {
            if (in.active(Kind.ERRORS, s.app, t)
                    && in.matchesView(s, route)
                    && rnd.nextDouble() < in.truth.magnitude()) {
                hit.accept(in.index);
            } else if (in.active(Kind.OUTAGE, s.app, t)
                    && in.matchesSession(s)
                    && in.hitsSession(s)) {
                hit.accept(in.index);
            }
        }
    }

    /**
     * Calls {@code hit} with the index of each new_error incident that puts its new error on this
     * view: views of sessions running its release, inside its window, with probability magnitude.
     * Draws only when such an incident is in force, so other runs keep their random stream.
     */
    void newErrors(SimSession s, long t, Rng rnd, IntConsumer hit) {
        for (ActiveIncident in : incidents) {
            if (in.active(Kind.NEW_ERROR, s.app, t)
                    && in.truth.release().equals(s.release)
                    && rnd.nextDouble() < in.truth.magnitude()) {
                hit.accept(in.index);
            }
        }
    }

    /**
     * The traffic drop whose window holds {@code t} and that cuts this session off, or -1. A drop
     * loses a share (1 − magnitude) of new sessions where they start (sessions started inside the
     * window were drawn there), and the same share of the sessions already running (chosen by a
     * hash of the session id, so the random stream is not consumed): a regional outage or a blocked
     * script stops the next page view too, not only the next visit.
     */
    int outageHitting(SimSession s, long t) {
        for (ActiveIncident in : incidents) {
            if (in.active(Kind.TRAFFIC, s.app, t)
                    && !in.truth.contains(s.startedAt)
                    && in.matchesSession(s)) {
                long h = Rng.mix(s.sessionId.hashCode() * 0x9E3779B97F4A7C15L + in.index);
                double u = (h >>> 11) * 0x1.0p-53;
                if (u >= in.truth.magnitude()) return in.index;
            }
        }
        return -1;
    }

    /** The api_failure in force for a call to {@code api} from this view, or null. */
    ActiveIncident apiFailure(SimSession s, SimApp.Route route, String api, long t) {
        return firstOnView(Kind.API, a -> a.endpoint, api, s, route, t);
    }

    /**
     * The backend_slow in force for a call to {@code api} from this view, or null (the first in
     * file order). Draws nothing: the extra time is a multiple of the call's server time, which
     * comes from the call's own stream ({@link ServerTimes}).
     */
    ActiveIncident backendSlow(SimSession s, SimApp.Route route, String api, long t) {
        return firstOnView(Kind.BACKEND, a -> a.endpoint, api, s, route, t);
    }

    /** The vital_regression of {@code vital} in force for this view, or null. */
    ActiveIncident vitalRegression(SimSession s, SimApp.Route route, String vital, long t) {
        return firstOnView(Kind.VITAL, a -> a.vital, vital, s, route, t);
    }

    /**
     * The first incident of {@code kind} in force for this view whose {@code target} (the endpoint
     * or vital it hits) is {@code value}, or null: the lookup of the API, backend and vital
     * incidents. Draws nothing.
     */
    private ActiveIncident firstOnView(
            Kind kind,
            Function<ActiveIncident, String> target,
            String value,
            SimSession s,
            SimApp.Route route,
            long t) {
        for (ActiveIncident in : incidents) {
            if (in.active(kind, s.app, t)
                    && target.apply(in).equals(value)
                    && in.matchesView(s, route)) {
                return in;
            }
        }
        return null;
    }
}
