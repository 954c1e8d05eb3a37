package io.beaconflow.jobs.generator;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.beaconflow.config.ConfigException;
import io.beaconflow.config.ConfigProblems;
import io.beaconflow.config.ConfigYaml;
import io.beaconflow.config.KeyLines;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Typed configuration of the synthetic traffic generator, loaded from {@code
 * flink-conf/generator.yaml} (every key is documented there) plus an optional incidents file.
 *
 * <p>Loading is strict: unknown keys, wrong types and out-of-range values are rejected with a
 * {@link ConfigException} that names the file, the key (and line where known) and the fix. The
 * object is {@link Serializable} because it travels inside the Flink source; it is treated as
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
                    "variant_regression",
                    "backend_slow");

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

        /**
         * The backend services that answer the app's API calls: API path prefix ({@code
         * /api/v2/cart}) to the {@code service.name} of its server spans; the longest matching
         * prefix wins. Every call a service answered (status not 0) gets a SERVER span, written to
         * the server-spans topic as the collector would ({@link ServerSpanTraffic}); a call no
         * prefix matches went to an uninstrumented backend and has none. Empty: no spans.
         */
        public Map<String, String> backends = new LinkedHashMap<>();

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

    /** Where each key of the generator file is; not kept by copies (they report without lines). */
    @JsonIgnore private transient KeyLines lines = KeyLines.NONE;

    /** The incidents file, for messages about incidents: null when they came from code. */
    @JsonIgnore public String incidentsSourceName;

    @JsonIgnore private transient KeyLines incidentLines = KeyLines.NONE;

    /**
     * Loads and validates a generator file and the incidents file it names (relative to its own
     * directory).
     */
    public static GeneratorConfig load(Path file) {
        String text = ConfigYaml.readFile(file);
        GeneratorConfig config = parse(text, file.toString(), GeneratorConfig.class);
        config.sourceName = file.toString();
        config.lines = KeyLines.of(text, "");
        if (config.incidentsFile != null && !config.incidentsFile.isBlank()) {
            Path parent = file.toAbsolutePath().getParent();
            Path incidentsPath = parent.resolve(config.incidentsFile);
            if (!Files.isRegularFile(incidentsPath)) {
                ConfigProblems p = new ConfigProblems(config.sourceName, config.lines);
                p.add(
                        "incidents_file",
                        "'"
                                + config.incidentsFile
                                + "' resolves to "
                                + incidentsPath
                                + ", which does not exist",
                        "give a path relative to " + parent + " or leave it empty");
                p.throwIfAny();
            }
            String incidents = ConfigYaml.readFile(incidentsPath);
            config.incidents = incidentsFromYaml(incidents, incidentsPath.toString());
            config.incidentsSourceName = incidentsPath.toString();
            config.incidentLines = KeyLines.of(incidents, "");
        }
        config.validate();
        return config;
    }

    /** Parses generator YAML text without an incidents file and validates it. */
    public static GeneratorConfig fromYaml(String yaml, String sourceName) {
        GeneratorConfig config = parse(yaml, sourceName, GeneratorConfig.class);
        config.sourceName = sourceName;
        config.lines = KeyLines.of(yaml, "");
        config.validate();
        return config;
    }

    /** Reads an incidents file ({@code incidents: [...]}); checked when a config validates. */
    public static List<IncidentSpec> loadIncidents(Path file) {
        return incidentsFromYaml(ConfigYaml.readFile(file), file.toString());
    }

    public static List<IncidentSpec> incidentsFromYaml(String yaml, String sourceName) {
        IncidentsFile parsed = parse(yaml, sourceName, IncidentsFile.class);
        if (parsed.incidents == null) {
            throw new ConfigException(
                    sourceName
                            + ": incidents: missing. Fix: add a top-level 'incidents:' list (may be"
                            + " [])");
        }
        return parsed.incidents;
    }

    /** Top level of an incidents file. */
    public static class IncidentsFile {
        public List<IncidentSpec> incidents;

        public IncidentsFile() {}
    }

    /** The kit's binding with snake_case keys; an empty file is an error, not all defaults. */
    private static <C> C parse(String yaml, String sourceName, Class<C> type) {
        C parsed = ConfigYaml.read(ConfigYaml.SNAKE_CASE_MAPPER, yaml, sourceName, type, "");
        if (parsed == null) {
            throw new ConfigException(sourceName + ": the file is empty. Fix: add the keys");
        }
        return parsed;
    }

    // ---------------------------------------------------------------- validation

    public static final Set<String> PLACEHOLDERS =
            Set.of("id", "uuid", "hash", "sha", "email", "slug", "token", "step");

    /**
     * Checks every key ({@link GeneratorConfigCheck}); throws one {@link ConfigException} listing
     * all problems found, each with its file, line, key and fix.
     */
    public void validate() {
        ConfigProblems p = new ConfigProblems(sourceName, lines == null ? KeyLines.NONE : lines);
        ConfigProblems inc =
                incidentsSourceName == null
                        ? p
                        : new ConfigProblems(
                                incidentsSourceName,
                                incidentLines == null ? KeyLines.NONE : incidentLines);
        GeneratorConfigCheck.check(this, p, inc);
        if (inc != p) inc.all().forEach(p::addReported);
        p.throwIfAny();
    }

    // ---------------------------------------------------------------- typed accessors

    /**
     * Parses {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 250ms} or ISO-8601 ({@code
     * PT30M}) into millis.
     */
    public static long parseDuration(String value) {
        return io.beaconflow.config.Durations.parse(value).toMillis();
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
        return with(c -> c.duration = newDuration);
    }

    public GeneratorConfig withStart(String newStart) {
        return with(c -> c.start = newStart);
    }

    public GeneratorConfig withSpeed(String newSpeed) {
        return with(c -> c.speed = newSpeed);
    }

    public GeneratorConfig withSplits(int newSplits) {
        return with(c -> c.splits = newSplits);
    }

    public GeneratorConfig withIncidents(List<IncidentSpec> newIncidents) {
        return with(
                c -> {
                    c.incidents = new ArrayList<>(newIncidents);
                    c.incidentsSourceName = null;
                });
    }

    /**
     * This config with the incidents of {@code file} ({@code incidents: [...]}) instead of its own;
     * a problem with one of them is reported against that file and line, not the generator's.
     */
    public GeneratorConfig withIncidents(Path file) {
        String text = ConfigYaml.readFile(file);
        return with(
                c -> {
                    c.incidents = new ArrayList<>(incidentsFromYaml(text, file.toString()));
                    c.incidentsSourceName = file.toString();
                    c.incidentLines = KeyLines.of(text, "");
                });
    }

    /** A copy changed by {@code change}, then validated: every {@code with*} method. */
    private GeneratorConfig with(Consumer<GeneratorConfig> change) {
        GeneratorConfig c = copy();
        change.accept(c);
        c.validate();
        return c;
    }
}
