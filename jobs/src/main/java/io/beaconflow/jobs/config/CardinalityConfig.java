package io.beaconflow.jobs.config;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;

/**
 * The {@code ingest.cardinality:} section: how many distinct values each dimension may take before
 * new ones fold into {@code other}, and how long browser-sent strings may be before they reach
 * state, a sketch key or an index. Every distinct value of a dimension becomes a metric series,
 * detector state and Elasticsearch documents; a browser can send any value, so each one is capped.
 * Routes have their own cap ({@code ingest.routes.max-per-app}). Limits are per parallel instance
 * of the enrichment operator (see docs/DISCUSSION.md, "Cardinality budgets").
 */
public class CardinalityConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_APPS = 100;
    public static final int DEFAULT_MAX_RELEASES_PER_APP = 50;
    public static final int DEFAULT_MAX_COUNTRIES_PER_APP = 250;
    public static final int DEFAULT_MAX_BROWSERS_PER_APP = 50;
    public static final int DEFAULT_MAX_OS_PER_APP = 50;
    public static final int DEFAULT_MAX_DEVICES_PER_APP = 20;
    public static final int DEFAULT_MAX_BROWSER_VERSIONS_PER_APP = 100;
    public static final int DEFAULT_MAX_ENDPOINTS_PER_APP = 300;
    public static final int DEFAULT_MAX_VARIANTS_PER_APP = 200;
    public static final int DEFAULT_MAX_EXPERIMENTS_PER_EVENT = 10;
    public static final int DEFAULT_MAX_VALUE_LENGTH = 128;
    public static final int DEFAULT_MAX_TEXT_LENGTH = 2048;

    /** Distinct apps (all apps together); new apps beyond fold into {@code other}. */
    public int maxApps = DEFAULT_MAX_APPS;

    public int maxReleasesPerApp = DEFAULT_MAX_RELEASES_PER_APP;
    public int maxCountriesPerApp = DEFAULT_MAX_COUNTRIES_PER_APP;
    public int maxBrowsersPerApp = DEFAULT_MAX_BROWSERS_PER_APP;
    public int maxOsPerApp = DEFAULT_MAX_OS_PER_APP;
    public int maxDevicesPerApp = DEFAULT_MAX_DEVICES_PER_APP;

    /** Distinct browser + major version pairs ({@code Chrome 131}) per app. */
    public int maxBrowserVersionsPerApp = DEFAULT_MAX_BROWSER_VERSIONS_PER_APP;

    /** Distinct API endpoints ({@code GET /api/orders/:id}) per app. */
    public int maxEndpointsPerApp = DEFAULT_MAX_ENDPOINTS_PER_APP;

    /** Distinct {@code experiment=variant} pairs per app. */
    public int maxVariantsPerApp = DEFAULT_MAX_VARIANTS_PER_APP;

    /** Experiments kept per event (the first ones by name); the rest are dropped and counted. */
    public int maxExperimentsPerEvent = DEFAULT_MAX_EXPERIMENTS_PER_EVENT;

    /** Longest dimension value (app, release, country, browser, experiment names ...). */
    public int maxValueLength = DEFAULT_MAX_VALUE_LENGTH;

    /** Longest free text (URLs, user agent, error message and stack, action target ...). */
    public int maxTextLength = DEFAULT_MAX_TEXT_LENGTH;

    /** Adds every problem of the {@code ingest.cardinality:} section. */
    void check(ConfigProblems p) {
        String k = "ingest.cardinality.";
        p.notBelow(k + "max-apps", maxApps, 1, "e.g. 100");
        p.notBelow(k + "max-releases-per-app", maxReleasesPerApp, 1, "e.g. 50");
        p.notBelow(k + "max-countries-per-app", maxCountriesPerApp, 1, "e.g. 250");
        p.notBelow(k + "max-browsers-per-app", maxBrowsersPerApp, 1, "e.g. 50");
        p.notBelow(k + "max-os-per-app", maxOsPerApp, 1, "e.g. 50");
        p.notBelow(k + "max-devices-per-app", maxDevicesPerApp, 1, "e.g. 20");
        p.notBelow(k + "max-browser-versions-per-app", maxBrowserVersionsPerApp, 1, "e.g. 100");
        p.notBelow(k + "max-endpoints-per-app", maxEndpointsPerApp, 1, "e.g. 300");
        p.notBelow(k + "max-variants-per-app", maxVariantsPerApp, 1, "e.g. 200");
        p.notBelow(k + "max-experiments-per-event", maxExperimentsPerEvent, 1, "e.g. 10");
        // "other" must fit, and a value cut shorter than that says nothing.
        p.notBelow(k + "max-value-length", maxValueLength, 16, "e.g. 128");
        p.notBelow(k + "max-text-length", maxTextLength, maxValueLength, "e.g. 2048");
    }
}
