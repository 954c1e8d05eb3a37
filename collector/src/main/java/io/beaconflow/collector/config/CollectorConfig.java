package io.beaconflow.collector.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.beaconflow.config.ConfigException;
import io.beaconflow.config.ConfigProblems;
import io.beaconflow.config.ConfigYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
        return parse(ConfigYaml.readFile(file), file.toString(), System::getenv);
    }

    public static CollectorConfig parse(String yaml, String source, Function<String, String> env) {
        CollectorConfig c =
                ConfigYaml.read(
                        MAPPER,
                        WORDING,
                        ConfigYaml.expand(yaml, source, env),
                        source,
                        CollectorConfig.class,
                        "");
        if (c == null) c = new CollectorConfig();
        c.validate(source);
        return c;
    }

    /**
     * The kit's binding without the job's "no value means the default" (a key written with no value
     * is null here, and the checks below name it), worded as the collector's messages always were:
     * the fixes point at flink-conf/collector.yaml, lines are where the parser stood, known keys
     * are listed without their section.
     */
    private static final ObjectMapper MAPPER =
            ConfigYaml.strictMapper(PropertyNamingStrategies.KEBAB_CASE).build();

    private static final ConfigYaml.Wording WORDING =
            new ConfigYaml.Wording(
                    "write a number and a unit, e.g. 250ms, 10s, 5m",
                    "check the value's type against flink-conf/collector.yaml",
                    false,
                    false);

    /** Checks every setting and throws one {@link ConfigException} naming every problem found. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    private void check(ConfigProblems p) {
        checkListen(p);
        p.require(ioThreads >= 0, "io-threads", "is negative", "use 0 (one per core) or more");
        p.require(
                shutdownGrace != null && !shutdownGrace.isNegative(),
                "shutdown-grace",
                "must be a duration >= 0",
                "write e.g. 10s");
        if (p.section("kafka", kafka, "give its settings")) checkKafka(p);
        if (p.section("limits", limits, "give its settings")) checkLimits(p);
        if (p.section("rate-limit", rateLimit, "give its settings")) checkRateLimit(p);
        if (trustedProxies == null) trustedProxies = new ArrayList<>();
        for (int i = 0; i < trustedProxies.size(); i++) {
            try {
                Cidr.parse(trustedProxies.get(i));
            } catch (IllegalArgumentException e) {
                p.add(
                        "trusted-proxies[" + i + "]",
                        e.getMessage(),
                        "write an address or CIDR, e.g. 10.0.0.0/8 or ::1");
            }
        }
        if (geoip == null) geoip = new GeoipSection();
        // "database: ${BEACONFLOW_GEOIP_DB:}" with the variable unset is YAML null: no database.
        if (geoip.database == null) geoip.database = "";
        p.require(
                geoip.database.isBlank() || Files.isReadable(Path.of(geoip.database)),
                "geoip.database",
                "'" + geoip.database + "' is not a readable file",
                "give the path of a GeoIP2/GeoLite2 Country or City .mmdb, or leave it empty");
        if (apps == null) apps = new LinkedHashMap<>();
        p.require(
                !apps.isEmpty() || allowUnknownApps,
                "apps",
                "no app is listed and allow-unknown-apps is false, so every beacon would be"
                        + " refused",
                "list your apps with their allowed-origins, or set allow-unknown-apps: true");
        for (Map.Entry<String, AppSection> a : apps.entrySet()) {
            if (a.getValue() == null) a.setValue(new AppSection());
        }
        for (Map.Entry<String, AppSection> a : apps.entrySet()) {
            checkApp(p, a.getKey(), a.getValue());
        }
    }

    private void checkKafka(ConfigProblems p) {
        p.notBlank(
                "kafka.bootstrap-servers",
                kafka.bootstrapServers,
                "is empty",
                "write host:port[,host:port], or set BEACONFLOW_KAFKA_BOOTSTRAP");
        p.notBlank(
                "kafka.topic",
                kafka.topic,
                "is empty",
                "write the raw topic the job reads, e.g. rum-raw");
        p.require(
                kafka.serverSpansTopic != null
                        && !kafka.serverSpansTopic.isBlank()
                        && !kafka.serverSpansTopic.equals(kafka.topic),
                "kafka.server-spans-topic",
                "is empty or the same as kafka.topic",
                "write the topic the job's kafka.server-spans-topic reads, e.g."
                        + " rum-server-spans");
        p.require(
                kafka.deliveryTimeout != null && kafka.deliveryTimeout.toMillis() >= 1000,
                "kafka.delivery-timeout",
                "must be at least 1s",
                "write e.g. 10s (a request waits this long for Kafka's ack)");
        p.require(
                kafka.maxRecordBytes >= 1024,
                "kafka.max-record-bytes",
                "must be at least 1024",
                "use the job's ingest.max-record-bytes (262144 by default)");
        if (kafka.properties == null) kafka.properties = new LinkedHashMap<>();
    }

    private void checkLimits(ConfigProblems p) {
        p.require(
                limits.maxBodyBytes >= 1024,
                "limits.max-body-bytes",
                "must be at least 1024",
                "write e.g. 1048576");
        p.require(
                limits.maxEventsPerRequest >= 1 && limits.maxEventsPerRequest <= 10_000,
                "limits.max-events-per-request",
                "must be between 1 and 10000",
                "write e.g. 500 (the job's ingest.max-batch-events)");
        p.require(
                limits.maxInFlightBytes >= limits.maxBodyBytes,
                "limits.max-in-flight-bytes",
                "is smaller than limits.max-body-bytes",
                "write e.g. 67108864 (64 MiB)");
        p.require(
                limits.retryAfter != null && limits.retryAfter.toSeconds() >= 1,
                "limits.retry-after",
                "must be at least 1s",
                "write e.g. 5s");
    }

    private void checkRateLimit(ConfigProblems p) {
        p.require(
                rateLimit.requestsPerSecond > 0,
                "rate-limit.requests-per-second",
                "must be > 0",
                "write e.g. 20 (per client IP)");
        p.require(rateLimit.burst >= 1, "rate-limit.burst", "must be >= 1", "write e.g. 60");
        p.require(
                rateLimit.maxClients >= 1,
                "rate-limit.max-clients",
                "must be >= 1",
                "write e.g. 100000");
    }

    private void checkApp(ConfigProblems p, String name, AppSection app) {
        String key = "apps." + name;
        if (app.allowedOrigins == null) app.allowedOrigins = new ArrayList<>();
        if (app.apiKey == null) app.apiKey = "";
        if (app.backendKey == null) app.backendKey = "";
        if (!app.backendKey.isEmpty()) {
            p.require(
                    app.backendKey.length() >= 16,
                    key + ".backend-key",
                    "is shorter than 16 characters",
                    "use a random secret, e.g. `openssl rand -hex 24`, from the environment");
            p.require(
                    !app.backendKey.equals(app.apiKey),
                    key + ".backend-key",
                    "equals the app's api-key, which pages ship to every visitor",
                    "use a separate secret that only the backend services know");
            for (Map.Entry<String, AppSection> o : apps.entrySet()) {
                if (o.getKey().equals(name)) continue;
                p.require(
                        !app.backendKey.equals(o.getValue().backendKey),
                        key + ".backend-key",
                        "is also apps." + o.getKey() + ".backend-key",
                        "give each app its own key: the key tells which app a span is for");
            }
        }
        for (String o : app.allowedOrigins) {
            p.require(
                    o.equals("*") || o.matches("^https?://[^/\\s]+$"),
                    key + ".allowed-origins",
                    "'" + o + "' is not an origin",
                    "write scheme://host[:port] without a path, e.g."
                            + " https://shop.example.com, or *");
        }
    }

    /** The listen address, validated. */
    public String[] hostPort(String source) {
        ConfigProblems.check(source, this::checkListen);
        int i = listen.lastIndexOf(':');
        return new String[] {listen.substring(0, i), listen.substring(i + 1)};
    }

    private void checkListen(ConfigProblems p) {
        int i = listen == null ? -1 : listen.lastIndexOf(':');
        if (i <= 0) {
            p.add("listen", "'" + listen + "' is not host:port", "write e.g. 127.0.0.1:4318");
            return;
        }
        try {
            int port = Integer.parseInt(listen.substring(i + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            p.add("listen", "'" + listen + "' has no valid port", "write e.g. 127.0.0.1:4318");
        }
    }
}
