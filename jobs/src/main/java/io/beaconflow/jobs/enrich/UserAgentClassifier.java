package io.beaconflow.jobs.enrich;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * User agent → browser family and major version, OS, device type, bot flag, with Yauaa (a
 * maintained rule set, not our regexes).
 *
 * <p>Yauaa's analyzer takes seconds and ~300 MB to build, so one instance is shared per JVM (its
 * {@code parse} is thread-safe); each classifier keeps a small LRU cache in front of it, because a
 * site sees few distinct user agents and the cache turns a ~10 µs parse into a map lookup.
 */
public final class UserAgentClassifier {
    private static final String[] FIELDS = {
        UserAgent.AGENT_NAME,
        UserAgent.AGENT_VERSION_MAJOR,
        UserAgent.OPERATING_SYSTEM_NAME,
        UserAgent.DEVICE_CLASS,
        UserAgent.AGENT_CLASS
    };

    /** Classification of one user agent. */
    public static final class Info {
        public final String browser;
        public final String browserVersion;
        public final String os;
        public final String deviceType;
        public final boolean bot;

        Info(String browser, String browserVersion, String os, String deviceType, boolean bot) {
            this.browser = browser;
            this.browserVersion = browserVersion;
            this.os = os;
            this.deviceType = deviceType;
            this.bot = bot;
        }
    }

    static final Info UNKNOWN = new Info("unknown", "unknown", "unknown", "unknown", false);

    private final Map<String, Info> cache;

    public UserAgentClassifier(int cacheSize) {
        this.cache =
                new LinkedHashMap<>(Math.max(16, cacheSize * 2), 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Info> eldest) {
                        return size() > cacheSize;
                    }
                };
    }

    public Info classify(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return UNKNOWN;
        }
        Info info = cache.get(userAgent);
        if (info == null) {
            info = analyze(userAgent);
            cache.put(userAgent, info);
        }
        return info;
    }

    private static Info analyze(String userAgent) {
        UserAgent ua = Holder.ANALYZER.parse(userAgent);
        String deviceClass = ua.getValue(UserAgent.DEVICE_CLASS);
        String agentClass = ua.getValue(UserAgent.AGENT_CLASS);
        boolean bot =
                deviceClass.startsWith("Robot")
                        || "Hacker".equals(deviceClass)
                        || agentClass.startsWith("Robot")
                        || "Special".equals(agentClass)
                        || "Hacker".equals(agentClass)
                        || "Cloud Application".equals(agentClass);
        return new Info(
                clean(ua.getValue(UserAgent.AGENT_NAME)),
                clean(ua.getValue(UserAgent.AGENT_VERSION_MAJOR)),
                clean(ua.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
                bot ? "bot" : deviceType(deviceClass),
                bot);
    }

    private static String deviceType(String deviceClass) {
        switch (deviceClass) {
            case "Desktop":
                return "desktop";
            case "Phone":
            case "Mobile":
                return "mobile";
            case "Tablet":
                return "tablet";
            case "TV":
            case "Set-top box":
            case "Game Console":
            case "Home Appliance":
                return "tv";
            default:
                return "other";
        }
    }

    private static String clean(String v) {
        if (v == null || v.isEmpty() || v.startsWith("??") || v.equals("Unknown")) {
            return "unknown";
        }
        return v.toLowerCase(Locale.ROOT).equals("unknown") ? "unknown" : v;
    }

    /**
     * Builds the shared analyzer now (about 3 s, once per JVM) instead of on the first event;
     * {@code ./beaconflow bench} calls it before timing, as a TaskManager pays it once at start.
     */
    public static void warmUp() {
        java.util.Objects.requireNonNull(Holder.ANALYZER);
    }

    /** Lazily built on first use, once per JVM. */
    private static final class Holder {
        static final UserAgentAnalyzer ANALYZER =
                UserAgentAnalyzer.newBuilder()
                        .withFields(FIELDS)
                        .withCache(0)
                        .hideMatcherLoadStats()
                        .immediateInitialization()
                        .build();
    }
}
