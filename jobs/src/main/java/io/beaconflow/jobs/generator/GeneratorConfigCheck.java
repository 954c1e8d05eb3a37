package io.beaconflow.jobs.generator;

import static io.beaconflow.jobs.generator.GeneratorConfig.BROWSER_FAMILIES;
import static io.beaconflow.jobs.generator.GeneratorConfig.DEFAULT_START;
import static io.beaconflow.jobs.generator.GeneratorConfig.DEVICES;
import static io.beaconflow.jobs.generator.GeneratorConfig.DIMENSIONS;
import static io.beaconflow.jobs.generator.GeneratorConfig.INCIDENT_KINDS;
import static io.beaconflow.jobs.generator.GeneratorConfig.MAX_SPEED;
import static io.beaconflow.jobs.generator.GeneratorConfig.NETWORK_TYPES;
import static io.beaconflow.jobs.generator.GeneratorConfig.PLACEHOLDERS;
import static io.beaconflow.jobs.generator.GeneratorConfig.REGRESSABLE_VITALS;
import static io.beaconflow.jobs.generator.GeneratorConfig.UNBOUNDED;
import static io.beaconflow.jobs.generator.GeneratorConfig.parseDuration;

import io.beaconflow.config.ConfigProblems;
import io.beaconflow.jobs.generator.GeneratorConfig.AppSpec;
import io.beaconflow.jobs.generator.GeneratorConfig.BehaviourSpec;
import io.beaconflow.jobs.generator.GeneratorConfig.RealismSpec;
import io.beaconflow.jobs.generator.GeneratorConfig.ReleaseSpec;
import io.beaconflow.jobs.generator.GeneratorConfig.RouteSpec;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every check of a generator config and its incidents, on the config kit: each problem is added to
 * {@link ConfigProblems} with its key as written in the file ({@code apps[1].sample_rate}), so it
 * is reported with the file, its line, the key and the fix, all problems of a file in one message.
 * Kept apart from {@link GeneratorConfig} so that class reads as the file's shape.
 */
final class GeneratorConfigCheck {
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final GeneratorConfig c;

    private GeneratorConfigCheck(GeneratorConfig c) {
        this.c = c;
    }

    /** Adds the problems of the generator file to {@code p}, of its incidents to {@code inc}. */
    static void check(GeneratorConfig c, ConfigProblems p, ConfigProblems inc) {
        GeneratorConfigCheck check = new GeneratorConfigCheck(c);
        check.top(p);
        check.incidents(inc);
    }

    private void top(ConfigProblems p) {
        instant(p, "start", c.start);
        if (!UNBOUNDED.equalsIgnoreCase(String.valueOf(c.duration))) {
            positiveDuration(p, "duration", c.duration, "e.g. 2h, PT90M or 'unbounded'");
        }
        try {
            p.require(
                    parseDuration(c.warmStart) >= 0,
                    "warm_start",
                    "'" + c.warmStart + "' is negative",
                    "0s or e.g. 1h");
        } catch (IllegalArgumentException | NullPointerException e) {
            p.add("warm_start", "'" + c.warmStart + "' is not a duration", "0s or e.g. 1h");
        }
        speed(p);
        p.require(
                c.splits >= 1 && c.splits <= 1024,
                "splits",
                c.splits + " out of range",
                "an integer in 1..1024 (default 4)");
        if (c.apps == null || c.apps.isEmpty()) {
            p.add("apps", "no app configured", "add at least one entry under 'apps:'");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < c.apps.size(); i++) {
                app(p, "apps[" + i + "]", c.apps.get(i), names);
            }
        }
        weights(p, "browsers", c.browsers, BROWSER_FAMILIES);
        weights(p, "devices", c.devices, DEVICES);
        weights(p, "networks", c.networks, NETWORK_TYPES);
        weights(p, "countries", c.countries, null);
        if (c.countries != null) {
            for (String country : c.countries.keySet()) {
                p.require(
                        COUNTRY.matcher(country).matches(),
                        "countries." + country,
                        "not an ISO 3166-1 alpha-2 code",
                        "e.g. DE");
            }
        }
        profile(p, "daily_profile", c.dailyProfile, 24);
        profile(p, "weekly_profile", c.weeklyProfile, 7);
        if (p.section("behaviour", c.behaviour, "restore the 'behaviour:' section")) {
            behaviour(p, c.behaviour);
        }
        if (p.section("realism", c.realism, "restore the 'realism:' section")) {
            realism(p, c.realism);
        }
    }

    private void speed(ConfigProblems p) {
        if (c.speed == null) {
            p.add("speed", "missing", "'max' or a positive number of simulated seconds per second");
        } else if (!MAX_SPEED.equalsIgnoreCase(c.speed.trim())) {
            try {
                double s = Double.parseDouble(c.speed.trim());
                p.require(
                        s >= 0 && !Double.isInfinite(s),
                        "speed",
                        c.speed + " is negative",
                        "'max', 0 or a positive number");
            } catch (NumberFormatException e) {
                p.add("speed", "'" + c.speed + "' is not a number", "'max' or e.g. 60");
            }
        }
    }

    private static void behaviour(ConfigProblems p, BehaviourSpec b) {
        range(p, "behaviour.mean_views_per_session", b.meanViewsPerSession, 1, 1000);
        range(p, "behaviour.median_view_seconds", b.medianViewSeconds, 0.5, 1200);
        range(p, "behaviour.clicks_per_view", b.clicksPerView, 0, 100);
        probability(p, "behaviour.error_rate_per_view", b.errorRatePerView);
        probability(p, "behaviour.fetch_failure_rate", b.fetchFailureRate);
        probability(p, "behaviour.rage_click_rate", b.rageClickRate);
        probability(p, "behaviour.long_session_rate", b.longSessionRate);
        probability(p, "behaviour.idle_resume_rate", b.idleResumeRate);
        probability(p, "behaviour.anonymous_rate", b.anonymousRate);
        range(p, "behaviour.users_per_app", b.usersPerApp, 1, 1e9);
    }

    private static void realism(ConfigProblems p, RealismSpec r) {
        probability(p, "realism.single_event_rate", r.singleEventRate);
        probability(p, "realism.clock_skew_rate", r.clockSkewRate);
        positiveDuration(p, "realism.max_clock_skew", r.maxClockSkew, "e.g. 45m");
        positiveDuration(p, "realism.batch_window", r.batchWindow, "e.g. 5s");
        positiveDuration(p, "realism.max_batch_delay", r.maxBatchDelay, "e.g. 4s");
        range(p, "realism.max_batch_events", r.maxBatchEvents, 1, 1000);
        probability(p, "realism.duplicate_rate", r.duplicateRate);
        probability(p, "realism.late_rate", r.lateRate);
        positiveDuration(p, "realism.max_late_delay", r.maxLateDelay, "e.g. 3h");
        probability(p, "realism.malformed_rate", r.malformedRate);
        probability(p, "realism.bot_rate", r.botRate);
    }

    /**
     * A name that must be given and unique among {@code seen} (which it joins): "missing" with
     * {@code example}, or "'name' is used twice" with "make {@code what} unique".
     */
    private static void unique(
            ConfigProblems p,
            String key,
            String name,
            Set<String> seen,
            String example,
            String what) {
        if (name == null || name.isBlank()) {
            p.add(key, "missing", example);
        } else if (!seen.add(name)) {
            p.add(key, "'" + name + "' is used twice", "make " + what + " unique");
        }
    }

    private static void app(ConfigProblems p, String key, AppSpec app, Set<String> names) {
        if (app == null) {
            p.add(key, "empty entry", "remove it or fill in name, host, routes");
            return;
        }
        unique(p, key + ".name", app.name, names, "a short app name such as shop-web", "app names");
        p.require(
                app.host != null && !app.host.isBlank() && !app.host.contains("/"),
                key + ".host",
                "missing or contains '/'",
                "a host name like shop.example.com");
        try {
            ZoneId.of(app.timeZone);
        } catch (DateTimeException | NullPointerException e) {
            p.add(key + ".time_zone", "'" + app.timeZone + "' unknown", "an IANA zone id");
        }
        range(p, key + ".sessions_per_hour", app.sessionsPerHour, 0, 1e8);
        p.require(
                app.sampleRate > 0 && app.sampleRate <= 1,
                key + ".sample_rate",
                app.sampleRate + " not in (0, 1]",
                "e.g. 1 or 0.25");
        if (app.releases == null || app.releases.isEmpty()) {
            p.add(key + ".releases", "empty", "list at least one {version, weight}");
        } else {
            for (int i = 0; i < app.releases.size(); i++) {
                ReleaseSpec r = app.releases.get(i);
                String rk = key + ".releases[" + i + "]";
                if (r == null || r.version == null || r.version.isBlank()) {
                    p.add(rk + ".version", "missing", "e.g. shop-web@2.3.1");
                } else {
                    range(p, rk + ".weight", r.weight, 1e-9, 1e9);
                }
            }
        }
        if (app.experiments != null) {
            for (Map.Entry<String, List<String>> e : app.experiments.entrySet()) {
                p.require(
                        e.getValue() != null && !e.getValue().isEmpty(),
                        key + ".experiments." + e.getKey(),
                        "no variants",
                        "list them");
            }
        }
        if (app.routes == null || app.routes.isEmpty()) {
            p.add(key + ".routes", "empty", "list at least one route with a path");
            return;
        }
        for (int i = 0; i < app.routes.size(); i++) {
            route(p, key + ".routes[" + i + "]", app.routes.get(i));
        }
        backends(p, key, app);
    }

    /**
     * {@code backends}: path prefix to service name. A prefix must answer at least one of the app's
     * API calls: a typo would otherwise silently leave its calls without spans.
     */
    private static void backends(ConfigProblems p, String key, AppSpec app) {
        if (app.backends == null) return;
        for (Map.Entry<String, String> e : app.backends.entrySet()) {
            String prefix = e.getKey();
            String bk = key + ".backends." + prefix;
            if (prefix == null || !prefix.startsWith("/") || prefix.contains(" ")) {
                p.add(
                        bk,
                        "not an API path prefix",
                        "a path starting with '/', without spaces, e.g. /api/v2/cart");
                continue;
            }
            String service = e.getValue();
            p.require(
                    service != null && SERVICE.matcher(service).matches(),
                    bk,
                    "service '" + service + "' is not a service name",
                    "letters, digits, '.', '_' or '-', at most 128 chars, e.g. cart-api");
            boolean used = false;
            for (RouteSpec r : app.routes) {
                if (r == null || r.apis == null) continue;
                for (String api : r.apis) {
                    if (api != null && SimApp.backendOf(Map.of(prefix, "x"), api.trim()) != null) {
                        used = true;
                    }
                }
            }
            p.require(
                    used,
                    bk,
                    "matches no API call of the app",
                    "use a path prefix of one of apps[].routes[].apis, e.g. /api/v2/cart");
        }
    }

    private static void route(ConfigProblems p, String rk, RouteSpec r) {
        if (r == null || r.path == null || !r.path.startsWith("/")) {
            p.add(rk + ".path", "missing or not starting with '/'", "e.g. /product/{id}");
            return;
        }
        placeholders(p, rk + ".path", r.path);
        range(p, rk + ".weight", r.weight, 1e-9, 1e9);
        range(p, rk + ".ttfb_ms", r.ttfbMs, 1, 60_000);
        range(p, rk + ".lcp_ms", r.lcpMs, 1, 120_000);
        range(p, rk + ".inp_ms", r.inpMs, 1, 60_000);
        range(p, rk + ".fetches_per_view", r.fetchesPerView, 0, 100);
        if (r.apis == null) return;
        for (int j = 0; j < r.apis.size(); j++) {
            String api = r.apis.get(j);
            String[] parts = api == null ? new String[0] : api.trim().split(" ", 2);
            if (parts.length != 2 || !parts[1].startsWith("/")) {
                p.add(
                        rk + ".apis[" + j + "]",
                        "'" + api + "' is not 'METHOD /path'",
                        "'GET /api/items/{id}'");
            } else {
                placeholders(p, rk + ".apis[" + j + "]", parts[1]);
            }
        }
    }

    private static void placeholders(ConfigProblems p, String key, String template) {
        var m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            p.require(
                    PLACEHOLDERS.contains(m.group(1)),
                    key,
                    "unknown placeholder {" + m.group(1) + "}",
                    "use one of " + PLACEHOLDERS.stream().sorted().toList());
        }
    }

    // ---------------------------------------------------------------- incidents

    private void incidents(ConfigProblems p) {
        if (c.incidents == null) return;
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < c.incidents.size(); i++) {
            IncidentSpec in = c.incidents.get(i);
            String key = "incidents[" + i + "]";
            if (in == null) {
                p.add(key, "empty entry", "remove it");
                continue;
            }
            unique(p, key + ".id", in.id, ids, "a unique id such as checkout-latency", "ids");
            p.require(
                    INCIDENT_KINDS.contains(in.kind),
                    key + ".kind",
                    "'" + in.kind + "' is not a kind",
                    "one of " + INCIDENT_KINDS);
            AppSpec app = appNamed(in.app);
            p.require(
                    app != null,
                    key + ".app",
                    "'" + in.app + "' is not a configured app",
                    "one of " + appNames());
            if (!DIMENSIONS.contains(in.dimension)) {
                p.add(
                        key + ".dimension",
                        "'" + in.dimension + "' is not a dimension",
                        "one of " + DIMENSIONS);
            } else if (("traffic_drop".equals(in.kind) || "partial_outage".equals(in.kind))
                    && "route".equals(in.dimension)) {
                p.add(
                        key + ".dimension",
                        in.kind + " acts on whole sessions",
                        "use browser, country or release");
            }
            kindKeys(p, key, in, app);
            variant(p, key, in, app);
            p.require(
                    !"new_error".equals(in.kind)
                            || (in.release != null
                                    && !in.release.isBlank()
                                    && "release".equals(in.dimension)
                                    && in.release.equals(in.value)),
                    key,
                    "new_error comes with a rollout",
                    "set release, and dimension: release with value equal to it");
            value(p, key, in, app);
            start(p, key, in);
            positiveDuration(p, key + ".duration", in.duration, "e.g. 40m");
            magnitude(p, key, in);
        }
    }

    private static void value(ConfigProblems p, String key, IncidentSpec in, AppSpec app) {
        if (in.value == null || in.value.isBlank()) {
            p.add(key + ".value", "missing", "the route template, browser, country or release");
        } else if ("route".equals(in.dimension) && app != null && app.routes != null) {
            boolean found = false;
            for (RouteSpec r : app.routes) {
                if (r != null && in.value.equals(r.path)) found = true;
            }
            p.require(
                    found,
                    key + ".value",
                    "route '" + in.value + "' is not a path of app " + in.app,
                    "copy a path from apps[].routes");
        } else if ("browser".equals(in.dimension)) {
            p.require(
                    BROWSER_FAMILIES.contains(in.value),
                    key + ".value",
                    "browser '" + in.value + "' is not simulated",
                    "one of " + BROWSER_FAMILIES);
        } else if ("country".equals(in.dimension)) {
            p.require(
                    COUNTRY.matcher(in.value).matches(),
                    key + ".value",
                    "country '" + in.value + "' is not an ISO code",
                    "an ISO code such as DE");
        }
    }

    private void start(ConfigProblems p, String key, IncidentSpec in) {
        if (in.start == null) {
            p.add(key + ".start", "missing", "an offset from the run start (30m) or an instant");
            return;
        }
        try {
            c.incidentStartMillis(in);
        } catch (IllegalArgumentException e) {
            p.add(
                    key + ".start",
                    "'" + in.start + "' " + e.getMessage(),
                    "e.g. 30m, PT30M or 2026-11-02T08:30:00Z");
        }
    }

    private static void magnitude(ConfigProblems p, String key, IncidentSpec in) {
        String k = key + ".magnitude";
        if (in.magnitude == null) {
            p.add(k, "missing", "see the comment in the incidents file");
        } else if ("latency_regression".equals(in.kind)
                || "vital_regression".equals(in.kind)
                || "latency_drift".equals(in.kind)
                || "variant_regression".equals(in.kind)
                || "backend_slow".equals(in.kind)) {
            range(p, k, in.magnitude, 1.0001, 1000);
        } else if ("traffic_drop".equals(in.kind)) {
            range(p, k, in.magnitude, 0, 0.9999);
        } else if ("error_spike".equals(in.kind)
                || "api_failure".equals(in.kind)
                || "partial_outage".equals(in.kind)
                || "new_error".equals(in.kind)) {
            range(p, k, in.magnitude, 1e-6, 1);
        }
    }

    /** {@code endpoint} belongs to api_failure and {@code vital} to vital_regression, only. */
    private static void kindKeys(ConfigProblems p, String key, IncidentSpec in, AppSpec app) {
        if ("api_failure".equals(in.kind) || "backend_slow".equals(in.kind)) {
            if (in.endpoint == null || in.endpoint.isBlank()) {
                p.add(
                        key + ".endpoint",
                        "missing",
                        "an API call of the app exactly as in apps[].routes[].apis, e.g. \"GET"
                                + " /api/v2/cart/{uuid}\"");
            } else if (app != null && app.routes != null) {
                p.require(
                        hasEndpoint(in, app),
                        key + ".endpoint",
                        "'"
                                + in.endpoint
                                + "' is not an API call of "
                                + ("route".equals(in.dimension)
                                        ? "route " + in.value + " of app " + in.app
                                        : "app " + in.app),
                        "copy one from apps[].routes[].apis");
                if ("backend_slow".equals(in.kind) && hasEndpoint(in, app)) {
                    p.require(
                            SimApp.backendOf(app.backends, in.endpoint.trim()) != null,
                            key + ".endpoint",
                            "'"
                                    + in.endpoint
                                    + "' is answered by no backend of app "
                                    + in.app
                                    + ", so it has no server time to slow down",
                            "add a path prefix of it to apps[].backends");
                }
            }
        } else if (in.endpoint != null) {
            p.add(key + ".endpoint", "only for kinds api_failure and backend_slow", "remove it");
        }
        if ("vital_regression".equals(in.kind)) {
            p.require(
                    REGRESSABLE_VITALS.contains(in.vital),
                    key + ".vital",
                    "'" + in.vital + "' cannot regress",
                    "one of " + REGRESSABLE_VITALS);
        } else if (in.vital != null) {
            p.add(key + ".vital", "only for kind vital_regression", "remove it");
        }
    }

    private static boolean hasEndpoint(IncidentSpec in, AppSpec app) {
        for (RouteSpec r : app.routes) {
            if (r == null || r.apis == null) continue;
            if ("route".equals(in.dimension) && !r.path.equals(in.value)) continue;
            for (String api : r.apis) {
                if (api != null && api.trim().equals(in.endpoint.trim())) return true;
            }
        }
        return false;
    }

    /**
     * variant_regression and the variant dimension go together: the value names one variant of one
     * of the app's experiments, {@code experiment=variant}.
     */
    private static void variant(ConfigProblems p, String key, IncidentSpec in, AppSpec app) {
        boolean kind = "variant_regression".equals(in.kind);
        boolean dimension = "variant".equals(in.dimension);
        if (kind != dimension) {
            p.add(
                    key + ".dimension",
                    "variant_regression and dimension: variant go together",
                    "kind variant_regression with dimension variant, or another dimension");
            return;
        }
        if (!kind || in.value == null || app == null) return;
        int eq = in.value.indexOf('=');
        List<String> variants =
                eq > 0 && app.experiments != null
                        ? app.experiments.get(in.value.substring(0, eq))
                        : null;
        p.require(
                variants != null && variants.contains(in.value.substring(eq + 1)),
                key + ".value",
                "'" + in.value + "' is not experiment=variant of app " + in.app,
                "one of apps[].experiments, e.g. checkout_flow=one_page");
    }

    private AppSpec appNamed(String name) {
        AppSpec found = null;
        if (c.apps != null) {
            for (AppSpec a : c.apps) {
                if (a != null && a.name != null && a.name.equals(name)) found = a;
            }
        }
        return found;
    }

    private List<String> appNames() {
        List<String> names = new ArrayList<>();
        if (c.apps != null) for (AppSpec a : c.apps) if (a != null) names.add(a.name);
        return names;
    }

    // ---------------------------------------------------------------- shared checks

    private static void instant(ConfigProblems p, String key, String value) {
        try {
            Instant.parse(value);
        } catch (DateTimeException | NullPointerException e) {
            p.add(key, "'" + value + "' is not an ISO-8601 instant", "e.g. " + DEFAULT_START);
        }
    }

    private static void positiveDuration(ConfigProblems p, String key, String value, String hint) {
        try {
            p.require(parseDuration(value) > 0, key, "'" + value + "' must be positive", hint);
        } catch (IllegalArgumentException | NullPointerException e) {
            p.add(key, "'" + value + "' " + e.getMessage(), hint);
        }
    }

    private static void probability(ConfigProblems p, String key, double v) {
        range(p, key, v, 0, 1);
    }

    private static void range(ConfigProblems p, String key, double v, double min, double max) {
        p.require(
                v >= min && v <= max,
                key,
                v + " out of range",
                "a number in [" + min + ", " + max + "]");
    }

    private static void weights(
            ConfigProblems p, String key, Map<String, Double> weights, List<String> allowed) {
        if (weights == null || weights.isEmpty()) {
            p.add(key, "empty", "give at least one name: weight pair");
            return;
        }
        double sum = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            String k = key + "." + e.getKey();
            p.require(
                    allowed == null || allowed.contains(e.getKey()),
                    k,
                    "unknown name",
                    "one of " + allowed);
            Double w = e.getValue();
            if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                p.add(k, "weight " + w, "a number >= 0");
            } else {
                sum += w;
            }
        }
        p.require(sum > 0, key, "all weights are 0", "give at least one positive weight");
    }

    private static void profile(ConfigProblems p, String key, List<Double> values, int size) {
        if (values == null || values.size() != size) {
            p.add(key, "needs exactly " + size + " numbers", "list " + size + " multipliers");
            return;
        }
        double max = 0;
        for (int i = 0; i < size; i++) {
            Double v = values.get(i);
            if (v == null || !(v >= 0) || Double.isInfinite(v)) {
                p.add(key + "[" + i + "]", String.valueOf(v), "a number >= 0");
            } else {
                max = Math.max(max, v);
            }
        }
        p.require(max > 0, key, "all zero", "at least one multiplier > 0");
    }
}
