package io.beaconflow.jobs.generator;

import java.io.Serializable;

/**
 * One scheduled incident as written in an incidents file ({@code flink-conf/incidents/*.yaml}).
 * Bound by Jackson (snake_case keys) and checked by {@link GeneratorConfig#validate}; the generator
 * turns it into an {@link IncidentTruth} with absolute times.
 */
public class IncidentSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Unique id, used in the ground truth and in {@link GenerationStats#incidentAffected()}. */
    public String id;

    /**
     * {@code latency_regression}, {@code error_spike}, {@code traffic_drop}, {@code api_failure},
     * {@code vital_regression}, {@code latency_drift}, {@code partial_outage}, {@code new_error},
     * {@code variant_regression} or {@code backend_slow}.
     */
    public String kind;

    /** Name of the app it hits (one of {@code apps[].name}). */
    public String app;

    /**
     * {@code route}, {@code browser}, {@code country} or {@code release}; {@code variant} (value
     * {@code experiment=variant}) for variant_regression, and only there.
     */
    public String dimension;

    /**
     * The dimension value: a route path template as configured (e.g. {@code /product/{id}}), a
     * browser family, a country code or a release string.
     */
    public String value;

    /**
     * Optional new release string rolled out to the app's sessions that start inside the window;
     * for a latency regression it means "the regression came with this release": only sessions on
     * it are slowed down.
     */
    public String release;

    /**
     * Absolute instant (ISO-8601) or an offset from the run's start ({@code 30m}, {@code PT30M}).
     */
    public String start;

    /** Length of the window ({@code 40m}, {@code PT40M}). */
    public String duration;

    /**
     * api_failure and backend_slow only: the API call, {@code "METHOD /path"} exactly as in the
     * app's {@code routes[].apis} (e.g. {@code "GET /api/v2/cart/{uuid}"}); a backend_slow's call
     * must be answered by one of the app's {@code backends}.
     */
    public String endpoint;

    /** vital_regression only: the one web vital that regresses, {@code INP} or {@code CLS}. */
    public String vital;

    /**
     * latency_regression: latency multiplier (&gt; 1, e.g. 3); error_spike: added error probability
     * per page view (0..1]; traffic_drop: share of sessions and of running sessions' page views
     * that still arrive ([0, 1), e.g. 0.2); api_failure: share of the endpoint's calls that fail
     * (0..1]; vital_regression: multiplier of the vital (&gt; 1); latency_drift: latency multiplier
     * reached at the end of the window, growing linearly from 1 at its start (&gt; 1);
     * partial_outage: share of sessions that get a JS error on every page view (0..1]; new_error:
     * probability per page view of a JS error never seen before, on the incident's release (0..1];
     * variant_regression: latency multiplier of the sessions on the variant (&gt; 1); backend_slow:
     * multiplier of the endpoint's server time (&gt; 1), the client waiting the same extra time.
     */
    public Double magnitude;

    public IncidentSpec() {}
}
