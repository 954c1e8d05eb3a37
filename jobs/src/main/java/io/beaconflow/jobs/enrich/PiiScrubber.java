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
 * kept, so {@code ?email=a@b.c&utm_source=x} becomes {@code ?email=&utm_source=x}), fragments are
 * dropped (hash routes kept) and obvious secrets in paths and error texts replaced ({@link
 * SecretScrubber}); user ids are replaced by a salted HMAC-SHA256, stable for one salt so sessions
 * of one user still join up.
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

    /**
     * The URL as it may leave the job: credentials before the host removed; path segments that are
     * secrets ({@link SecretScrubber#segment}) replaced by a placeholder; every query value removed
     * except those of allow-listed keys (and even those when the key names a secret or the value is
     * one); the fragment dropped, because it carries tokens (OAuth implicit flow {@code
     * #access_token=...}) and never reaches a server. One exception: a hash route ({@code #/path}
     * or {@code #!/path}) of a single-page app is its real location, so it is kept and scrubbed
     * like a path with its own query.
     */
    public String url(String url) {
        if (url == null || url.isEmpty()) return url;
        StringBuilder b = new StringBuilder(url.length());
        int start = 0;
        int scheme = url.indexOf("://");
        if (scheme > 0 && scheme < 16) {
            int hostStart = scheme + 3;
            int hostEnd = hostStart;
            while (hostEnd < url.length() && "/?#".indexOf(url.charAt(hostEnd)) < 0) hostEnd++;
            int at = url.lastIndexOf('@', hostEnd - 1);
            b.append(url, 0, hostStart);
            // user:password@host: never keep the credentials.
            b.append(url, at >= hostStart ? at + 1 : hostStart, hostEnd);
            start = hostEnd;
        }
        int hash = url.indexOf('#', start);
        pathAndQuery(url, start, hash < 0 ? url.length() : hash, b);
        if (hash >= 0) {
            int routeStart =
                    url.startsWith("#/", hash)
                            ? hash + 1
                            : url.startsWith("#!/", hash) ? hash + 2 : -1;
            if (routeStart > 0) {
                b.append(url, hash, routeStart);
                int inner = url.indexOf('#', routeStart);
                pathAndQuery(url, routeStart, inner < 0 ? url.length() : inner, b);
            }
        }
        return b.toString();
    }

    // The last raw URL of each field and its scrubbed form. A beacon's events arrive together and
    // share their page (and referrer), so most events ask for the URL the one before asked for;
    // scrubbing it again was ~2 % of the pipeline's CPU (docs/benchmarks.md). One raw URL per
    // field is held, as the user id below.
    private static final class LastUrl {
        String raw;
        String scrubbed;
    }

    private final LastUrl lastPage = new LastUrl();
    private final LastUrl lastReferrer = new LastUrl();
    private final LastUrl lastFetch = new LastUrl();

    /** {@link #url} of an event's page URL. */
    public String pageUrl(String url) {
        return url(lastPage, url);
    }

    /** {@link #url} of an event's referrer. */
    public String referrer(String url) {
        return url(lastReferrer, url);
    }

    /** {@link #url} of a fetch's URL. */
    public String fetchUrl(String url) {
        return url(lastFetch, url);
    }

    private String url(LastUrl last, String url) {
        if (url == null) return null;
        if (url.equals(last.raw)) return last.scrubbed;
        String scrubbed = url(url);
        last.raw = url;
        last.scrubbed = scrubbed;
        return scrubbed;
    }

    /** Free text (error message, stack trace): secrets and URL query values and fragments out. */
    public String text(String text) {
        return SecretScrubber.text(text, this::url);
    }

    private void pathAndQuery(String url, int from, int to, StringBuilder b) {
        int q = url.indexOf('?', from);
        if (q < 0 || q >= to) q = to;
        path(url, from, q, b);
        if (q == to) return;
        b.append('?');
        int i = q + 1;
        boolean first = true;
        while (i <= to) {
            int amp = url.indexOf('&', i);
            if (amp < 0 || amp > to) amp = to;
            if (amp > i) {
                int eq = url.indexOf('=', i);
                if (eq >= amp) eq = -1;
                String key = url.substring(i, eq < 0 ? amp : eq);
                String secretKey = SecretScrubber.segment(key);
                if (!first) b.append('&');
                first = false;
                b.append(secretKey != null ? secretKey : key);
                if (eq >= 0) {
                    b.append('=');
                    if (allowlist.contains(key) && !SecretScrubber.isSecretKey(key)) {
                        String value = url.substring(eq + 1, amp);
                        String secret = SecretScrubber.segment(value);
                        b.append(secret != null ? secret : value);
                    }
                }
            }
            i = amp + 1;
        }
    }

    private static void path(String url, int from, int to, StringBuilder b) {
        int i = from;
        while (i < to) {
            int slash = url.indexOf('/', i);
            if (slash < 0 || slash > to) slash = to;
            if (slash > i) {
                String seg = url.substring(i, slash);
                String secret = SecretScrubber.segment(seg);
                b.append(secret != null ? secret : seg);
            }
            if (slash < to) b.append('/');
            i = slash + 1;
        }
    }

    // The last user id and its HMAC: a beacon's events (and a session's beacons, which arrive
    // together on one subtask since ingest keys by session) carry the same id, so one entry
    // saves most HMAC computations (~1 µs each) without holding more than one raw id.
    private String lastUserId;
    private String lastUserHash;

    /** Salted HMAC of the user id, 32 hex characters; null stays null. */
    public String userId(String userId) {
        if (userId == null) return null;
        if (userId.equals(lastUserId)) return lastUserHash;
        String hash = hmac(userId);
        lastUserId = userId;
        lastUserHash = hash;
        return hash;
    }

    private String hmac(String userId) {
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
