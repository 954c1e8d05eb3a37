package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig.RouteRule;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a page URL into a low-cardinality route template: {@code
 * https://shop.example/orders/8812/items/3f2a…?tab=1} → {@code /orders/:id/items/:hash}.
 *
 * <p>App-specific regex rules (config {@code ingest.routes.rules}) run first on the path; then
 * every path segment that looks like an identifier is replaced by a placeholder: {@code :id}
 * (digits), {@code :uuid}, {@code :hash} (16+ hex digits), {@code :email}, {@code :token} (24+
 * characters of letters, digits, {@code -} or {@code _} with at least one digit). Segments are
 * classified by hand-written character loops, not regexes: this runs for every event.
 */
public final class RouteNormalizer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<RouteRule> rules;
    private transient List<CompiledRule> compiled;

    public RouteNormalizer(List<RouteRule> rules) {
        this.rules = new ArrayList<>(rules);
    }

    private static final class CompiledRule {
        final String app;
        final Pattern pattern;
        final String replacement;

        CompiledRule(RouteRule r) {
            this.app = r.app == null ? "*" : r.app;
            this.pattern = Pattern.compile(r.pattern);
            this.replacement = r.replacement;
        }
    }

    /** The route template of a URL (absolute or path-only); {@code /} when there is no path. */
    public String normalize(String app, String url) {
        String path = pathOf(url);
        for (CompiledRule rule : compiled()) {
            if (rule.app.equals("*") || rule.app.equals(app)) {
                Matcher m = rule.pattern.matcher(path);
                if (m.matches()) {
                    path = m.replaceAll(rule.replacement);
                }
            }
        }
        return placeholders(path);
    }

    static String pathOf(String url) {
        if (url == null || url.isEmpty()) {
            return "/";
        }
        int start = 0;
        int scheme = url.indexOf("://");
        if (scheme >= 0 && scheme < 16) {
            int slash = url.indexOf('/', scheme + 3);
            if (slash < 0) {
                return "/";
            }
            start = slash;
        }
        int end = pathEnd(url, start);
        String path = url.substring(start, end);
        if (path.isEmpty() || path.charAt(0) != '/') {
            path = "/" + path;
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String hashRoute = hashRoute(url, start);
        if (hashRoute != null) {
            // A single-page app routed by the fragment: every view would be "/" without it.
            path = (path.equals("/") ? "" : path) + "/" + hashRoute;
        }
        return path;
    }

    /** Where the path that starts at {@code from} ends: at its query, its fragment or the end. */
    private static int pathEnd(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') return i;
        }
        return url.length();
    }

    /**
     * The hash route of a single-page app ({@code #/orders/42} or {@code #!/orders/42}, the forms
     * PiiScrubber keeps) as {@code #/orders/42} / {@code #!/orders/42} without its own query and
     * trailing slash, or null when the fragment is not a route.
     */
    static String hashRoute(String url, int from) {
        int hash = url.indexOf('#', from);
        if (hash < 0) {
            return null;
        }
        int slash;
        if (url.startsWith("#/", hash)) {
            slash = hash + 1;
        } else if (url.startsWith("#!/", hash)) {
            slash = hash + 2;
        } else {
            return null;
        }
        int end = pathEnd(url, slash);
        String route = url.substring(hash, end);
        if (end - slash > 1 && route.endsWith("/")) {
            route = route.substring(0, route.length() - 1);
        }
        return route;
    }

    static String placeholders(String path) {
        StringBuilder out = new StringBuilder(path.length());
        int i = 0;
        int n = path.length();
        while (i < n) {
            if (path.charAt(i) == '/') {
                out.append('/');
                i++;
                continue;
            }
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String seg = path.substring(i, j);
            String placeholder = classify(seg);
            out.append(placeholder != null ? placeholder : seg);
            i = j;
        }
        return out.toString();
    }

    /** The placeholder for an identifier-like segment, or null to keep the segment. */
    static String classify(String seg) {
        int len = seg.length();
        if (len == 0) return null;
        boolean allDigits = true;
        boolean allHex = true;
        boolean tokenChars = true;
        boolean anyDigit = false;
        boolean at = false;
        boolean dot = false;
        for (int k = 0; k < len; k++) {
            char c = seg.charAt(k);
            boolean digit = c >= '0' && c <= '9';
            boolean hexLetter = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            anyDigit |= digit;
            allDigits &= digit;
            allHex &= digit || hexLetter;
            tokenChars &= digit || letter || c == '-' || c == '_';
            at |= c == '@';
            dot |= c == '.';
        }
        if (allDigits) return ":id";
        if (isUuid(seg)) return ":uuid";
        if (allHex && len >= 16 && anyDigit) return ":hash";
        if ((at || seg.contains("%40")) && dot) return ":email";
        if (tokenChars && len >= 24 && anyDigit) return ":token";
        return null;
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) return false;
        for (int k = 0; k < 36; k++) {
            char c = s.charAt(k);
            if (k == 8 || k == 13 || k == 18 || k == 23) {
                if (c != '-') return false;
            } else if (!((c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private List<CompiledRule> compiled() {
        if (compiled == null) {
            List<CompiledRule> c = new ArrayList<>();
            for (RouteRule r : rules) {
                c.add(new CompiledRule(r));
            }
            compiled = c;
        }
        return compiled;
    }
}
