package io.beaconflow.jobs.io.elasticsearch;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.beaconflow.config.ConfigProblems;
import io.beaconflow.config.ConfigYaml;
import io.beaconflow.config.Durations;
import io.beaconflow.config.KeyLines;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code elasticsearch:} section of {@code beaconflow.yaml}, one component per key (nested
 * sections as nested records): where and how the Elasticsearch sink writes. A key left out of the
 * file is null when bound and becomes its default in the constructor ({@link #DEFAULTS}); {@link
 * #check} then names every problem with file, line, key and fix. Immutable and serializable (it
 * travels with the job graph to the TaskManagers).
 *
 * <p>Secrets are never part of it: it holds the <em>names</em> of environment variables ({@link
 * #passwordEnv()}, {@link #apiKeyEnv()}), read on the TaskManager when the writer opens ({@link
 * #credentials(Function)}), so they are not in the job graph, savepoints, the Flink web UI or logs.
 *
 * <p>A new setting: a component here (or in its nested record), its default in that record's
 * constructor, its check in {@link #check}, its commented key in {@code
 * flink-conf/beaconflow.yaml}. In code, {@link #parse} reads the section's YAML text.
 */
public record ElasticsearchSinkConfig(
        /** Base URLs, YAML list or comma-separated; {@code https://} turns TLS on. */
        @JsonDeserialize(using = ConfigYaml.CommaList.class) List<String> hosts,
        /**
         * Put before every index name the job writes (and its templates' names and patterns), so
         * several deployments or test runs can share one cluster; {@code ""} for none.
         */
        String indexPrefix,
        /** Basic-auth user; the password comes from the variable named by {@link #passwordEnv}. */
        String username,
        /** Name of the environment variable holding the password (not the password). */
        String passwordEnv,
        /** Name of the environment variable holding an encoded API key (not the key). */
        String apiKeyEnv,
        /** PEM file of the CA that signed the cluster's HTTP certificate; null = JVM trust. */
        String caCert,
        Boolean verifyHostname,
        Bulk bulk,
        Retry retry,
        DeadLetter deadLetter,
        Duration connectTimeout,
        Duration responseTimeout)
        implements Serializable {

    public static final String DEFAULT_HOST = "http://127.0.0.1:9200";
    public static final String DEFAULT_DEAD_LETTER_INDEX = "rum-deadletter";

    /** Longest index prefix accepted (Elasticsearch allows 255 bytes for the whole name). */
    public static final int MAX_INDEX_PREFIX_LENGTH = 100;

    /** Every setting at its default. */
    public static final ElasticsearchSinkConfig DEFAULTS =
            new ElasticsearchSinkConfig(
                    null, null, null, null, null, null, null, null, null, null, null, null);

    public ElasticsearchSinkConfig {
        hosts = hosts == null ? List.of(DEFAULT_HOST) : List.copyOf(hosts);
        indexPrefix = indexPrefix == null ? "" : indexPrefix.trim();
        username = blankToNull(username);
        passwordEnv = blankToNull(passwordEnv);
        apiKeyEnv = blankToNull(apiKeyEnv);
        caCert = blankToNull(caCert);
        verifyHostname = verifyHostname == null ? Boolean.TRUE : verifyHostname;
        bulk = bulk == null ? Bulk.DEFAULTS : bulk;
        retry = retry == null ? Retry.DEFAULTS : retry;
        deadLetter = deadLetter == null ? DeadLetter.DEFAULTS : deadLetter;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
    }

    /** {@code elasticsearch.bulk}: when a bulk request goes. */
    public record Bulk(
            /** Documents per request. */
            Integer maxActions,
            /** Bytes per request, written {@code 5mb}, {@code 512kb} or a number. */
            @JsonDeserialize(using = ConfigYaml.Bytes.class) Long maxBytes,
            /** How long after its first document a request goes at the latest. */
            Duration flushInterval,
            /** Requests at a time; only 1 keeps the writes of one document id in order. */
            Integer maxInFlightRequests)
            implements Serializable {
        public static final Bulk DEFAULTS = new Bulk(null, null, null, null);

        public Bulk {
            maxActions = maxActions == null ? 1000 : maxActions;
            maxBytes = maxBytes == null ? 5L * 1024 * 1024 : maxBytes;
            flushInterval = flushInterval == null ? Duration.ofSeconds(1) : flushInterval;
            maxInFlightRequests = maxInFlightRequests == null ? 1 : maxInFlightRequests;
        }
    }

    /** {@code elasticsearch.retry}: item failures worth retrying (429, 5xx). */
    public record Retry(
            /** Retries per document. */
            Integer maxRetries,
            /** First backoff, doubled per retry up to {@link #maxBackoff}. */
            Duration initialBackoff,
            Duration maxBackoff,
            /** Elasticsearch unreachable this long fails the job (Flink restarts it). */
            Duration maxDuration)
            implements Serializable {
        public static final Retry DEFAULTS = new Retry(null, null, null, null);

        public Retry {
            maxRetries = maxRetries == null ? 15 : maxRetries;
            initialBackoff = initialBackoff == null ? Duration.ofMillis(100) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
            maxDuration = maxDuration == null ? Duration.ofMinutes(10) : maxDuration;
        }
    }

    /** {@code elasticsearch.dead-letter}: documents Elasticsearch refuses for good. */
    public record DeadLetter(
            /** Index name, before the index prefix. */
            String index,
            /** Longest stored copy of a refused document. */
            Integer maxDocumentChars,
            /**
             * Whether rejected records keep their raw payload in the Elasticsearch dead-letter
             * index (default false): raw beacons hold client IPs, raw user ids and URL tokens, and
             * an index is read far more widely than a Kafka topic. Without it the document keeps
             * reason, detail, position, sizes and a SHA-256 of the payload; the payload itself
             * stays in the Kafka dead-letter topic.
             */
            Boolean rawPayloads)
            implements Serializable {
        public static final DeadLetter DEFAULTS = new DeadLetter(null, null, null);

        public DeadLetter {
            index = index == null ? DEFAULT_DEAD_LETTER_INDEX : index.trim();
            maxDocumentChars = maxDocumentChars == null ? 32 * 1024 : maxDocumentChars;
            rawPayloads = rawPayloads == null ? Boolean.FALSE : rawPayloads;
        }
    }

    /**
     * Reads the body of an {@code elasticsearch:} section ({@code hosts: https://es1:9200}, nested
     * {@code bulk:} ...) and checks it; errors name {@code source}, the line, the key and the fix.
     * For settings written in code (tests, tools): the same binding as the file.
     */
    public static ElasticsearchSinkConfig parse(String yaml, String source) {
        ElasticsearchSinkConfig c =
                yaml.isBlank()
                        ? DEFAULTS
                        : ConfigYaml.read(
                                yaml, source, ElasticsearchSinkConfig.class, "elasticsearch");
        if (c == null) c = DEFAULTS; // only comments
        ConfigProblems problems = new ConfigProblems(source, KeyLines.of(yaml, "elasticsearch"));
        c.check(problems);
        problems.throwIfAny();
        return c;
    }

    /** This config, checked: for settings built in code, named {@code source} in messages. */
    public ElasticsearchSinkConfig checked(String source) {
        ConfigProblems problems = ConfigProblems.of(source);
        check(problems);
        problems.throwIfAny();
        return this;
    }

    /** Adds every problem of these settings, with keys as written in the file. */
    public void check(ConfigProblems p) {
        String hostExample = "write URLs such as https://es1:9200,https://es2:9200";
        p.require(!hosts.isEmpty(), "elasticsearch.hosts", "no hosts", hostExample);
        for (String h : hosts) {
            String problem = hostProblem(h);
            if (problem != null)
                p.add("elasticsearch.hosts", "'" + h + "' " + problem, hostExample);
        }
        String prefixProblem = indexPrefixProblem(indexPrefix);
        if (prefixProblem != null) {
            p.add(
                    "elasticsearch.index-prefix",
                    "'" + indexPrefix + "' " + prefixProblem,
                    "use lower-case letters, digits, '-', '_' and '.', starting with a letter or"
                            + " digit, at most "
                            + MAX_INDEX_PREFIX_LENGTH
                            + " characters (e.g. staging- or it-run42-), or \"\" for none");
        }
        boolean tls = hosts.stream().anyMatch(h -> h.startsWith("https://"));
        p.require(
                username == null || passwordEnv != null,
                "elasticsearch.username",
                "'" + username + "' without password-env",
                "set elasticsearch.password-env to the NAME of an environment variable holding the"
                        + " password (the password itself never goes into the config)");
        p.require(
                passwordEnv == null || username != null,
                "elasticsearch.password-env",
                "is set but username is not",
                "set elasticsearch.username too");
        p.require(
                apiKeyEnv == null || username == null,
                "elasticsearch.api-key-env",
                "is set together with username",
                "choose one authentication mode: remove username or api-key-env");
        for (String[] env :
                new String[][] {{"password-env", passwordEnv}, {"api-key-env", apiKeyEnv}}) {
            p.require(
                    env[1] == null || env[1].matches("[A-Za-z_][A-Za-z0-9_]*"),
                    "elasticsearch." + env[0],
                    "must be the NAME of an environment variable (letters, digits, _), not a"
                            + " secret; got a value that is not a variable name",
                    "write the variable's name, e.g. BEACONFLOW_ES_PASSWORD, and export the secret"
                            + " in it");
        }
        p.require(
                caCert == null || tls,
                "elasticsearch.ca-cert",
                "is set but no host uses https://",
                "use https:// URLs, or remove ca-cert");
        p.require(
                verifyHostname || tls,
                "elasticsearch.verify-hostname",
                "is false but no host uses https://",
                "remove it");
        p.atLeast("elasticsearch.bulk.max-actions", bulk.maxActions(), 1, "use 1 or more");
        p.require(
                bulk.maxBytes() >= 1024,
                "elasticsearch.bulk.max-bytes",
                "is " + bulk.maxBytes(),
                "use at least 1kb (5mb is a good start; Elasticsearch rejects requests over"
                        + " http.max_content_length, 100mb by default)");
        p.positive("elasticsearch.bulk.flush-interval", bulk.flushInterval(), "1s");
        p.require(
                bulk.maxInFlightRequests() == 1,
                "elasticsearch.bulk.max-in-flight-requests",
                "is " + bulk.maxInFlightRequests() + ": only 1 is supported",
                "remove it (one request at a time keeps the writes of one document id in order);"
                        + " raise the sink's parallelism instead");
        p.atLeast("elasticsearch.retry.max-retries", retry.maxRetries(), 0, "use 0 or more");
        p.positive("elasticsearch.retry.initial-backoff", retry.initialBackoff(), "100ms");
        p.positive("elasticsearch.retry.max-backoff", retry.maxBackoff(), "30s");
        p.require(
                retry.maxBackoff().compareTo(retry.initialBackoff()) >= 0,
                "elasticsearch.retry.max-backoff",
                "("
                        + Durations.format(retry.maxBackoff())
                        + ") is below retry.initial-backoff ("
                        + Durations.format(retry.initialBackoff())
                        + ")",
                "raise max-backoff or lower initial-backoff");
        p.positive("elasticsearch.retry.max-duration", retry.maxDuration(), "10m");
        p.require(
                !deadLetter.index().isEmpty()
                        && deadLetter.index().equals(deadLetter.index().toLowerCase(Locale.ROOT)),
                "elasticsearch.dead-letter.index",
                "'" + deadLetter.index() + "' is not a valid index name",
                "use a lower-case name such as " + DEFAULT_DEAD_LETTER_INDEX);
        p.atLeast(
                "elasticsearch.dead-letter.max-document-chars",
                deadLetter.maxDocumentChars(),
                64,
                "use at least 64 so the stored document is still useful");
        p.positive("elasticsearch.connect-timeout", connectTimeout, "5s");
        p.positive("elasticsearch.response-timeout", responseTimeout, "60s");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String hostProblem(String h) {
        URI uri;
        try {
            uri = new URI(h);
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            return "has no http:// or https:// scheme";
        }
        return uri.getHost() == null ? "has no host name" : null;
    }

    /**
     * Elasticsearch index names are lower case, must not start with {@code -}, {@code _} or {@code
     * +} (nor {@code .}, which marks hidden and system indices), must not contain {@code \ / * ? "
     * < > | , # :} or spaces, and are at most 255 bytes. The prefix starts every name, so it must
     * meet the rules for the start of a name; we accept a conservative subset (ASCII letters,
     * digits, {@code - _ .}) so the name is also safe in URLs and index patterns.
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

    /** {@code name} with {@link #indexPrefix()} in front. */
    public String index(String name) {
        return indexPrefix + name;
    }

    /** The dead-letter index as written: {@code dead-letter.index} after the index prefix. */
    public String deadLetterIndex() {
        return indexPrefix + deadLetter.index();
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
                + caCert
                + ", verifyHostname="
                + verifyHostname
                + ", bulk="
                + bulk.maxActions()
                + " actions/"
                + bulk.maxBytes()
                + " bytes/"
                + Durations.format(bulk.flushInterval())
                + ", retry="
                + retry.maxRetries()
                + "x "
                + Durations.format(retry.initialBackoff())
                + ".."
                + Durations.format(retry.maxBackoff())
                + " within "
                + Durations.format(retry.maxDuration())
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
}
