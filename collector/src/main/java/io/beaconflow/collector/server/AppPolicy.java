package io.beaconflow.collector.server;

import io.beaconflow.collector.config.CollectorConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which app may send from which page origin, and with which key. A preflight carries no body, so it
 * is answered for the union of all apps' origins; the request itself is then checked against the
 * origins and key of every app its events name.
 */
public final class AppPolicy {
    /** Why a request was refused; the code is the answer's "error" field and a metric label. */
    public enum Refusal {
        UNKNOWN_APP(403, "unknown_app"),
        ORIGIN_NOT_ALLOWED(403, "origin_not_allowed"),
        BAD_API_KEY(401, "bad_api_key");

        public final int status;
        public final String code;

        Refusal(int status, String code) {
            this.status = status;
            this.code = code;
        }
    }

    private final Map<String, CollectorConfig.AppSection> apps;
    private final boolean allowUnknown;
    private final Set<String> anyAppOrigins = new LinkedHashSet<>();
    private final boolean anyOrigin;

    public AppPolicy(CollectorConfig cfg) {
        this.apps = new LinkedHashMap<>(cfg.apps);
        this.allowUnknown = cfg.allowUnknownApps;
        boolean star = allowUnknown;
        for (CollectorConfig.AppSection a : apps.values()) {
            for (String o : a.allowedOrigins) {
                if (o.equals("*")) star = true;
                else anyAppOrigins.add(o);
            }
        }
        this.anyOrigin = star;
    }

    /** For a preflight: may some app be sent to from this origin? */
    public boolean originAllowedForSomeApp(String origin) {
        return origin != null && (anyOrigin || anyAppOrigins.contains(origin));
    }

    /** Null when every app of the request may send from this origin with this key. */
    public Refusal check(Set<String> requestApps, String origin, String key) {
        for (String app : requestApps) {
            CollectorConfig.AppSection a = apps.get(app);
            if (a == null) {
                if (!allowUnknown) return Refusal.UNKNOWN_APP;
                continue;
            }
            // No Origin header: not a browser cross-origin request (curl, a server-side SDK);
            // CORS does not apply, the key (if any) still does.
            if (origin != null
                    && !a.allowedOrigins.contains("*")
                    && !a.allowedOrigins.contains(origin)) {
                return Refusal.ORIGIN_NOT_ALLOWED;
            }
            if (!a.apiKey.isEmpty() && !constantTimeEquals(a.apiKey, key)) {
                return Refusal.BAD_API_KEY;
            }
        }
        return null;
    }

    /**
     * The app whose {@code backend-key} this is, or null. Every app's key is compared (in constant
     * time each), so the answer's timing does not tell which app, or how much of a key, matched.
     */
    public String appForBackendKey(String key) {
        if (key == null || key.isEmpty()) return null;
        String found = null;
        for (Map.Entry<String, CollectorConfig.AppSection> a : apps.entrySet()) {
            String k = a.getValue().backendKey;
            if (!k.isEmpty() && constantTimeEquals(k, key) && found == null) {
                found = a.getKey();
            }
        }
        return found;
    }

    private static boolean constantTimeEquals(String expected, String given) {
        if (given == null) return false;
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
