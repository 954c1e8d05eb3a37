package io.beaconflow.jobs.generator;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed configuration of the synthetic traffic generator, loaded from {@code
 * flink-conf/generator.yaml} (every key is documented there) plus an optional incidents file.
 *
 * <p>Loading is strict: unknown keys, wrong types and out-of-range values are rejected with a
 * {@link GeneratorConfigException} that names the file, the key (and line where known) and the fix.
 * The object is {@link Serializable} because it travels inside the Flink source; it is treated as
 * immutable once validated ({@code with*} methods return modified copies).
 */
public class GeneratorConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_START = "2026-11-02T08:00:00Z";
    public static final String DEFAULT_DURATION = "2h";
    public static final int DEFAULT_SPLITS = 4;
    public static final String UNBOUNDED = "unbounded";
    public static final String MAX_SPEED = "max";

    public static final List<String> BROWSER_FAMILIES =
            List.of("Chrome", "Safari", "Firefox", "Edge", "Samsung Internet");
    public static final List<String> DEVICES = List.of("desktop", "mobile", "tablet");
    public static final List<String> NETWORK_TYPES =
            List.of("slow-2g", "2g", "3g", "4g", "5g", "wifi", "ethernet", "unknown");
    public static final List<String> INCIDENT_KINDS =
            List.of(
                    "latency_regression",
                    "error_spike",
                    "traffic_drop",
                    "api_failure",
                    "vital_regression",
                    "latency_drift",
                    "partial_outage",
                    "new_error",
                    "variant_regression");

    /** The vitals a vital_regression may move: the two no latency incident touches. */
    public static final List<String> REGRESSABLE_VITALS = List.of("INP", "CLS");

    public static final List<String> DIMENSIONS =
            List.of("route", "browser", "country", "release", "variant");

    /** Simulated start instant (ISO-8601, UTC). */
    public String start = DEFAULT_START;

    /** Simulated span of a bounded run ({@code 2h}, {@code PT2H}) or {@code unbounded}. */
    public String duration = DEFAULT_DURATION;

    /**
     * Simulated time the traffic runs before {@link #start} without being sent ({@code 1h}, {@code
     * 0s}): the run then opens on a site in steady state (sessions in progress, long visits under
     * way) instead of on an empty one whose traffic ramps up for an hour, which no real deployment
     * sees and which detectors would take for a trend.
     */
    public String warmStart = "0s";

    /** Simulated seconds per wall-clock second; {@code max} or {@code 0} = as fast as possible. */
    public String speed = MAX_SPEED;

    /** Number of independent generator partitions (Flink splits). */
    public int splits = DEFAULT_SPLITS;

    /** Incidents file, relative to the directory of this file; empty for none. */
    public String incidentsFile = "";

    public List<AppSpec> apps = new ArrayList<>();

    /** Browser family to weight (need not sum to 1). */
    public Map<String, Double> browsers = new LinkedHashMap<>();

    /** Device class to weight. */
    public Map<String, Double> devices = new LinkedHashMap<>();

    /** ISO 3166-1 alpha-2 country code to weight. */
    public Map<String, Double> countries = new LinkedHashMap<>();

    /** Network effective type to weight. */
    public Map<String, Double> networks = new LinkedHashMap<>();

    /** 24 traffic multipliers by local hour of day (00..23), in each app's time zone. */
    public List<Double> dailyProfile = new ArrayList<>();

    /** 7 traffic multipliers by local day of week, Monday first. */
    public List<Double> weeklyProfile = new ArrayList<>();

    public BehaviourSpec behaviour = new BehaviourSpec();

    public RealismSpec realism = new RealismSpec();

    /** Filled from {@link #incidentsFile} by {@link #load}, or set by {@link #withIncidents}. */
    @JsonIgnore public List<IncidentSpec> incidents = new ArrayList<>();

    /** Name of the file this came from, for error messages. */
    @JsonIgnore public String sourceName = "<generator config>";

    public GeneratorConfig() {}

    /** One monitored web app. */
    public static class AppSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        public String name;
        public String timeZone = "UTC";
        public String host;
        public String environment = "production";

        /** True sessions per hour (before sampling) when both profiles are at 1.0. */
        public double sessionsPerHour;

        /** Fraction of sessions the SDK keeps, in (0, 1]. */
        public double sampleRate = 1.0;

        public List<ReleaseSpec> releases = new ArrayList<>();

        /** Experiment name to its variants; each session gets one variant per experiment. */
        public Map<String, List<String>> experiments = new LinkedHashMap<>();

        public List<RouteSpec> routes = new ArrayList<>();

        /**
         * A single-page app: the first view of a session loads the document, every later one is a
         * route change ({@code page_view.navigation: route_change}) without TTFB, FCP or LCP.
         */
        public boolean spa = false;

        public AppSpec() {}
    }

    /** A release live before any incident rolls out a new one. */
    public static class ReleaseSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        public String version;
        public double weight = 1.0;

        public ReleaseSpec() {}
    }

    /** A route: its path template, popularity and latency medians. */
    public static class RouteSpec implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * Path template; placeholders {@code {id} {uuid} {hash} {sha} {email} {slug} {token}
         * {step}} are filled with concrete values per view.
         */
        public String path;

        public double weight = 1.0;
        public double ttfbMs = 200;
        public double lcpMs = 1800;
        public double inpMs = 120;
        public double fetchesPerView = 1.0;

        /** API calls made from this route, {@code "METHOD /path/{id}"}; templates as for path. */
        public List<String> apis = new ArrayList<>();

        public RouteSpec() {}
    }

    /** How users behave. */
    public static class BehaviourSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        public double meanViewsPerSession = 4.0;
        public double medianViewSeconds = 25.0;
        public double clicksPerView = 1.5;
        public double errorRatePerView = 0.02;
        public double fetchFailureRate = 0.015;
        public double rageClickRate = 0.02;
        public double longSessionRate = 0.02;
        public double idleResumeRate = 0.01;
        public double anonymousRate = 0.35;
        public int usersPerApp = 50_000;

        public BehaviourSpec() {}
    }

    /** Imperfections of real traffic that the ingest stage must handle. */
    public static class RealismSpec implements Serializable {
        private static final long serialVersionUID = 1L;
        public double singleEventRate = 0.05;
        public double clockSkewRate = 0.02;
        public String maxClockSkew = "45m";
        public String batchWindow = "5s";
        public String maxBatchDelay = "4s";
        public int maxBatchEvents = 20;
        public double duplicateRate = 0.01;
        public double lateRate = 0.005;
        public String maxLateDelay = "3h";
        public double malformedRate = 0.002;
        public double botRate = 0.03;

        public RealismSpec() {}
    }

    // ---------------------------------------------------------------- loading

    private static ObjectMapper yamlMapper() {
        return new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    /**
     * Loads and validates a generator file and the incidents file it names (relative to its own
     * directory).
     */
    public static GeneratorConfig load(Path file) {
        GeneratorConfig config = parse(readFile(file), file.toString(), GeneratorConfig.class);
        config.sourceName = file.toString();
        if (config.incidentsFile != null && !config.incidentsFile.isBlank()) {
            Path parent = file.toAbsolutePath().getParent();
            Path incidentsPath = parent.resolve(config.incidentsFile);
            if (!Files.isRegularFile(incidentsPath)) {
                throw new GeneratorConfigException(
                        file.toString(),
                        List.of(
                                "incidents_file: '"
                                        + config.incidentsFile
                                        + "' resolves to "
                                        + incidentsPath
                                        + ", which does not exist; fix: give a path relative to "
                                        + parent
                                        + " or leave it empty"));
            }
            config.incidents = loadIncidents(incidentsPath);
        }
        config.validate();
        return config;
    }

    /** Parses generator YAML text without an incidents file and validates it. */
    public static GeneratorConfig fromYaml(String yaml, String sourceName) {
        GeneratorConfig config = parse(yaml, sourceName, GeneratorConfig.class);
        config.sourceName = sourceName;
        config.validate();
        return config;
    }

    /** Reads an incidents file ({@code incidents: [...]}); checked when a config validates. */
    public static List<IncidentSpec> loadIncidents(Path file) {
        return incidentsFromYaml(readFile(file), file.toString());
    }

    public static List<IncidentSpec> incidentsFromYaml(String yaml, String sourceName) {
        IncidentsFile parsed = parse(yaml, sourceName, IncidentsFile.class);
        List<String> problems = new ArrayList<>();
        if (parsed == null || parsed.incidents == null) {
            problems.add("incidents: missing; fix: add a top-level 'incidents:' list (may be [])");
            throw new GeneratorConfigException(sourceName, problems);
        }
        return parsed.incidents;
    }

    /** Top level of an incidents file. */
    public static class IncidentsFile {
        public List<IncidentSpec> incidents;

        public IncidentsFile() {}
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new GeneratorConfigException(
                    file.toString(),
                    List.of("cannot read the file (" + e + "); fix: check the path"));
        }
    }

    private static <C> C parse(String yaml, String sourceName, Class<C> type) {
        try {
            C parsed = yamlMapper().readValue(yaml, type);
            if (parsed == null) {
                throw new GeneratorConfigException(
                        sourceName, List.of("<root>: the file is empty; fix: add the keys"));
            }
            return parsed;
        } catch (UnrecognizedPropertyException e) {
            List<String> known = new ArrayList<>();
            for (Object id : e.getKnownPropertyIds()) {
                known.add(String.valueOf(id));
            }
            known.sort(null);
            throw new GeneratorConfigException(
                    sourceName,
                    List.of(
                            keyOf(e)
                                    + line(e.getLocation())
                                    + ": unknown key '"
                                    + e.getPropertyName()
                                    + "'; fix: remove it or use one of "
                                    + known));
        } catch (JsonMappingException e) {
            throw new GeneratorConfigException(
                    sourceName,
                    List.of(
                            keyOf(e)
                                    + line(e.getLocation())
                                    + ": "
                                    + e.getOriginalMessage().split("\n")[0]
                                    + "; fix: give a value of the documented type"));
        } catch (JsonProcessingException e) {
            throw new GeneratorConfigException(
                    sourceName,
                    List.of(
                            "<yaml>"
                                    + line(e.getLocation())
                                    + ": not valid YAML ("
                                    + e.getOriginalMessage().split("\n")[0]
                                    + "); fix: correct the syntax"));
        }
    }

    private static String keyOf(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (key.length() > 0) key.append('.');
                key.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            }
        }
        return key.length() == 0 ? "<root>" : key.toString();
    }

    private static String line(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ")";
    }

    // ---------------------------------------------------------------- validation

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    public static final Set<String> PLACEHOLDERS =
            Set.of("id", "uuid", "hash", "sha", "email", "slug", "token", "step");

    /** Checks every key; throws one exception listing all problems found. */
    public void validate() {
        List<String> p = new ArrayList<>();
        instant(p, "start", start);
        if (!UNBOUNDED.equalsIgnoreCase(String.valueOf(duration))) {
            positiveDuration(p, "duration", duration, "e.g. 2h, PT90M or 'unbounded'");
        }
        try {
            if (parseDuration(warmStart) < 0) {
                p.add("warm_start: '" + warmStart + "' is negative; fix: 0s or e.g. 1h");
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            p.add("warm_start: '" + warmStart + "' is not a duration; fix: 0s or e.g. 1h");
        }
        if (speed == null) {
            p.add(
                    "speed: missing; fix: 'max' or a positive number of simulated seconds per second");
        } else if (!MAX_SPEED.equalsIgnoreCase(speed.trim())) {
            try {
                double s = Double.parseDouble(speed.trim());
                if (!(s >= 0) || Double.isInfinite(s)) {
                    p.add("speed: " + speed + " is negative; fix: 'max', 0 or a positive number");
                }
            } catch (NumberFormatException e) {
                p.add("speed: '" + speed + "' is not a number; fix: 'max' or e.g. 60");
            }
        }
        if (splits < 1 || splits > 1024) {
            p.add("splits: " + splits + " out of range; fix: an integer in 1..1024 (default 4)");
        }
        if (apps == null || apps.isEmpty()) {
            p.add("apps: no app configured; fix: add at least one entry under 'apps:'");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < apps.size(); i++) {
                validateApp(p, "apps[" + i + "]", apps.get(i), names);
            }
        }
        weights(p, "browsers", browsers, BROWSER_FAMILIES);
        weights(p, "devices", devices, DEVICES);
        weights(p, "networks", networks, NETWORK_TYPES);
        weights(p, "countries", countries, null);
        if (countries != null) {
            for (String c : countries.keySet()) {
                if (!COUNTRY.matcher(c).matches()) {
                    p.add("countries." + c + ": not an ISO 3166-1 alpha-2 code; fix: e.g. DE");
                }
            }
        }
        profile(p, "daily_profile", dailyProfile, 24);
        profile(p, "weekly_profile", weeklyProfile, 7);
        if (behaviour == null) {
            p.add("behaviour: missing; fix: restore the 'behaviour:' section");
        } else {
            BehaviourSpec b = behaviour;
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
        if (realism == null) {
            p.add("realism: missing; fix: restore the 'realism:' section");
        } else {
            RealismSpec r = realism;
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
        validateIncidents(p);
        if (!p.isEmpty()) {
            throw new GeneratorConfigException(sourceName, p);
        }
    }

    private void validateApp(List<String> p, String key, AppSpec app, Set<String> names) {
        if (app == null) {
            p.add(key + ": empty entry; fix: remove it or fill in name, host, routes");
            return;
        }
        if (app.name == null || app.name.isBlank()) {
            p.add(key + ".name: missing; fix: a short app name such as shop-web");
        } else if (!names.add(app.name)) {
            p.add(key + ".name: '" + app.name + "' is used twice; fix: make app names unique");
        }
        if (app.host == null || app.host.isBlank() || app.host.contains("/")) {
            p.add(key + ".host: missing or contains '/'; fix: a host name like shop.example.com");
        }
        try {
            ZoneId.of(app.timeZone);
        } catch (DateTimeException | NullPointerException e) {
            p.add(key + ".time_zone: '" + app.timeZone + "' unknown; fix: an IANA zone id");
        }
        range(p, key + ".sessions_per_hour", app.sessionsPerHour, 0, 1e8);
        if (!(app.sampleRate > 0 && app.sampleRate <= 1)) {
            p.add(key + ".sample_rate: " + app.sampleRate + " not in (0, 1]; fix: e.g. 1 or 0.25");
        }
        if (app.releases == null || app.releases.isEmpty()) {
            p.add(key + ".releases: empty; fix: list at least one {version, weight}");
        } else {
            for (int i = 0; i < app.releases.size(); i++) {
                ReleaseSpec r = app.releases.get(i);
                String rk = key + ".releases[" + i + "]";
                if (r == null || r.version == null || r.version.isBlank()) {
                    p.add(rk + ".version: missing; fix: e.g. shop-web@2.3.1");
                } else {
                    range(p, rk + ".weight", r.weight, 1e-9, 1e9);
                }
            }
        }
        if (app.experiments != null) {
            for (Map.Entry<String, List<String>> e : app.experiments.entrySet()) {
                if (e.getValue() == null || e.getValue().isEmpty()) {
                    p.add(key + ".experiments." + e.getKey() + ": no variants; fix: list them");
                }
            }
        }
        if (app.routes == null || app.routes.isEmpty()) {
            p.add(key + ".routes: empty; fix: list at least one route with a path");
            return;
        }
        for (int i = 0; i < app.routes.size(); i++) {
            RouteSpec r = app.routes.get(i);
            String rk = key + ".routes[" + i + "]";
            if (r == null || r.path == null || !r.path.startsWith("/")) {
                p.add(rk + ".path: missing or not starting with '/'; fix: e.g. /product/{id}");
                continue;
            }
            placeholders(p, rk + ".path", r.path);
            range(p, rk + ".weight", r.weight, 1e-9, 1e9);
            range(p, rk + ".ttfb_ms", r.ttfbMs, 1, 60_000);
            range(p, rk + ".lcp_ms", r.lcpMs, 1, 120_000);
            range(p, rk + ".inp_ms", r.inpMs, 1, 60_000);
            range(p, rk + ".fetches_per_view", r.fetchesPerView, 0, 100);
            if (r.apis != null) {
                for (int j = 0; j < r.apis.size(); j++) {
                    String api = r.apis.get(j);
                    String[] parts = api == null ? new String[0] : api.trim().split(" ", 2);
                    if (parts.length != 2 || !parts[1].startsWith("/")) {
                        p.add(rk + ".apis[" + j + "]: '" + api + "'; fix: 'GET /api/items/{id}'");
                    } else {
                        placeholders(p, rk + ".apis[" + j + "]", parts[1]);
                    }
                }
            }
        }
    }

    private static void placeholders(List<String> p, String key, String template) {
        var m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                p.add(
                        key
                                + ": unknown placeholder {"
                                + m.group(1)
                                + "}; fix: use one of "
                                + PLACEHOLDERS.stream().sorted().toList());
            }
        }
    }

    private void validateIncidents(List<String> p) {
        if (incidents == null) return;
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < incidents.size(); i++) {
            IncidentSpec in = incidents.get(i);
            String key = "incidents[" + i + "]";
            if (in == null) {
                p.add(key + ": empty entry; fix: remove it");
                continue;
            }
            if (in.id == null || in.id.isBlank()) {
                p.add(key + ".id: missing; fix: a unique id such as checkout-latency");
            } else if (!ids.add(in.id)) {
                p.add(key + ".id: '" + in.id + "' is used twice; fix: make ids unique");
            }
            if (!INCIDENT_KINDS.contains(in.kind)) {
                p.add(key + ".kind: '" + in.kind + "'; fix: one of " + INCIDENT_KINDS);
            }
            AppSpec app = null;
            if (apps != null) {
                for (AppSpec a : apps) {
                    if (a != null && a.name != null && a.name.equals(in.app)) app = a;
                }
            }
            if (app == null) {
                p.add(key + ".app: '" + in.app + "' is not a configured app; fix: " + appNames());
            }
            if (!DIMENSIONS.contains(in.dimension)) {
                p.add(key + ".dimension: '" + in.dimension + "'; fix: one of " + DIMENSIONS);
            } else if (("traffic_drop".equals(in.kind) || "partial_outage".equals(in.kind))
                    && "route".equals(in.dimension)) {
                p.add(
                        key
                                + ".dimension: "
                                + in.kind
                                + " acts on whole sessions; fix: use browser, country or release");
            }
            validateKindKeys(p, key, in, app);
            validateVariant(p, key, in, app);
            if ("new_error".equals(in.kind)
                    && (in.release == null
                            || in.release.isBlank()
                            || !"release".equals(in.dimension)
                            || !in.release.equals(in.value))) {
                p.add(
                        key
                                + ": new_error comes with a rollout; fix: set release, and"
                                + " dimension: release with value equal to it");
            }
            if (in.value == null || in.value.isBlank()) {
                p.add(
                        key
                                + ".value: missing; fix: the route template, browser, country or release");
            } else if ("route".equals(in.dimension) && app != null && app.routes != null) {
                boolean found = false;
                for (RouteSpec r : app.routes) {
                    if (r != null && in.value.equals(r.path)) found = true;
                }
                if (!found) {
                    p.add(
                            key
                                    + ".value: route '"
                                    + in.value
                                    + "' is not a path of app "
                                    + in.app
                                    + "; fix: copy a path from apps[].routes");
                }
            } else if ("browser".equals(in.dimension) && !BROWSER_FAMILIES.contains(in.value)) {
                p.add(key + ".value: browser '" + in.value + "'; fix: one of " + BROWSER_FAMILIES);
            } else if ("country".equals(in.dimension) && !COUNTRY.matcher(in.value).matches()) {
                p.add(key + ".value: country '" + in.value + "'; fix: an ISO code such as DE");
            }
            if (in.start == null) {
                p.add(
                        key
                                + ".start: missing; fix: an offset from the run start (30m) or an instant");
            } else {
                try {
                    incidentStartMillis(in);
                } catch (IllegalArgumentException e) {
                    p.add(
                            key
                                    + ".start: '"
                                    + in.start
                                    + "' "
                                    + e.getMessage()
                                    + "; fix: e.g. 30m, PT30M or 2026-11-02T08:30:00Z");
                }
            }
            positiveDuration(p, key + ".duration", in.duration, "e.g. 40m");
            if (in.magnitude == null) {
                p.add(key + ".magnitude: missing; fix: see the comment in the incidents file");
            } else if ("latency_regression".equals(in.kind)) {
                range(p, key + ".magnitude", in.magnitude, 1.0001, 1000);
            } else if ("error_spike".equals(in.kind)) {
                range(p, key + ".magnitude", in.magnitude, 1e-6, 1);
            } else if ("traffic_drop".equals(in.kind)) {
                range(p, key + ".magnitude", in.magnitude, 0, 0.9999);
            } else if ("api_failure".equals(in.kind)
                    || "partial_outage".equals(in.kind)
                    || "new_error".equals(in.kind)) {
                range(p, key + ".magnitude", in.magnitude, 1e-6, 1);
            } else if ("vital_regression".equals(in.kind)
                    || "latency_drift".equals(in.kind)
                    || "variant_regression".equals(in.kind)) {
                range(p, key + ".magnitude", in.magnitude, 1.0001, 1000);
            }
        }
    }

    /** {@code endpoint} belongs to api_failure and {@code vital} to vital_regression, only. */
    private static void validateKindKeys(List<String> p, String key, IncidentSpec in, AppSpec app) {
        if ("api_failure".equals(in.kind)) {
            if (in.endpoint == null || in.endpoint.isBlank()) {
                p.add(
                        key
                                + ".endpoint: missing; fix: an API call of the app exactly as in"
                                + " apps[].routes[].apis, e.g. \"GET /api/v2/cart/{uuid}\"");
            } else if (app != null && app.routes != null) {
                boolean found = false;
                for (RouteSpec r : app.routes) {
                    if (r == null || r.apis == null) continue;
                    if ("route".equals(in.dimension) && !r.path.equals(in.value)) continue;
                    for (String api : r.apis) {
                        if (api != null && api.trim().equals(in.endpoint.trim())) found = true;
                    }
                }
                if (!found) {
                    p.add(
                            key
                                    + ".endpoint: '"
                                    + in.endpoint
                                    + "' is not an API call of "
                                    + ("route".equals(in.dimension)
                                            ? "route " + in.value + " of app " + in.app
                                            : "app " + in.app)
                                    + "; fix: copy one from apps[].routes[].apis");
                }
            }
        } else if (in.endpoint != null) {
            p.add(key + ".endpoint: only for kind api_failure; fix: remove it");
        }
        if ("vital_regression".equals(in.kind)) {
            if (!REGRESSABLE_VITALS.contains(in.vital)) {
                p.add(key + ".vital: '" + in.vital + "'; fix: one of " + REGRESSABLE_VITALS);
            }
        } else if (in.vital != null) {
            p.add(key + ".vital: only for kind vital_regression; fix: remove it");
        }
    }

    /**
     * variant_regression and the variant dimension go together: the value names one variant of one
     * of the app's experiments, {@code experiment=variant}.
     */
    private static void validateVariant(List<String> p, String key, IncidentSpec in, AppSpec app) {
        boolean kind = "variant_regression".equals(in.kind);
        boolean dimension = "variant".equals(in.dimension);
        if (kind != dimension) {
            p.add(
                    key
                            + ".dimension: variant_regression and dimension: variant go together;"
                            + " fix: kind variant_regression with dimension variant, or another"
                            + " dimension");
            return;
        }
        if (!kind || in.value == null || app == null) return;
        int eq = in.value.indexOf('=');
        List<String> variants =
                eq > 0 && app.experiments != null
                        ? app.experiments.get(in.value.substring(0, eq))
                        : null;
        if (variants == null || !variants.contains(in.value.substring(eq + 1))) {
            p.add(
                    key
                            + ".value: '"
                            + in.value
                            + "' is not experiment=variant of app "
                            + in.app
                            + "; fix: one of apps[].experiments, e.g. checkout_flow=one_page");
        }
    }

    private List<String> appNames() {
        List<String> names = new ArrayList<>();
        if (apps != null) for (AppSpec a : apps) if (a != null) names.add(a.name);
        return names;
    }

    private static void instant(List<String> p, String key, String value) {
        try {
            Instant.parse(value);
        } catch (DateTimeException | NullPointerException e) {
            p.add(key + ": '" + value + "' is not an ISO-8601 instant; fix: e.g. " + DEFAULT_START);
        }
    }

    private static void positiveDuration(List<String> p, String key, String value, String hint) {
        try {
            if (parseDuration(value) <= 0) {
                p.add(key + ": '" + value + "' must be positive; fix: " + hint);
            }
        } catch (IllegalArgumentException e) {
            p.add(key + ": '" + value + "' " + e.getMessage() + "; fix: " + hint);
        }
    }

    private static void probability(List<String> p, String key, double v) {
        range(p, key, v, 0, 1);
    }

    private static void range(List<String> p, String key, double v, double min, double max) {
        if (!(v >= min && v <= max)) {
            p.add(key + ": " + v + " out of range; fix: a number in [" + min + ", " + max + "]");
        }
    }

    private static void weights(
            List<String> p, String key, Map<String, Double> weights, List<String> allowed) {
        if (weights == null || weights.isEmpty()) {
            p.add(key + ": empty; fix: give at least one name: weight pair");
            return;
        }
        double sum = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (allowed != null && !allowed.contains(e.getKey())) {
                p.add(key + "." + e.getKey() + ": unknown name; fix: one of " + allowed);
            }
            Double w = e.getValue();
            if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                p.add(key + "." + e.getKey() + ": weight " + w + "; fix: a number >= 0");
            } else {
                sum += w;
            }
        }
        if (!(sum > 0)) {
            p.add(key + ": all weights are 0; fix: give at least one positive weight");
        }
    }

    private static void profile(List<String> p, String key, List<Double> values, int size) {
        if (values == null || values.size() != size) {
            p.add(key + ": needs exactly " + size + " numbers; fix: list " + size + " multipliers");
            return;
        }
        double max = 0;
        for (int i = 0; i < size; i++) {
            Double v = values.get(i);
            if (v == null || !(v >= 0) || Double.isInfinite(v)) {
                p.add(key + "[" + i + "]: " + v + "; fix: a number >= 0");
            } else {
                max = Math.max(max, v);
            }
        }
        if (!(max > 0)) {
            p.add(key + ": all zero; fix: at least one multiplier > 0");
        }
    }

    // ---------------------------------------------------------------- typed accessors

    /**
     * Parses {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 250ms} or ISO-8601 ({@code
     * PT30M}) into millis.
     */
    public static long parseDuration(String value) {
        return io.beaconflow.jobs.config.Durations.parse(value).toMillis();
    }

    public long startMillis() {
        return Instant.parse(start).toEpochMilli();
    }

    public boolean bounded() {
        return !UNBOUNDED.equalsIgnoreCase(String.valueOf(duration).trim());
    }

    /** End of a bounded run (exclusive) or {@link Long#MAX_VALUE}. */
    /** Simulated time the traffic starts: {@link #startMillis()} minus {@code warm_start}. */
    public long warmStartMillis() {
        return startMillis() - parseDuration(warmStart);
    }

    public long endMillis() {
        return bounded() ? startMillis() + parseDuration(duration) : Long.MAX_VALUE;
    }

    /** Simulated seconds per wall second; 0 = unpaced. */
    public double speedFactor() {
        String s = speed.trim();
        return MAX_SPEED.equalsIgnoreCase(s) ? 0 : Double.parseDouble(s);
    }

    /** Absolute start of an incident: an instant, or an offset from {@link #startMillis()}. */
    long incidentStartMillis(IncidentSpec in) {
        String s = in.start.trim();
        if (s.length() > 4
                && Character.isDigit(s.charAt(0))
                && s.contains("T")
                && s.contains("-")) {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("is not an ISO-8601 instant");
            }
        }
        return startMillis() + parseDuration(s);
    }

    // ---------------------------------------------------------------- copies

    /** A deep copy; the {@code with*} methods modify the copy and validate it. */
    public GeneratorConfig copy() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(this);
            }
            try (ObjectInputStream in =
                    new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (GeneratorConfig) in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    public GeneratorConfig withDuration(String newDuration) {
        GeneratorConfig c = copy();
        c.duration = newDuration;
        c.validate();
        return c;
    }

    public GeneratorConfig withStart(String newStart) {
        GeneratorConfig c = copy();
        c.start = newStart;
        c.validate();
        return c;
    }

    public GeneratorConfig withSpeed(String newSpeed) {
        GeneratorConfig c = copy();
        c.speed = newSpeed;
        c.validate();
        return c;
    }

    public GeneratorConfig withSplits(int newSplits) {
        GeneratorConfig c = copy();
        c.splits = newSplits;
        c.validate();
        return c;
    }

    public GeneratorConfig withIncidents(List<IncidentSpec> newIncidents) {
        GeneratorConfig c = copy();
        c.incidents = new ArrayList<>(newIncidents);
        c.validate();
        return c;
    }
}
