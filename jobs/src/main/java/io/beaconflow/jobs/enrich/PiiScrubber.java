package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig.ClientIpPolicy;
import io.beaconflow.jobs.config.IngestConfig.PrivacyConfig;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Removes personal data before anything leaves the job: the client IP is truncated (IPv4 /24, IPv6
 * /48) or dropped; query-string values are removed except for allow-listed parameters (keys are
 * kept, so {@code ?email=a@b.c&utm_source=x} becomes {@code ?email=&utm_source=x}); user ids are
 * replaced by a salted HMAC-SHA256, stable for one salt so sessions of one user still join up.
 *
 * <p>Not thread-safe (holds a {@link Mac}); one per operator instance.
 */
public final class PiiScrubber {
    private final ClientIpPolicy ipPolicy;
    private final Set<String> allowlist;
    private final Mac mac;

    public PiiScrubber(PrivacyConfig config) {
        this.ipPolicy = config.clientIp;
        this.allowlist = new HashSet<>(config.queryAllowlist);
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(
                    new SecretKeySpec(
                            config.userIdSalt.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public String clientIp(String ip) {
        if (ip == null) return null;
        switch (ipPolicy) {
            case DROP:
                return null;
            case KEEP:
                return ip;
            default:
                return truncateIp(ip);
        }
    }

    static String truncateIp(String ip) {
        if (ip.indexOf(':') >= 0) {
            // IPv6: keep the first three groups (/48). Expand a leading "::" form minimally.
            String[] groups = ip.split(":", -1);
            StringBuilder b = new StringBuilder();
            int kept = 0;
            for (String g : groups) {
                if (kept == 3 || g.isEmpty()) break;
                if (kept > 0) b.append(':');
                b.append(g);
                kept++;
            }
            return b.append("::").toString();
        }
        int last = ip.lastIndexOf('.');
        if (last < 0) return null;
        return ip.substring(0, last) + ".0";
    }

    /** The URL with every query value removed except those of allow-listed keys. */
    public String url(String url) {
        if (url == null) return null;
        int q = url.indexOf('?');
        if (q < 0) return url;
        int hash = url.indexOf('#', q);
        String query = hash < 0 ? url.substring(q + 1) : url.substring(q + 1, hash);
        StringBuilder b = new StringBuilder(url.length()).append(url, 0, q + 1);
        int i = 0;
        boolean first = true;
        while (i <= query.length()) {
            int amp = query.indexOf('&', i);
            if (amp < 0) amp = query.length();
            String pair = query.substring(i, amp);
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (!first) b.append('&');
                first = false;
                b.append(key);
                if (eq >= 0) {
                    b.append('=');
                    if (allowlist.contains(key)) b.append(pair, eq + 1, pair.length());
                }
            }
            i = amp + 1;
        }
        // The fragment can carry tokens too (OAuth implicit flow): drop it.
        return b.toString();
    }

    /** Salted HMAC of the user id, 32 hex characters; null stays null. */
    public String userId(String userId) {
        if (userId == null) return null;
        byte[] h = mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[32];
        for (int k = 0; k < 16; k++) {
            out[2 * k] = HEX[(h[k] >> 4) & 0xF];
            out[2 * k + 1] = HEX[h[k] & 0xF];
        }
        return new String(out);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
