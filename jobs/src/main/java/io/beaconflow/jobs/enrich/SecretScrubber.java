package io.beaconflow.jobs.enrich;

import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds obvious secrets and personal data in text that browsers send (error messages, stack frames,
 * URL path segments and query values) and replaces them with a placeholder, so they never reach
 * state, Kafka or Elasticsearch. "Obvious" on purpose: each rule has a shape that ordinary text
 * rarely has, because a false positive destroys information an engineer needs (a route, an error
 * message), while a miss is still covered by the query-string allow-list for URLs.
 *
 * <ul>
 *   <li>emails ({@code a.b@c.example}, also {@code %40}-encoded) → {@code <email>} / {@code
 *       :email};
 *   <li>JWTs ({@code eyJ….….…}) and long tokens (a run of 24+ letters and digits that has both) →
 *       {@code <token>} / {@code :token};
 *   <li>{@code Bearer …}, {@code Basic …} credentials → {@code Bearer <redacted>};
 *   <li>{@code password=…}, {@code token: …}, {@code api_key=…} and similar → {@code
 *       password=<redacted>};
 *   <li>card-like digit runs (13 to 19 digits, spaces or dashes allowed, Luhn-valid, so order
 *       numbers and timestamps survive) → {@code <card>} / {@code :card}.
 * </ul>
 *
 * UUIDs and short ids are kept: they identify things, and the route normalizer already folds them
 * into placeholders for the aggregates. Stateless and thread-safe.
 */
public final class SecretScrubber {
    private SecretScrubber() {}

    /** Minimum run of letters and digits (with both kinds) that counts as a token. */
    static final int MIN_TOKEN_RUN = 24;

    /**
     * Query and {@code key=value} names whose values are secrets even when allow-listed. Compared
     * lower-case, with {@code -} read as {@code _}.
     */
    static final Set<String> SECRET_KEYS =
            Set.of(
                    "password",
                    "passwd",
                    "pwd",
                    "pass",
                    "secret",
                    "client_secret",
                    "token",
                    "access_token",
                    "refresh_token",
                    "id_token",
                    "auth_token",
                    "api_key",
                    "apikey",
                    "key",
                    "authorization",
                    "session",
                    "session_id",
                    "sessionid",
                    "sid",
                    "signature",
                    "sig",
                    "otp",
                    "code_verifier",
                    "private_key");

    private static final Pattern URL =
            Pattern.compile(
                    "\\b(?:https?|wss?)://[^\\s'\"<>()\\[\\]{}]+", Pattern.CASE_INSENSITIVE);
    // Every pattern runs in linear time on hostile text (an error message can be up to
    // ingest.max-record-bytes long): a match can only start where a run of its characters starts
    // (look-behind), and runs are taken possessively (++, {n,}+), so a failed attempt never
    // re-scans the run from each of its positions.
    private static final Pattern JWT =
            Pattern.compile(
                    "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]*+");
    private static final Pattern AUTH_SCHEME =
            Pattern.compile(
                    "\\b(Bearer|Basic|Token)(\\s+)[A-Za-z0-9._~+/=-]{8,}",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern KEY_VALUE =
            Pattern.compile(
                    "\\b(password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token"
                            + "|refresh[_-]?token|id[_-]?token|auth[_-]?token|api[_-]?key|apikey"
                            + "|authorization|session[_-]?id|sessionid|sid|signature|otp"
                            + "|private[_-]?key)"
                            // An auth scheme is left to AUTH_SCHEME, a redacted value alone.
                            + "(\\s*[=:]\\s*)(?!(?:Bearer|Basic|Token)\\s|<)"
                            + "(\"[^\"]{0,200}\"|'[^']{0,200}'|[^\\s&,;\"')]++)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern EMAIL =
            Pattern.compile(
                    "(?<![A-Za-z0-9._+-])[A-Za-z0-9._+-]++(?:@|%40)"
                            + "[A-Za-z0-9-]++(?:\\.[A-Za-z0-9-]++)*+(?<=\\.[A-Za-z]{2,63})");
    private static final Pattern DIGIT_RUN =
            Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_-]{" + MIN_TOKEN_RUN + ",}");

    /**
     * Free text (an error message, a stack trace): secrets replaced, URLs passed through {@code
     * url} (which removes query values and fragments). Null stays null.
     */
    public static String text(String s, UnaryOperator<String> url) {
        if (s == null || s.isEmpty()) return s;
        String out = replace(URL, s, m -> url.apply(m.group()));
        out = replace(JWT, out, m -> "<token>");
        out = replace(AUTH_SCHEME, out, m -> m.group(1) + m.group(2) + "<redacted>");
        out = replace(KEY_VALUE, out, m -> m.group(1) + m.group(2) + "<redacted>");
        out = replace(EMAIL, out, m -> "<email>");
        out = replace(DIGIT_RUN, out, m -> isCardNumber(m.group()) ? "<card>" : m.group());
        out = replace(WORD, out, m -> isToken(m.group()) ? "<token>" : m.group());
        return out;
    }

    /**
     * The placeholder for one URL path segment or query value that is a secret ({@code :email},
     * {@code :token}, {@code :card}), or null to keep it.
     */
    public static String segment(String seg) {
        if (seg == null || seg.length() < 6) return null;
        if ((seg.indexOf('@') >= 0 || seg.contains("%40")) && EMAIL.matcher(seg).find()) {
            return ":email";
        }
        if (seg.startsWith("eyJ") && JWT.matcher(seg).find()) return ":token";
        if (seg.length() >= 13 && isCardNumber(seg)) return ":card";
        if (seg.length() >= MIN_TOKEN_RUN && isToken(seg)) return ":token";
        return null;
    }

    /** True for query / form keys whose values are always secrets (see {@link #SECRET_KEYS}). */
    public static boolean isSecretKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 40) return false;
        return SECRET_KEYS.contains(key.toLowerCase(Locale.ROOT).replace('-', '_'));
    }

    /** A run of at least {@link #MIN_TOKEN_RUN} letters and digits containing both. */
    static boolean isToken(String s) {
        int run = 0;
        boolean digit = false;
        boolean letter = false;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : ' ';
            boolean d = c >= '0' && c <= '9';
            boolean l = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (d || l) {
                run++;
                digit |= d;
                letter |= l;
            } else {
                if (run >= MIN_TOKEN_RUN && digit && letter) return true;
                run = 0;
                digit = false;
                letter = false;
            }
        }
        return false;
    }

    /** 13 to 19 digits (spaces and dashes ignored, nothing else allowed) passing the Luhn check. */
    static boolean isCardNumber(String s) {
        int n = 0;
        int sum = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == ' ' || c == '-') continue;
            if (c < '0' || c > '9') return false;
            int d = c - '0';
            if (n % 2 == 1) {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            n++;
        }
        return n >= 13 && n <= 19 && sum % 10 == 0;
    }

    private static String replace(
            Pattern p, String s, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(s);
        if (!m.find()) return s;
        StringBuilder b = new StringBuilder(s.length());
        do {
            m.appendReplacement(b, Matcher.quoteReplacement(f.apply(m)));
        } while (m.find());
        m.appendTail(b);
        return b.toString();
    }
}
