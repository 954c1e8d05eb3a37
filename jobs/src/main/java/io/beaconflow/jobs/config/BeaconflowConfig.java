package io.beaconflow.jobs.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.beaconflow.jobs.detection.DetectionConfig;
import io.beaconflow.jobs.errors.ErrorGroupsConfig;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.webhook.WebhookConfig;
import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.sessions.SessionConfig;
import io.beaconflow.jobs.traces.TracesConfig;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
    public NotificationsConfig notifications = new NotificationsConfig();
    public TracesConfig traces = new TracesConfig();

    /**
     * The {@code elasticsearch:} section, flat or nested keys (see {@link
     * ElasticsearchSinkConfig#KEYS}); read with {@link #elasticsearchSinkConfig(String)}.
     */
    public Map<String, Object> elasticsearch = new LinkedHashMap<>();

    /** The typed Elasticsearch sink config of this file (validated when the file is loaded). */
    public ElasticsearchSinkConfig elasticsearchSinkConfig(String source) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", elasticsearch, flat);
        return ElasticsearchSinkConfig.fromProperties(flat, source);
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> in, Map<String, String> out) {
        for (Map.Entry<String, Object> e : in.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue() instanceof Map) {
                flatten(key, (Map<String, Object>) e.getValue(), out);
            } else if (e.getValue() instanceof List) {
                List<String> parts = new java.util.ArrayList<>();
                for (Object o : (List<Object>) e.getValue()) parts.add(String.valueOf(o));
                out.put(key, String.join(",", parts));
            } else if (e.getValue() != null) {
                out.put(key, String.valueOf(e.getValue()));
            }
        }
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
        if (PUBLIC_SALTS.contains(ingest.privacy.userIdSalt)) {
            throw ConfigException.invalid(
                    source,
                    "ingest.privacy.user-id-salt",
                    "is the public demo salt '"
                            + ingest.privacy.userIdSalt
                            + "': hashed user ids could be reversed by anyone",
                    IngestConfig.SALT_FIX);
        }
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
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(
                    file + ": cannot be read (" + e.getMessage() + "). Fix: check the path", e);
        }
        BeaconflowConfig config = parse(text, file.toString(), env);
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
        BeaconflowConfig config;
        boolean metricsLatenessSet;
        try {
            String expanded = expand(yaml, source, env);
            config = MAPPER.readValue(expanded, BeaconflowConfig.class);
            metricsLatenessSet = MAPPER.readTree(expanded).path("metrics").has("allowed-lateness");
        } catch (UnrecognizedPropertyException e) {
            String known =
                    e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw new ConfigException(
                    source + line(e) + ": unknown key '" + path(e) + "'. Fix: use one of: " + known,
                    e);
        } catch (InvalidFormatException e) {
            throw new ConfigException(
                    source
                            + line(e)
                            + ": "
                            + path(e)
                            + ": '"
                            + e.getValue()
                            + "' is not a valid "
                            + describe(e.getTargetType())
                            + ". Fix: "
                            + fixFor(e.getTargetType()),
                    e);
        } catch (JsonMappingException e) {
            throw new ConfigException(
                    source
                            + line(e)
                            + ": "
                            + path(e)
                            + ": "
                            + e.getOriginalMessage()
                            + ". Fix: check the value's type against the commented example file",
                    e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    source
                            + line(e)
                            + ": not valid YAML: "
                            + e.getOriginalMessage()
                            + ". Fix: check indentation and quoting",
                    e);
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
        config.validate(source);
        return config;
    }

    public void validate(String source) {
        if (ingest == null) {
            throw ConfigException.invalid(
                    source, "ingest", "must be a section", "remove the key or give its settings");
        }
        ingest.validate(source);
        if (kafka == null) {
            throw ConfigException.invalid(
                    source, "kafka", "must be a section", "remove the key or give its settings");
        }
        kafka.validate(source);
        if (sessions == null) {
            throw ConfigException.invalid(
                    source, "sessions", "must be a section", "remove the key or give its settings");
        }
        sessions.validate(source);
        if (metrics == null) {
            throw ConfigException.invalid(
                    source, "metrics", "must be a section", "remove the key or give its settings");
        }
        metrics.validate(source);
        if (detection == null) {
            throw ConfigException.invalid(
                    source,
                    "detection",
                    "must be a section",
                    "remove the key or give its settings");
        }
        detection.validate(source);
        if (errors == null) {
            throw ConfigException.invalid(
                    source, "errors", "must be a section", "remove the key or give its settings");
        }
        errors.validate(source);
        if (traces == null) {
            throw ConfigException.invalid(
                    source, "traces", "must be a section", "remove the key or give its settings");
        }
        traces.validate(source);
        if (elasticsearch == null) {
            elasticsearch = new LinkedHashMap<>();
        }
        elasticsearchSinkConfig(source);
        if (notifications != null && notifications.webhook != null) {
            notifications.webhook.validate(source);
        }
        // An event the router lets through must be counted by its window: the two lateness
        // bounds are one rule, kept in two sections only because each stage owns its config.
        if (!metrics.allowedLateness.equals(ingest.allowedLateness)) {
            throw ConfigException.invalid(
                    source,
                    "metrics.allowed-lateness",
                    "differs from ingest.allowed-lateness ("
                            + Durations.format(metrics.allowedLateness)
                            + " vs "
                            + Durations.format(ingest.allowedLateness)
                            + "): events accepted as on time would be dropped by their window",
                    "remove metrics.allowed-lateness, or set both to the same duration");
        }
    }

    private static final Pattern ENV_REF =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    /** Expands environment references, except in comment lines (they document the syntax). */
    static String expand(String text, String source, Function<String, String> env) {
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            if (line.stripLeading().startsWith("#")) {
                out.append(line);
                continue;
            }
            Matcher m = ENV_REF.matcher(line);
            while (m.find()) {
                String value = env.apply(m.group(1));
                if (value == null) {
                    value = m.group(2);
                }
                if (value == null) {
                    throw new ConfigException(
                            source
                                    + ": environment variable "
                                    + m.group(1)
                                    + " is referenced but not set. Fix: export it, or write ${"
                                    + m.group(1)
                                    + ":default}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
        }
        return out.toString();
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String describe(Class<?> type) {
        if (type == Duration.class) return "duration";
        if (type.isEnum()) return "choice";
        return type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String fixFor(Class<?> type) {
        if (type == Duration.class) return "write a number and a unit, e.g. 30s, 5m, 4h";
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("use one of:");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(java.util.Locale.ROOT));
            }
            return b.toString();
        }
        return "write a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static final ObjectMapper MAPPER = newMapper();

    private static ObjectMapper newMapper() {
        SimpleModule durations = new SimpleModule("beaconflow-durations");
        durations.addDeserializer(
                Duration.class,
                new JsonDeserializer<>() {
                    @Override
                    public Duration deserialize(JsonParser p, DeserializationContext ctx)
                            throws IOException {
                        String text = p.getValueAsString();
                        try {
                            return Durations.parse(text);
                        } catch (IllegalArgumentException e) {
                            throw InvalidFormatException.from(
                                    p, e.getMessage(), text, Duration.class);
                        }
                    }
                });
        return JsonMapper.builder(new YAMLFactory())
                // A key written with no value (a section holding only comments, as the shipped
                // file's notifications: does) means "the default", never null: every field's
                // initializer stays.
                .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .addModule(durations)
                .build();
    }
}
