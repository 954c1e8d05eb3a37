package io.beaconflow.jobs.io.elasticsearch;

import io.beaconflow.jobs.config.ConfigException;
import io.beaconflow.jobs.config.Durations;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where and how the Elasticsearch sink writes: hosts, authentication, TLS, bulk sizing and retry
 * policy. Immutable and serializable (it travels with the job graph to the TaskManagers).
 *
 * <p>Secrets are never part of it: the config holds the <em>names</em> of environment variables
 * ({@link #passwordEnv()}, {@link #apiKeyEnv()}), read on the TaskManager when the writer opens
 * ({@link #credentials(Function)}), so they are not in the job graph, savepoints, the Flink web UI
 * or logs.
 *
 * <p>Build it with {@link #builder()} (defaults in the {@code DEFAULT_*} constants) or from flat
 * {@code key: value} settings with {@link #fromProperties(Map, String)}; the keys are listed in
 * {@link #KEYS} and in docs/DISCUSSION.md.
 */
public final class ElasticsearchSinkConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_HOST = "http://127.0.0.1:9200";
    public static final int DEFAULT_BULK_MAX_ACTIONS = 1000;
    public static final long DEFAULT_BULK_MAX_BYTES = 5L * 1024 * 1024;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_RETRIES = 15;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 1;
    public static final String DEFAULT_DEAD_LETTER_INDEX = "rum-deadletter";
    public static final int DEFAULT_DEAD_LETTER_MAX_DOCUMENT_CHARS = 32 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    /** No prefix: the indices are {@code rum-sessions-*}, {@code rum-metrics-*}, ... */
    public static final String DEFAULT_INDEX_PREFIX = "";

    /** Longest index prefix accepted (Elasticsearch allows 255 bytes for the whole name). */
    public static final int MAX_INDEX_PREFIX_LENGTH = 100;

    /** The keys {@link #fromProperties(Map, String)} accepts. */
    public static final Set<String> KEYS =
            Collections.unmodifiableSet(
                    new TreeSet<>(
                            List.of(
                                    "hosts",
                                    "index-prefix",
                                    "username",
                                    "password-env",
                                    "api-key-env",
                                    "ca-cert",
                                    "verify-hostname",
                                    "bulk.max-actions",
                                    "bulk.max-bytes",
                                    "bulk.flush-interval",
                                    "bulk.max-in-flight-requests",
                                    "retry.max-retries",
                                    "retry.initial-backoff",
                                    "retry.max-backoff",
                                    "retry.max-duration",
                                    "dead-letter.index",
                                    "dead-letter.max-document-chars",
                                    "dead-letter.raw-payloads",
                                    "connect-timeout",
                                    "response-timeout")));

    private final List<String> hosts;
    private final String indexPrefix;
    private final String username;
    private final String passwordEnv;
    private final String apiKeyEnv;
    private final String caCertPath;
    private final boolean verifyHostname;
    private final int bulkMaxActions;
    private final long bulkMaxBytes;
    private final Duration flushInterval;
    private final int maxInFlightRequests;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryDuration;
    private final String deadLetterIndex;
    private final int deadLetterMaxDocumentChars;
    private final boolean deadLetterRawPayloads;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    private ElasticsearchSinkConfig(Builder b) {
        this.hosts = List.copyOf(b.hosts);
        this.indexPrefix = b.indexPrefix;
        this.username = b.username;
        this.passwordEnv = b.passwordEnv;
        this.apiKeyEnv = b.apiKeyEnv;
        this.caCertPath = b.caCertPath;
        this.verifyHostname = b.verifyHostname;
        this.bulkMaxActions = b.bulkMaxActions;
        this.bulkMaxBytes = b.bulkMaxBytes;
        this.flushInterval = b.flushInterval;
        this.maxInFlightRequests = b.maxInFlightRequests;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryDuration = b.maxRetryDuration;
        this.deadLetterIndex = b.deadLetterIndex;
        this.deadLetterMaxDocumentChars = b.deadLetterMaxDocumentChars;
        this.deadLetterRawPayloads = b.deadLetterRawPayloads;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same settings, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.hosts = new ArrayList<>(hosts);
        b.indexPrefix = indexPrefix;
        b.username = username;
        b.passwordEnv = passwordEnv;
        b.apiKeyEnv = apiKeyEnv;
        b.caCertPath = caCertPath;
        b.verifyHostname = verifyHostname;
        b.bulkMaxActions = bulkMaxActions;
        b.bulkMaxBytes = bulkMaxBytes;
        b.flushInterval = flushInterval;
        b.maxInFlightRequests = maxInFlightRequests;
        b.maxRetries = maxRetries;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.maxRetryDuration = maxRetryDuration;
        b.deadLetterIndex = deadLetterIndex;
        b.deadLetterMaxDocumentChars = deadLetterMaxDocumentChars;
        b.deadLetterRawPayloads = deadLetterRawPayloads;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        return b;
    }

    /**
     * Reads flat settings ({@code hosts: https://es1:9200,https://es2:9200}, {@code
     * bulk.flush-interval: 1s}, ...), e.g. the {@code elasticsearch:} section of the job's config
     * file. Unknown keys are errors, so a typo does not silently fall back to a default. Errors
     * name {@code source}, the key and the fix.
     */
    public static ElasticsearchSinkConfig fromProperties(Map<String, String> props, String source) {
        Builder b = builder();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(props).entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            try {
                switch (key) {
                    case "hosts":
                        b.hosts(splitList(value));
                        break;
                    case "index-prefix":
                        String problem = Builder.indexPrefixProblem(value);
                        if (problem != null) {
                            throw ConfigException.invalid(
                                    source,
                                    "elasticsearch.index-prefix",
                                    "'" + value + "' " + problem,
                                    fixFor(key));
                        }
                        b.indexPrefix(value);
                        break;
                    case "username":
                        b.username(value.isEmpty() ? null : value);
                        break;
                    case "password-env":
                        b.passwordEnv(value.isEmpty() ? null : value);
                        break;
                    case "api-key-env":
                        b.apiKeyEnv(value.isEmpty() ? null : value);
                        break;
                    case "ca-cert":
                        b.caCertPath(value.isEmpty() ? null : value);
                        break;
                    case "verify-hostname":
                        b.verifyHostname(parseBoolean(value));
                        break;
                    case "bulk.max-actions":
                        b.bulkMaxActions(Integer.parseInt(value));
                        break;
                    case "bulk.max-bytes":
                        b.bulkMaxBytes(parseBytes(value));
                        break;
                    case "bulk.flush-interval":
                        b.flushInterval(Durations.parse(value));
                        break;
                    case "bulk.max-in-flight-requests":
                        b.maxInFlightRequests(Integer.parseInt(value));
                        break;
                    case "retry.max-retries":
                        b.maxRetries(Integer.parseInt(value));
                        break;
                    case "retry.initial-backoff":
                        b.initialBackoff(Durations.parse(value));
                        break;
                    case "retry.max-backoff":
                        b.maxBackoff(Durations.parse(value));
                        break;
                    case "retry.max-duration":
                        b.maxRetryDuration(Durations.parse(value));
                        break;
                    case "dead-letter.index":
                        b.deadLetterIndex(value);
                        break;
                    case "dead-letter.max-document-chars":
                        b.deadLetterMaxDocumentChars(Integer.parseInt(value));
                        break;
                    case "dead-letter.raw-payloads":
                        b.deadLetterRawPayloads(parseBoolean(value));
                        break;
                    case "connect-timeout":
                        b.connectTimeout(Durations.parse(value));
                        break;
                    case "response-timeout":
                        b.responseTimeout(Durations.parse(value));
                        break;
                    default:
                        throw ConfigException.invalid(
                                source,
                                "elasticsearch." + key,
                                "unknown key",
                                "use one of elasticsearch."
                                        + String.join(", elasticsearch.", KEYS));
                }
            } catch (ConfigException ce) {
                throw ce;
            } catch (IllegalArgumentException iae) {
                throw ConfigException.invalid(
                        source,
                        "elasticsearch." + key,
                        "'" + value + "' is not valid (" + iae.getMessage() + ")",
                        fixFor(key));
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException iae) {
            throw new ConfigException(source + ": elasticsearch: " + iae.getMessage(), iae);
        }
    }

    private static String fixFor(String key) {
        if (key.endsWith("backoff")
                || key.endsWith("interval")
                || key.endsWith("duration")
                || key.endsWith("timeout")) {
            return "write a duration such as 500ms, 30s or 10m";
        }
        if (key.equals("bulk.max-bytes")) return "write a size such as 5mb, 512kb or 1048576";
        if (key.equals("verify-hostname") || key.equals("dead-letter.raw-payloads")) {
            return "write true or false";
        }
        if (key.equals("hosts")) {
            return "write comma-separated URLs such as https://es1:9200,https://es2:9200";
        }
        if (key.equals("index-prefix")) {
            return "use lower-case letters, digits, '-', '_' and '.', starting with a letter or"
                    + " digit, at most "
                    + MAX_INDEX_PREFIX_LENGTH
                    + " characters (e.g. staging- or it-run42-), or \"\" for none";
        }
        return "write a positive whole number";
    }

    private static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    private static boolean parseBoolean(String value) {
        if (value.equalsIgnoreCase("true")) return true;
        if (value.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("expected true or false");
    }

    /** {@code 5mb}, {@code 512kb}, {@code 1gb} or a plain number of bytes. */
    static long parseBytes(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("kb")) {
            unit = 1024;
        } else if (v.endsWith("mb")) {
            unit = 1024 * 1024;
        } else if (v.endsWith("gb")) {
            unit = 1024L * 1024 * 1024;
        } else if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        if (unit > 1) v = v.substring(0, v.length() - 2);
        try {
            return Long.parseLong(v.trim()) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: use e.g. 5mb, 512kb or 1048576");
        }
    }

    /**
     * Reads the secrets from the environment variables this config names. {@code env} is {@link
     * System#getenv(String)} in production, a parameter so tests need not touch the environment.
     *
     * @throws IllegalStateException when a named variable is unset or empty, naming it and the key
     *     that points to it
     */
    public Credentials credentials(Function<String, String> env) {
        if (apiKeyEnv != null) {
            String key = env.apply(apiKeyEnv);
            if (key == null || key.isEmpty()) {
                throw new IllegalStateException(
                        "Elasticsearch API key: environment variable "
                                + apiKeyEnv
                                + " (elasticsearch.api-key-env) is not set on this machine. Fix:"
                                + " export it (the base64 'encoded' value of POST"
                                + " /_security/api_key) on every TaskManager, or remove"
                                + " elasticsearch.api-key-env");
            }
            return Credentials.apiKey(apiKeyEnv, key);
        }
        if (username != null) {
            String password = passwordEnv == null ? null : env.apply(passwordEnv);
            if (password == null || password.isEmpty()) {
                throw new IllegalStateException(
                        "Elasticsearch user '"
                                + username
                                + "': environment variable "
                                + passwordEnv
                                + " (elasticsearch.password-env) is not set on this machine. Fix:"
                                + " export it with the user's password on every TaskManager");
            }
            return Credentials.basic(username, passwordEnv, password);
        }
        return Credentials.none();
    }

    public List<String> hosts() {
        return hosts;
    }

    public String username() {
        return username;
    }

    public String passwordEnv() {
        return passwordEnv;
    }

    public String apiKeyEnv() {
        return apiKeyEnv;
    }

    public String caCertPath() {
        return caCertPath;
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    public int bulkMaxActions() {
        return bulkMaxActions;
    }

    public long bulkMaxBytes() {
        return bulkMaxBytes;
    }

    public Duration flushInterval() {
        return flushInterval;
    }

    public int maxInFlightRequests() {
        return maxInFlightRequests;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration maxRetryDuration() {
        return maxRetryDuration;
    }

    /**
     * What goes before every index name the job writes ({@code elasticsearch.index-prefix}): the
     * sessions, metrics, alerts and dead-letter indices, and the names and patterns of the index
     * templates it installs. Empty by default.
     */
    public String indexPrefix() {
        return indexPrefix;
    }

    /** {@code name} with {@link #indexPrefix()} in front. */
    public String index(String name) {
        return indexPrefix + name;
    }

    /** The dead-letter index as written: {@code dead-letter.index} after the index prefix. */
    public String deadLetterIndex() {
        return indexPrefix + deadLetterIndex;
    }

    public int deadLetterMaxDocumentChars() {
        return deadLetterMaxDocumentChars;
    }

    /**
     * Whether rejected records keep their raw payload in the Elasticsearch dead-letter index
     * ({@code dead-letter.raw-payloads}, default false): raw beacons hold client IPs, raw user ids
     * and URL tokens, and an index is read far more widely than a Kafka topic. Without it the
     * document keeps reason, detail, position, sizes and a SHA-256 of the payload; the payload
     * itself stays in the Kafka dead-letter topic.
     */
    public boolean deadLetterRawPayloads() {
        return deadLetterRawPayloads;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** The auth mode in words, for logs and error messages: never contains a secret. */
    public String describeAuth() {
        if (apiKeyEnv != null) return "API key from environment variable " + apiKeyEnv;
        if (username != null) {
            return "basic auth as user '"
                    + username
                    + "', password from environment variable "
                    + passwordEnv;
        }
        return "no authentication";
    }

    /** Settings without secrets (there are none in here; only variable names). */
    @Override
    public String toString() {
        return "ElasticsearchSinkConfig{hosts="
                + hosts
                + ", indexPrefix="
                + indexPrefix
                + ", auth="
                + describeAuth()
                + ", caCert="
                + caCertPath
                + ", verifyHostname="
                + verifyHostname
                + ", bulk="
                + bulkMaxActions
                + " actions/"
                + bulkMaxBytes
                + " bytes/"
                + Durations.format(flushInterval)
                + ", maxInFlight="
                + maxInFlightRequests
                + ", retry="
                + maxRetries
                + "x "
                + Durations.format(initialBackoff)
                + ".."
                + Durations.format(maxBackoff)
                + " within "
                + Durations.format(maxRetryDuration)
                + ", deadLetterIndex="
                + deadLetterIndex()
                + "}";
    }

    /** Resolved secrets: lives only inside the writer; {@link #toString()} hides them. */
    public static final class Credentials {
        private final String mode;
        private final String username;
        private final String sourceEnv;
        private final String secret;

        private Credentials(String mode, String username, String sourceEnv, String secret) {
            this.mode = mode;
            this.username = username;
            this.sourceEnv = sourceEnv;
            this.secret = secret;
        }

        static Credentials none() {
            return new Credentials("none", null, null, null);
        }

        static Credentials basic(String username, String env, String password) {
            return new Credentials("basic", username, env, password);
        }

        static Credentials apiKey(String env, String key) {
            return new Credentials("api-key", null, env, key);
        }

        /** The HTTP {@code Authorization} header value, or null without authentication. */
        String authorizationHeader() {
            switch (mode) {
                case "basic":
                    return "Basic "
                            + java.util.Base64.getEncoder()
                                    .encodeToString(
                                            (username + ":" + secret)
                                                    .getBytes(
                                                            java.nio.charset.StandardCharsets
                                                                    .UTF_8));
                case "api-key":
                    return "ApiKey " + secret;
                default:
                    return null;
            }
        }

        public boolean isNone() {
            return mode.equals("none");
        }

        /** Who we are, for messages: names the user or the variable, never the secret. */
        public String describe() {
            switch (mode) {
                case "basic":
                    return "user '" + username + "' (basic auth, password from " + sourceEnv + ")";
                case "api-key":
                    return "the API key in " + sourceEnv;
                default:
                    return "no credentials";
            }
        }

        @Override
        public String toString() {
            return "Credentials{" + describe() + ", secret=***}";
        }
    }

    /** Collects settings; {@link #build()} checks them all and says how to fix each problem. */
    public static final class Builder {
        private List<String> hosts = new ArrayList<>(List.of(DEFAULT_HOST));
        private String indexPrefix = DEFAULT_INDEX_PREFIX;
        private String username;
        private String passwordEnv;
        private String apiKeyEnv;
        private String caCertPath;
        private boolean verifyHostname = true;
        private int bulkMaxActions = DEFAULT_BULK_MAX_ACTIONS;
        private long bulkMaxBytes = DEFAULT_BULK_MAX_BYTES;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration maxRetryDuration = DEFAULT_MAX_RETRY_DURATION;
        private String deadLetterIndex = DEFAULT_DEAD_LETTER_INDEX;
        private int deadLetterMaxDocumentChars = DEFAULT_DEAD_LETTER_MAX_DOCUMENT_CHARS;
        private boolean deadLetterRawPayloads = false;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;

        private Builder() {}

        /** One or more base URLs, e.g. {@code https://es1.internal:9200}. */
        public Builder hosts(List<String> hosts) {
            this.hosts = new ArrayList<>(Objects.requireNonNull(hosts, "hosts"));
            return this;
        }

        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        /**
         * Put before every index name the job writes (and its templates' names and patterns), so
         * several deployments or test runs can share one cluster; {@code ""} for none.
         */
        public Builder indexPrefix(String indexPrefix) {
            this.indexPrefix = indexPrefix == null ? DEFAULT_INDEX_PREFIX : indexPrefix;
            return this;
        }

        /** Basic-auth user; the password comes from the variable named by {@link #passwordEnv}. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /** Name of the environment variable holding the password (not the password). */
        public Builder passwordEnv(String passwordEnv) {
            this.passwordEnv = passwordEnv;
            return this;
        }

        /** Name of the environment variable holding an encoded API key (not the key). */
        public Builder apiKeyEnv(String apiKeyEnv) {
            this.apiKeyEnv = apiKeyEnv;
            return this;
        }

        /** PEM file of the CA that signed the cluster's HTTP certificate; null = JVM trust. */
        public Builder caCertPath(String caCertPath) {
            this.caCertPath = caCertPath;
            return this;
        }

        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        public Builder bulkMaxActions(int bulkMaxActions) {
            this.bulkMaxActions = bulkMaxActions;
            return this;
        }

        public Builder bulkMaxBytes(long bulkMaxBytes) {
            this.bulkMaxBytes = bulkMaxBytes;
            return this;
        }

        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
            return this;
        }

        public Builder maxInFlightRequests(int maxInFlightRequests) {
            this.maxInFlightRequests = maxInFlightRequests;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        public Builder maxRetryDuration(Duration maxRetryDuration) {
            this.maxRetryDuration = maxRetryDuration;
            return this;
        }

        public Builder deadLetterIndex(String deadLetterIndex) {
            this.deadLetterIndex = deadLetterIndex;
            return this;
        }

        public Builder deadLetterMaxDocumentChars(int chars) {
            this.deadLetterMaxDocumentChars = chars;
            return this;
        }

        /** See {@link ElasticsearchSinkConfig#deadLetterRawPayloads()}. */
        public Builder deadLetterRawPayloads(boolean keep) {
            this.deadLetterRawPayloads = keep;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = responseTimeout;
            return this;
        }

        public ElasticsearchSinkConfig build() {
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException(
                        "no hosts: give at least one URL such as " + DEFAULT_HOST);
            }
            for (String h : hosts) checkHost(h);
            String prefixProblem = indexPrefixProblem(indexPrefix);
            if (prefixProblem != null) {
                throw new IllegalArgumentException(
                        "index-prefix '"
                                + indexPrefix
                                + "' "
                                + prefixProblem
                                + ": "
                                + fixFor("index-prefix"));
            }
            boolean tls = hosts.stream().anyMatch(h -> h.startsWith("https://"));
            if (username != null && username.isBlank()) {
                throw new IllegalArgumentException(
                        "username is blank: set it, or remove it to connect without basic auth");
            }
            if (username != null && passwordEnv == null) {
                throw new IllegalArgumentException(
                        "username '"
                                + username
                                + "' without password-env: set password-env to the NAME of an"
                                + " environment variable holding the password (the password"
                                + " itself never goes into the config)");
            }
            if (passwordEnv != null && username == null) {
                throw new IllegalArgumentException(
                        "password-env is set but username is not: set username too");
            }
            if (apiKeyEnv != null && username != null) {
                throw new IllegalArgumentException(
                        "both username and api-key-env are set: choose one authentication mode");
            }
            checkEnvName("password-env", passwordEnv);
            checkEnvName("api-key-env", apiKeyEnv);
            if (caCertPath != null && !tls) {
                throw new IllegalArgumentException(
                        "ca-cert is set but no host uses https://: use https:// URLs, or remove"
                                + " ca-cert");
            }
            if (!verifyHostname && !tls) {
                throw new IllegalArgumentException(
                        "verify-hostname is false but no host uses https://: remove it");
            }
            positive("bulk.max-actions", bulkMaxActions);
            if (bulkMaxBytes < 1024) {
                throw new IllegalArgumentException(
                        "bulk.max-bytes is "
                                + bulkMaxBytes
                                + ": use at least 1kb (5mb is a good start; Elasticsearch"
                                + " rejects requests over http.max_content_length, 100mb by"
                                + " default)");
            }
            positive("bulk.flush-interval", flushInterval);
            if (maxInFlightRequests != 1) {
                throw new IllegalArgumentException(
                        "bulk.max-in-flight-requests is "
                                + maxInFlightRequests
                                + ": only 1 is supported (one request at a time keeps the"
                                + " writes of one document id in order); raise the sink's"
                                + " parallelism instead");
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException(
                        "retry.max-retries is " + maxRetries + ": use 0 or more");
            }
            positive("retry.initial-backoff", initialBackoff);
            positive("retry.max-backoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException(
                        "retry.max-backoff ("
                                + Durations.format(maxBackoff)
                                + ") is below retry.initial-backoff ("
                                + Durations.format(initialBackoff)
                                + "): raise max-backoff or lower initial-backoff");
            }
            positive("retry.max-duration", maxRetryDuration);
            if (deadLetterIndex == null
                    || deadLetterIndex.isBlank()
                    || !deadLetterIndex.equals(deadLetterIndex.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "dead-letter.index '"
                                + deadLetterIndex
                                + "' is not a valid index name: use a lower-case name such as "
                                + DEFAULT_DEAD_LETTER_INDEX);
            }
            if (deadLetterMaxDocumentChars < 64) {
                throw new IllegalArgumentException(
                        "dead-letter.max-document-chars is "
                                + deadLetterMaxDocumentChars
                                + ": use at least 64 so the stored document is still useful");
            }
            positive("connect-timeout", connectTimeout);
            positive("response-timeout", responseTimeout);
            return new ElasticsearchSinkConfig(this);
        }

        private static void checkHost(String h) {
            URI uri;
            try {
                uri = new URI(h);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "host '" + h + "' is not a URL: write e.g. https://es1:9200");
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException(
                        "host '"
                                + h
                                + "' has no http:// or https:// scheme: write e.g. "
                                + "https://es1:9200");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "host '" + h + "' has no host name: write e.g. https://es1:9200");
            }
        }

        /**
         * Elasticsearch index names are lower case, must not start with {@code -}, {@code _} or
         * {@code +} (nor {@code .}, which marks hidden and system indices), must not contain {@code
         * \ / * ? " < > | , # :} or spaces, and are at most 255 bytes. The prefix starts every
         * name, so it must meet the rules for the start of a name; we accept a conservative subset
         * (ASCII letters, digits, {@code - _ .}) so the name is also safe in URLs and index
         * patterns.
         */
        static String indexPrefixProblem(String prefix) {
            if (prefix.isEmpty()) return null;
            String problem = null;
            if (!prefix.equals(prefix.toLowerCase(Locale.ROOT))) {
                problem = "has upper-case letters (Elasticsearch index names are lower case)";
            } else if (prefix.length() > MAX_INDEX_PREFIX_LENGTH) {
                problem =
                        "is "
                                + prefix.length()
                                + " characters long (index names are at most 255 bytes with the"
                                + " date suffix)";
            } else if (!Character.isLetterOrDigit(prefix.charAt(0)) || prefix.charAt(0) > 127) {
                problem =
                        "starts with '"
                                + prefix.charAt(0)
                                + "' (Elasticsearch refuses names starting with -, _ or +, and"
                                + " names starting with . are hidden or system indices)";
            } else {
                for (int i = 0; i < prefix.length(); i++) {
                    char c = prefix.charAt(i);
                    boolean ok =
                            (c >= 'a' && c <= 'z')
                                    || (c >= '0' && c <= '9')
                                    || c == '-'
                                    || c == '_'
                                    || c == '.';
                    if (!ok) {
                        problem =
                                "contains '"
                                        + c
                                        + "' (Elasticsearch forbids \\ / * ? \" < > | , # : and"
                                        + " spaces in index names)";
                        break;
                    }
                }
            }
            return problem;
        }

        private static void checkEnvName(String key, String name) {
            if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException(
                        key
                                + " must be the NAME of an environment variable (letters, digits,"
                                + " _), not a secret; got a value that is not a variable name");
            }
        }

        private static void positive(String key, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(key + " is " + value + ": use 1 or more");
            }
        }

        private static void positive(String key, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(
                        key + " is " + value + ": use a positive duration such as 1s");
            }
        }
    }
}
