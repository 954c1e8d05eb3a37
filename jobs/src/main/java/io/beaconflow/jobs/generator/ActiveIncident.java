package io.beaconflow.jobs.generator;

/** A configured incident bound to its app: which sessions and views it hits, and how hard. */
final class ActiveIncident {
    /** How an incident acts on traffic (one per {@code kind} of the incidents file). */
    enum Kind {
        LATENCY,
        ERRORS,
        TRAFFIC,
        API,
        VITAL,
        DRIFT,
        OUTAGE,
        NEW_ERROR,
        /** variant_regression: the sessions assigned one experiment variant are slower. */
        VARIANT,
        /** backend_slow: one endpoint's server time grows; the browser waits as much longer. */
        BACKEND;

        static Kind of(String kind) {
            switch (kind) {
                case "latency_regression":
                    return LATENCY;
                case "error_spike":
                    return ERRORS;
                case "api_failure":
                    return API;
                case "vital_regression":
                    return VITAL;
                case "latency_drift":
                    return DRIFT;
                case "partial_outage":
                    return OUTAGE;
                case "new_error":
                    return NEW_ERROR;
                case "variant_regression":
                    return VARIANT;
                case "backend_slow":
                    return BACKEND;
                default:
                    return TRAFFIC;
            }
        }
    }

    final int index;
    final IncidentTruth truth;
    final SimApp app;
    final Kind kind;

    /** api_failure, backend_slow: the call, as in {@code routes[].apis}; else null. */
    final String endpoint;

    /** vital_regression: INP or CLS; else null. */
    final String vital;

    ActiveIncident(int index, IncidentTruth truth, SimApp app) {
        this.index = index;
        this.truth = truth;
        this.app = app;
        this.kind = Kind.of(truth.kind());
        String e = null;
        String v = null;
        for (String m : truth.metrics()) {
            if (m.startsWith(IncidentTruth.ENDPOINT_PREFIX)) {
                e = m.substring(IncidentTruth.ENDPOINT_PREFIX.length());
            }
            if (kind == Kind.VITAL && m.startsWith(IncidentTruth.VITAL_PREFIX)) {
                v = m.substring(IncidentTruth.VITAL_PREFIX.length());
            }
        }
        this.endpoint = e;
        this.vital = v;
    }

    /** Of this kind, on this app, and in force at t. */
    boolean active(Kind k, SimApp a, long t) {
        return kind == k && app == a && truth.contains(t);
    }

    /** latency_drift: 1 at the window's start, rising linearly to the magnitude at its end. */
    double driftFactor(long t) {
        double progress =
                (t - truth.startMillis()) / (double) (truth.endMillis() - truth.startMillis());
        return 1 + (truth.magnitude() - 1) * Math.min(1, Math.max(0, progress));
    }

    /**
     * partial_outage: whether this session is among the share it hits, by a hash of the session id
     * (a session is hit on all its views or on none).
     */
    boolean hitsSession(SimSession s) {
        long h =
                Rng.mix(s.sessionId.hashCode() * 0xC2B2AE3D27D4EB4FL + index + 0x632BE59BD9B4E019L);
        return (h >>> 11) * 0x1.0p-53 < truth.magnitude();
    }

    boolean matchesSession(SimSession s) {
        switch (truth.dimension()) {
            case "browser":
                return truth.value().equals(s.family);
            case "country":
                return truth.value().equals(s.country);
            case "release":
                return truth.value().equals(s.release);
            case "variant":
                return s.assignments != null && s.assignments.contains(truth.value());
            default:
                return true;
        }
    }

    /** A view is hit if it is in the dimension and, when a release rolled out, runs it. */
    boolean matchesView(SimSession s, SimApp.Route route) {
        if (truth.release() != null && !truth.release().equals(s.release)) return false;
        if (truth.dimension().equals("route")) return truth.value().equals(route.path);
        return matchesSession(s);
    }
}
