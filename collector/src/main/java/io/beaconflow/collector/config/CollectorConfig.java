package io.beaconflow.collector.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The collector's configuration ({@code flink-conf/collector.yaml}), typed and validated in one
 * place like the job's: kebab-case keys, unknown keys are errors, every bad value names its key and
 * the fix, {@code ${VAR}} / {@code ${VAR:default}} read the environment (secrets, hosts).
 */
public class CollectorConfig {
    public static final String DEFAULT_LISTEN = "127.0.0.1:4318";
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** host:port to listen on; 127.0.0.1 by default so nothing is exposed by accident. */
    public String listen = DEFAULT_LISTEN;

    /** Event-loop threads; 0 = one per core. */
    public int ioThreads = 0;

    public Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    public KafkaSection kafka = new KafkaSection();
    public LimitsSection limits = new LimitsSection();
    public RateLimitSection rateLimit = new RateLimitSection();

    /** CIDRs of proxies whose X-Forwarded-For is believed; empty = use the socket address. */
    public List<String> trustedProxies = new ArrayList<>();

    public GeoipSection geoip = new GeoipSection();

    /** Accept events of apps not listed under {@code apps} (any origin, no key). */
    public boolean allowUnknownApps = false;

    public Map<String, AppSection> apps = new LinkedHashMap<>();

    /** The {@code kafka:} section. */
    public static class KafkaSection {
        public static final String DEFAULT_TOPIC = "rum-raw";
        public static final String DEFAULT_SERVER_SPANS_TOPIC = "rum-server-spans";
        public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;

        public String bootstrapServers = "127.0.0.1:9092";
        public String topic = DEFAULT_TOPIC;

        /**
         * Where server spans of authenticated backends go (the job's kafka.server-spans-topic): a
         * topic of its own, so the browser-event hot path never sees them.
         */
        public String serverSpansTopic = DEFAULT_SERVER_SPANS_TOPIC;

        /** How long a request waits for Kafka's ack before it is answered 503. */
        public Duration deliveryTimeout = Duration.ofSeconds(10);

        /** Largest record written; keep at or below the job's ingest.max-record-bytes. */
        public int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;

        /** Extra Kafka producer properties (security, compression); safety settings win. */
        public Map<String, String> properties = new LinkedHashMap<>();
    }

    /** The {@code limits:} section. */
    public static class LimitsSection {
        public int maxBodyBytes = 1024 * 1024;
        public int maxEventsPerRequest = 500;
        public long maxInFlightBytes = 64L * 1024 * 1024;
        public Duration retryAfter = Duration.ofSeconds(5);
    }

    /** The {@code rate-limit:} section: a token bucket per client IP. */
    public static class RateLimitSection {
        public double requestsPerSecond = 20;
        public int burst = 60;
        public int maxClients = 100_000;
    }

    /** The {@code geoip:} section. */
    public static class GeoipSection {
        /** Path to a GeoIP2 / GeoLite2 Country or City .mmdb file; empty = no country. */
        public String database = "";
    }

    /** One entry of {@code apps:}. */
    public static class AppSection {
        /** Origins (scheme://host[:port]) whose pages may send for this app; "*" = any. */
        public List<String> allowedOrigins = new ArrayList<>();

        /** When set, requests for this app must carry it (x-api-key header or /collect/KEY). */
        public String apiKey = "";

        /**
         * A secret held by this app's backend services (never by a page): OTLP exports carrying it
         * in the {@code x-beaconflow-backend-key} header have their SERVER spans written to the
         * server-spans topic for this app. Empty = server spans refused for this app.
         */
        public String backendKey = "";
    }

    public static CollectorConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(
                    file + ": cannot be read (" + e.getMessage() + "). Fix: check the path", e);
        }
        return parse(text, file.toString(), System::getenv);
    }

    public static CollectorConfig parse(String yaml, String source, Function<String, String> env) {
        CollectorConfig c;
        try {
            c = MAPPER.readValue(expand(yaml, source, env), CollectorConfig.class);
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
                            + (e.getTargetType() == Duration.class
                                    ? "duration. Fix: write a number and a unit, e.g. 250ms, 10s, 5m"
                                    : e.getTargetType().getSimpleName().toLowerCase()
                                            + ". Fix: write a "
                                            + e.getTargetType().getSimpleName().toLowerCase()),
                    e);
        } catch (JsonMappingException e) {
            throw new ConfigException(
                    source
                            + line(e)
                            + ": "
                            + path(e)
                            + ": "
                            + e.getOriginalMessage()
                            + ". Fix: check the value's type against flink-conf/collector.yaml",
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
        if (c == null) c = new CollectorConfig();
        c.validate(source);
        return c;
    }

    public void validate(String source) {
        hostPort(source);
        if (ioThreads < 0) bad(source, "io-threads", "is negative", "use 0 (one per core) or more");
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            bad(source, "shutdown-grace", "must be a duration >= 0", "write e.g. 10s");
        }
        if (kafka == null) bad(source, "kafka", "must be a section", "give its settings");
        if (kafka.bootstrapServers == null || kafka.bootstrapServers.isBlank()) {
            bad(
                    source,
                    "kafka.bootstrap-servers",
                    "is empty",
                    "write host:port[,host:port], or set BEACONFLOW_KAFKA_BOOTSTRAP");
        }
        if (kafka.topic == null || kafka.topic.isBlank()) {
            bad(
                    source,
                    "kafka.topic",
                    "is empty",
                    "write the raw topic the job reads, e.g. rum-raw");
        }
        if (kafka.serverSpansTopic == null
                || kafka.serverSpansTopic.isBlank()
                || kafka.serverSpansTopic.equals(kafka.topic)) {
            bad(
                    source,
                    "kafka.server-spans-topic",
                    "is empty or the same as kafka.topic",
                    "write the topic the job's kafka.server-spans-topic reads, e.g."
                            + " rum-server-spans");
        }
        if (kafka.deliveryTimeout == null || kafka.deliveryTimeout.toMillis() < 1000) {
            bad(
                    source,
                    "kafka.delivery-timeout",
                    "must be at least 1s",
                    "write e.g. 10s (a request waits this long for Kafka's ack)");
        }
        if (kafka.maxRecordBytes < 1024) {
            bad(
                    source,
                    "kafka.max-record-bytes",
                    "must be at least 1024",
                    "use the job's ingest.max-record-bytes (262144 by default)");
        }
        if (kafka.properties == null) kafka.properties = new LinkedHashMap<>();
        if (limits == null) bad(source, "limits", "must be a section", "give its settings");
        if (limits.maxBodyBytes < 1024) {
            bad(source, "limits.max-body-bytes", "must be at least 1024", "write e.g. 1048576");
        }
        if (limits.maxEventsPerRequest < 1 || limits.maxEventsPerRequest > 10_000) {
            bad(
                    source,
                    "limits.max-events-per-request",
                    "must be between 1 and 10000",
                    "write e.g. 500 (the job's ingest.max-batch-events)");
        }
        if (limits.maxInFlightBytes < limits.maxBodyBytes) {
            bad(
                    source,
                    "limits.max-in-flight-bytes",
                    "is smaller than limits.max-body-bytes",
                    "write e.g. 67108864 (64 MiB)");
        }
        if (limits.retryAfter == null || limits.retryAfter.toSeconds() < 1) {
            bad(source, "limits.retry-after", "must be at least 1s", "write e.g. 5s");
        }
        if (rateLimit == null) bad(source, "rate-limit", "must be a section", "give its settings");
        if (!(rateLimit.requestsPerSecond > 0)) {
            bad(
                    source,
                    "rate-limit.requests-per-second",
                    "must be > 0",
                    "write e.g. 20 (per client IP)");
        }
        if (rateLimit.burst < 1) bad(source, "rate-limit.burst", "must be >= 1", "write e.g. 60");
        if (rateLimit.maxClients < 1) {
            bad(source, "rate-limit.max-clients", "must be >= 1", "write e.g. 100000");
        }
        if (trustedProxies == null) trustedProxies = new ArrayList<>();
        for (int i = 0; i < trustedProxies.size(); i++) {
            try {
                Cidr.parse(trustedProxies.get(i));
            } catch (IllegalArgumentException e) {
                bad(
                        source,
                        "trusted-proxies[" + i + "]",
                        e.getMessage(),
                        "write an address or CIDR, e.g. 10.0.0.0/8 or ::1");
            }
        }
        if (geoip == null) geoip = new GeoipSection();
        // "database: ${BEACONFLOW_GEOIP_DB:}" with the variable unset is YAML null: no database.
        if (geoip.database == null) geoip.database = "";
        if (geoip.database != null
                && !geoip.database.isBlank()
                && !Files.isReadable(Path.of(geoip.database))) {
            bad(
                    source,
                    "geoip.database",
                    "'" + geoip.database + "' is not a readable file",
                    "give the path of a GeoIP2/GeoLite2 Country or City .mmdb, or leave it empty");
        }
        if (apps == null) apps = new LinkedHashMap<>();
        if (apps.isEmpty() && !allowUnknownApps) {
            bad(
                    source,
                    "apps",
                    "no app is listed and allow-unknown-apps is false, so every beacon would be"
                            + " refused",
                    "list your apps with their allowed-origins, or set allow-unknown-apps: true");
        }
        for (Map.Entry<String, AppSection> a : apps.entrySet()) {
            String key = "apps." + a.getKey();
            if (a.getValue() == null) a.setValue(new AppSection());
            AppSection app = a.getValue();
            if (app.allowedOrigins == null) app.allowedOrigins = new ArrayList<>();
            if (app.apiKey == null) app.apiKey = "";
            if (app.backendKey == null) app.backendKey = "";
            if (!app.backendKey.isEmpty()) {
                if (app.backendKey.length() < 16) {
                    bad(
                            source,
                            key + ".backend-key",
                            "is shorter than 16 characters",
                            "use a random secret, e.g. `openssl rand -hex 24`, from the environment");
                }
                if (app.backendKey.equals(app.apiKey)) {
                    bad(
                            source,
                            key + ".backend-key",
                            "equals the app's api-key, which pages ship to every visitor",
                            "use a separate secret that only the backend services know");
                }
                for (Map.Entry<String, AppSection> o : apps.entrySet()) {
                    if (o.getKey().equals(a.getKey()) || o.getValue() == null) continue;
                    if (app.backendKey.equals(o.getValue().backendKey)) {
                        bad(
                                source,
                                key + ".backend-key",
                                "is also apps." + o.getKey() + ".backend-key",
                                "give each app its own key: the key tells which app a span is for");
                    }
                }
            }
            for (String o : app.allowedOrigins) {
                if (!o.equals("*") && !o.matches("^https?://[^/\\s]+$")) {
                    bad(
                            source,
                            key + ".allowed-origins",
                            "'" + o + "' is not an origin",
                            "write scheme://host[:port] without a path, e.g."
                                    + " https://shop.example.com, or *");
                }
            }
        }
    }

    /** The listen address, validated. */
    public String[] hostPort(String source) {
        int i = listen == null ? -1 : listen.lastIndexOf(':');
        if (i <= 0) {
            bad(source, "listen", "'" + listen + "' is not host:port", "write e.g. 127.0.0.1:4318");
        }
        try {
            int port = Integer.parseInt(listen.substring(i + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            bad(
                    source,
                    "listen",
                    "'" + listen + "' has no valid port",
                    "write e.g. 127.0.0.1:4318");
        }
        return new String[] {listen.substring(0, i), listen.substring(i + 1)};
    }

    private static void bad(String source, String key, String problem, String fix) {
        throw ConfigException.invalid(source, key, problem, fix);
    }

    private static final Pattern ENV_REF =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

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
                if (value == null) value = m.group(2);
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

    private static final ObjectMapper MAPPER = newMapper();

    private static ObjectMapper newMapper() {
        SimpleModule durations = new SimpleModule("collector-durations");
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
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .addModule(durations)
                .build();
    }
}
