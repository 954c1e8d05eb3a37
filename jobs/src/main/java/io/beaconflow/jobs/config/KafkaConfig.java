package io.beaconflow.jobs.config;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code kafka:} section: where raw beacons come from and where dead letters and late events
 * go. {@code properties} are passed to every Kafka client as they are, so security settings
 * (SASL/SSL) work without code: write secrets as {@code ${ENV_VAR}} references.
 */
public class KafkaConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final String DEFAULT_RAW_TOPIC = "rum-raw";
    public static final String DEFAULT_GROUP_ID = "beaconflow";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "rum-deadletter";
    public static final String DEFAULT_LATE_TOPIC = "rum-late";
    public static final String DEFAULT_SERVER_SPANS_TOPIC = "rum-server-spans";
    public static final Duration DEFAULT_PARTITION_DISCOVERY = Duration.ofMinutes(1);

    public String bootstrapServers = DEFAULT_BOOTSTRAP;
    public String rawTopic = DEFAULT_RAW_TOPIC;
    public String groupId = DEFAULT_GROUP_ID;

    /**
     * {@code committed} (the group's offsets, falling back to {@link #resetTo}), {@code earliest},
     * {@code latest}, or {@code timestamp:<epoch-millis>}.
     */
    public String startFrom = "committed";

    /** Where {@code committed} starts when the group has no offsets: earliest or latest. */
    public String resetTo = "earliest";

    /** How often new partitions of the raw topic are picked up; 0 disables discovery. */
    public Duration partitionDiscovery = DEFAULT_PARTITION_DISCOVERY;

    public String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
    public String lateTopic = DEFAULT_LATE_TOPIC;

    /** Backend SERVER spans from the collector; read only when {@code traces.enabled}. */
    public String serverSpansTopic = DEFAULT_SERVER_SPANS_TOPIC;

    /** Extra Kafka client properties, e.g. security.protocol, sasl.mechanism, sasl.jaas.config. */
    public Map<String, String> properties = new LinkedHashMap<>();

    /** Adds every problem of the {@code kafka:} section. */
    void check(ConfigProblems p) {
        p.notBlank(
                "kafka.bootstrap-servers",
                bootstrapServers,
                "empty",
                "set host:port[,host:port], e.g. 127.0.0.1:9092");
        p.notBlank("kafka.raw-topic", rawTopic, "empty", "set a name");
        p.notBlank("kafka.group-id", groupId, "empty", "set a name");
        p.notBlank("kafka.dead-letter-topic", deadLetterTopic, "empty", "set a name");
        p.notBlank("kafka.late-topic", lateTopic, "empty", "set a name");
        p.notBlank("kafka.server-spans-topic", serverSpansTopic, "empty", "set a name");
        String s = startFrom == null ? "" : startFrom.toLowerCase(Locale.ROOT);
        if (s.startsWith("timestamp:")) {
            try {
                Long.parseLong(s.substring("timestamp:".length()));
            } catch (NumberFormatException e) {
                p.add(
                        "kafka.start-from",
                        "'" + startFrom + "' has no epoch-millis after 'timestamp:'",
                        "write e.g. timestamp:1793606400000");
            }
        } else if (!s.equals("committed") && !s.equals("earliest") && !s.equals("latest")) {
            p.add(
                    "kafka.start-from",
                    "'" + startFrom + "' is not a start position",
                    "use committed, earliest, latest or timestamp:<epoch-millis>");
        }
        p.require(
                "earliest".equalsIgnoreCase(resetTo) || "latest".equalsIgnoreCase(resetTo),
                "kafka.reset-to",
                "'" + resetTo + "' is not valid",
                "use earliest or latest");
        p.require(
                partitionDiscovery != null && !partitionDiscovery.isNegative(),
                "kafka.partition-discovery",
                "must be ≥ 0",
                "set e.g. 1m, or 0 to disable");
    }

    /** Properties for logs: values of keys that look secret are masked. */
    public Map<String, String> redactedProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        properties.forEach(
                (k, v) -> {
                    String lk = k.toLowerCase(Locale.ROOT);
                    boolean secret =
                            lk.contains("password")
                                    || lk.contains("jaas")
                                    || lk.contains("secret")
                                    || lk.contains("key");
                    m.put(k, secret ? "****" : v);
                });
        return m;
    }
}
