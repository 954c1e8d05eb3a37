package io.beaconflow.jobs.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.beaconflow.config.ConfigException;
import io.beaconflow.config.ConfigProblems;
import io.beaconflow.config.ConfigYaml;
import io.beaconflow.config.Durations;
import io.beaconflow.config.KeyLines;
import io.beaconflow.jobs.compare.ComparisonsConfig;
import io.beaconflow.jobs.detection.DetectionConfig;
import io.beaconflow.jobs.errors.ErrorGroupsConfig;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.webhook.WebhookConfig;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.sessions.SessionConfig;
import io.beaconflow.jobs.traces.TracesConfig;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The job's own configuration ({@code flink-conf/beaconflow.yaml}), typed and validated in one
 * place. Keys are kebab-case; unknown keys are errors (a typo must not silently fall back to a
 * default); durations are written {@code 30s}, {@code 5m}, {@code 4h}.
 */
public class BeaconflowConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public IngestConfig ingest = new IngestConfig();
    public KafkaConfig kafka = new KafkaConfig();
    public SessionConfig sessions = new SessionConfig();
    public MetricsConfig metrics = new MetricsConfig();
    public DetectionConfig detection = new DetectionConfig();
    public ErrorGroupsConfig errors = new ErrorGroupsConfig();
    public ComparisonsConfig comparisons = new ComparisonsConfig();
    public NotificationsConfig notifications = new NotificationsConfig();
    public TracesConfig traces = new TracesConfig();

    /** The {@code elasticsearch:} section: where and how the Elasticsearch sink writes. */
    public ElasticsearchSinkConfig elasticsearch = ElasticsearchSinkConfig.DEFAULTS;

    /** The Elasticsearch sink config of this file (checked with the rest when it was loaded). */
    public ElasticsearchSinkConfig elasticsearchSinkConfig(String source) {
        return elasticsearch;
    }

    /** The {@code notifications:} section; no webhook configured means no notifications. */
    public static class NotificationsConfig implements Serializable {
        private static final long serialVersionUID = 1L;

        public WebhookConfig webhook;
    }

    /** The environment variable the shipped config file reads the user-id salt from. */
    public static final String SALT_ENV = "BEACONFLOW_USER_ID_SALT";

    /**
     * The public salt of the demo, bench and tests. Public means a hashed user id can be reversed
     * by hashing candidate ids with it, so the production job refuses it ({@link
     * #requireProductionSecrets}).
     */
    public static final String DEMO_SALT = "beaconflow-demo-salt";

    /** Salts that were shipped in this repository at some point: all public. */
    static final List<String> PUBLIC_SALTS = List.of(DEMO_SALT, "compose-demo-salt-change-me");

    /**
     * {@code env} with {@link #DEMO_SALT} for {@link #SALT_ENV} when it is not set: for the demo
     * and the bench, which run on synthetic users and must work without any setup.
     */
    public static Function<String, String> withDemoSalt(Function<String, String> env) {
        return name -> {
            String v = env.apply(name);
            return SALT_ENV.equals(name) && (v == null || v.isBlank()) ? DEMO_SALT : v;
        };
    }

    /**
     * Checks that hold for the production job only: the user-id salt must be a secret, never one of
     * the public salts of the demo (a salted hash with a known salt is reversible by trying
     * candidate ids).
     */
    public void requireProductionSecrets(String source) {
        ConfigProblems.check(
                source,
                p ->
                        p.require(
                                !PUBLIC_SALTS.contains(ingest.privacy.userIdSalt),
                                "ingest.privacy.user-id-salt",
                                "is the public demo salt '"
                                        + ingest.privacy.userIdSalt
                                        + "': hashed user ids could be reversed by anyone",
                                IngestConfig.SALT_FIX));
    }

    /** Defaults, with a demo salt: good for tests and the demo, not for production. */
    public static BeaconflowConfig defaults() {
        BeaconflowConfig c = new BeaconflowConfig();
        c.ingest.privacy.userIdSalt = DEMO_SALT;
        // Tests run from a module folder: find the repo's spec file upwards from there.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path specs = dir.resolve(DetectionConfig.DEFAULT_SPECS_FILE);
            if (Files.isRegularFile(specs)) {
                c.detection.specsFile = specs.toString();
                break;
            }
        }
        return c;
    }

    public static BeaconflowConfig load(Path file) {
        return load(file, System::getenv);
    }

    /** {@link #load(Path)} with {@code env} resolving {@code ${VAR}} references. */
    public static BeaconflowConfig load(Path file, Function<String, String> env) {
        BeaconflowConfig config = parse(ConfigYaml.readFile(file), file.toString(), env);
        // A relative spec file is relative to the repo layout: flink-conf/ is the config's folder.
        Path specs = Path.of(config.detection.specsFile);
        if (!specs.isAbsolute() && !Files.exists(specs)) {
            Path besideConfig =
                    file.toAbsolutePath().getParent().getParent() == null
                            ? specs
                            : file.toAbsolutePath().getParent().getParent().resolve(specs);
            config.detection.specsFile = besideConfig.toString();
        }
        return config;
    }

    /**
     * Parses and validates config text. {@code env} resolves {@code ${VAR}} / {@code
     * ${VAR:default}} references (a parameter so tests need not touch the real environment).
     */
    public static BeaconflowConfig parse(String yaml, String source, Function<String, String> env) {
        String expanded = ConfigYaml.expand(yaml, source, env);
        BeaconflowConfig config = ConfigYaml.read(expanded, source, BeaconflowConfig.class, "");
        boolean metricsLatenessSet;
        try {
            metricsLatenessSet =
                    ConfigYaml.MAPPER.readTree(expanded).path("metrics").has("allowed-lateness");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("read once already: " + e.getMessage(), e);
        }
        if (config == null) {
            config = new BeaconflowConfig();
            metricsLatenessSet = false;
        }
        if (!metricsLatenessSet && config.metrics != null && config.ingest != null) {
            // One rule, two owners: unless set explicitly, windows accept what the router accepts.
            config.metrics.allowedLateness = config.ingest.allowedLateness;
        }
        if (config.detection != null && config.metrics != null) {
            // The detectors score the metric windows: same size, same lateness (not user keys).
            config.detection.window = config.metrics.window;
            config.detection.allowedLateness = config.metrics.allowedLateness;
        }
        config.validate(source, KeyLines.of(expanded, ""));
        return config;
    }

    public void validate(String source) {
        validate(source, KeyLines.NONE);
    }

    /**
     * Checks every section and throws one {@link ConfigException} naming every problem found, each
     * with {@code source}, its line (from {@code lines}), its key and its fix.
     */
    public void validate(String source, KeyLines lines) {
        ConfigProblems p = new ConfigProblems(source, lines);
        String fix = "remove the key or give its settings";
        if (p.section("ingest", ingest, fix)) ingest.check(p);
        if (p.section("kafka", kafka, fix)) kafka.check(p);
        if (p.section("sessions", sessions, fix)) sessions.check(p);
        if (p.section("metrics", metrics, fix)) metrics.check(p);
        if (p.section("detection", detection, fix)) detection.check(p);
        if (p.section("errors", errors, fix)) errors.check(p);
        if (p.section("comparisons", comparisons, fix)) {
            comparisons.check(p, metrics == null ? null : metrics.window);
        }
        if (p.section("traces", traces, fix)) traces.check(p);
        if (elasticsearch == null) {
            elasticsearch = ElasticsearchSinkConfig.DEFAULTS;
        }
        elasticsearch.check(p);
        if (notifications != null && notifications.webhook != null) {
            notifications.webhook.check(p);
        }
        // An event the router lets through must be counted by its window: the two lateness
        // bounds are one rule, kept in two sections only because each stage owns its config.
        if (metrics != null
                && ingest != null
                && metrics.allowedLateness != null
                && ingest.allowedLateness != null
                && !metrics.allowedLateness.equals(ingest.allowedLateness)) {
            p.add(
                    "metrics.allowed-lateness",
                    "differs from ingest.allowed-lateness ("
                            + Durations.format(metrics.allowedLateness)
                            + " vs "
                            + Durations.format(ingest.allowedLateness)
                            + "): events accepted as on time would be dropped by their window",
                    "remove metrics.allowed-lateness, or set both to the same duration");
        }
        p.throwIfAny();
    }
}
