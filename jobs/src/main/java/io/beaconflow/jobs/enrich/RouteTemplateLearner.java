package io.beaconflow.jobs.enrich;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns route templates from traffic: a path position whose segment values have high cardinality
 * becomes a {@link #PLACEHOLDER}. {@code /category/leather-bag}, {@code /category/mini-garden}, …
 * become {@code /category/:slug} once the prefix {@code /category} (per app) has been followed by
 * more than {@code learnAfter} distinct segments. Runs after the explicit rules and the built-in
 * placeholders of {@link RouteNormalizer}, so {@code /articles/:id/<slug>} learns {@code
 * /articles/:id/:slug}.
 *
 * <p><b>Stable</b>: a learned prefix is never forgotten (a template that flipped back would split a
 * series in two and reset its detector). <b>Bounded</b>: at most {@code maxPrefixes} prefixes per
 * app are counted, each with at most {@code learnAfter} 64-bit hashes of segment values (never the
 * values themselves); a prefix that learns drops its counts and every count below it. Only the
 * first {@link #MAX_DEPTH} positions of a path learn.
 *
 * <p><b>Replays</b>: learned prefixes and counts are operator state ({@link #snapshot()}), so a
 * restore continues exactly where the checkpoint was. Which event tips a prefix over depends on
 * arrival order, so the views of a new slug route before learning keep their raw route (at most
 * {@code learnAfter} distinct routes per prefix); the learned set itself does not depend on order
 * once each prefix has seen enough traffic. Per parallel instance, like {@link CardinalityGuard}.
 * Known false positive: a site with more than {@code learnAfter} hand-made pages under one prefix
 * (documentation pages) sees them merged into one template.
 */
public final class RouteTemplateLearner {
    /** What a learned position becomes. */
    public static final String PLACEHOLDER = ":slug";

    /** Deepest path position (0-based) that learns. */
    public static final int MAX_DEPTH = 8;

    private final int learnAfter;
    private final int maxPrefixes;

    /** app → prefixes whose next segment is a placeholder. */
    private final Map<String, Set<String>> learned = new HashMap<>();

    /** app → prefix → hashes of the distinct segments seen after it. */
    private final Map<String, Map<String, Set<Long>>> candidates = new HashMap<>();

    private final List<Learned> newlyLearned = new ArrayList<>();
    private long untracked;

    /** A template learned by {@link #apply}, drained with {@link #drainLearned()}. */
    public static final class Learned {
        public final String app;

        /** The prefix whose next segment is now {@link #PLACEHOLDER} ("" = the first segment). */
        public final String prefix;

        Learned(String app, String prefix) {
            this.app = app;
            this.prefix = prefix;
        }

        /** The learned template, e.g. {@code /category/:slug}. */
        public String template() {
            return prefix + '/' + PLACEHOLDER;
        }
    }

    /**
     * @param learnAfter distinct segment values after one prefix beyond which it learns; 0 = off
     * @param maxPrefixes prefixes counted per app
     */
    public RouteTemplateLearner(int learnAfter, int maxPrefixes) {
        this.learnAfter = learnAfter;
        this.maxPrefixes = maxPrefixes;
    }

    /** The route with learned positions replaced, learning from it on the way. */
    public String apply(String app, String route) {
        if (learnAfter <= 0 || route == null || route.length() < 2) {
            return route;
        }
        Set<String> appLearned = learned.get(app);
        StringBuilder out = new StringBuilder(route.length());
        int n = route.length();
        int i = route.charAt(0) == '/' ? 1 : 0;
        int depth = 0;
        while (i <= n) {
            int j = route.indexOf('/', i);
            if (j < 0) j = n;
            String seg = route.substring(i, j);
            if (!seg.isEmpty() && seg.charAt(0) != ':') {
                String prefix = out.toString();
                if (appLearned != null && appLearned.contains(prefix)) {
                    seg = PLACEHOLDER;
                } else if (depth < MAX_DEPTH && observe(app, prefix, seg)) {
                    seg = PLACEHOLDER;
                    appLearned = learned.get(app);
                }
            }
            out.append('/').append(seg);
            depth++;
            i = j + 1;
        }
        return out.toString();
    }

    /** Counts {@code seg} after {@code prefix}; true when that makes the prefix learn. */
    private boolean observe(String app, String prefix, String seg) {
        Map<String, Set<Long>> byPrefix = candidates.computeIfAbsent(app, a -> new HashMap<>());
        Set<Long> seen = byPrefix.get(prefix);
        if (seen == null) {
            if (byPrefix.size() >= maxPrefixes) {
                untracked++;
                return false;
            }
            seen = new HashSet<>();
            byPrefix.put(prefix, seen);
        }
        seen.add(hash(seg));
        if (seen.size() <= learnAfter) {
            return false;
        }
        learn(app, prefix);
        newlyLearned.add(new Learned(app, prefix));
        return true;
    }

    private void learn(String app, String prefix) {
        Set<String> appLearned = learned.computeIfAbsent(app, a -> new HashSet<>());
        appLearned.add(prefix);
        // Everything below the prefix is unreachable now: its paths all go through the placeholder.
        appLearned.removeIf(p -> isBelow(p, prefix));
        Map<String, Set<Long>> byPrefix = candidates.get(app);
        if (byPrefix != null) {
            byPrefix.remove(prefix);
            byPrefix.keySet().removeIf(p -> isBelow(p, prefix));
        }
    }

    /** True when route or prefix {@code path} lies under {@code prefix}'s next segment. */
    public static boolean isBelow(String path, String prefix) {
        return path.length() > prefix.length() + 1
                && path.startsWith(prefix)
                && path.charAt(prefix.length()) == '/';
    }

    /**
     * True when {@code route} is one this template now rewrites: a route under {@code prefix} whose
     * next segment is not a placeholder (such routes can never be produced again).
     */
    public static boolean coveredBy(String route, String prefix) {
        return isBelow(route, prefix) && route.charAt(prefix.length() + 1) != ':';
    }

    /** Templates learned since the last call, in learning order. */
    public List<Learned> drainLearned() {
        if (newlyLearned.isEmpty()) {
            return List.of();
        }
        List<Learned> out = new ArrayList<>(newlyLearned);
        newlyLearned.clear();
        return out;
    }

    /** Segments not counted because their app already had {@code maxPrefixes} prefixes counted. */
    public long untracked() {
        return untracked;
    }

    /** Every learned template of an app, sorted (for tests, docs and logs). */
    public List<String> templates(String app) {
        List<String> out = new ArrayList<>();
        for (String p : learned.getOrDefault(app, Set.of())) {
            out.add(p + '/' + PLACEHOLDER);
        }
        out.sort(null);
        return out;
    }

    /** Prefixes currently counted for an app (for tests and the memory check). */
    public int countedPrefixes(String app) {
        Map<String, Set<Long>> byPrefix = candidates.get(app);
        return byPrefix == null ? 0 : byPrefix.size();
    }

    /**
     * Operator state: {@code L \t app \t prefix} per learned prefix, {@code C \t app \t prefix \t
     * hash,hash,…} per counted prefix.
     */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        learned.forEach((app, ps) -> ps.forEach(p -> out.add("L\t" + app + '\t' + p)));
        candidates.forEach(
                (app, byPrefix) ->
                        byPrefix.forEach(
                                (p, hashes) -> {
                                    StringBuilder sb = new StringBuilder("C\t");
                                    sb.append(app).append('\t').append(p).append('\t');
                                    boolean first = true;
                                    for (long h : hashes) {
                                        if (!first) sb.append(',');
                                        sb.append(Long.toHexString(h));
                                        first = false;
                                    }
                                    out.add(sb.toString());
                                }));
        return out;
    }

    /** Adds the entries of {@link #snapshot()}; malformed entries are skipped. */
    public void restore(Iterable<String> entries) {
        List<String[]> counts = new ArrayList<>();
        for (String e : entries) {
            String[] f = e.split("\t", -1);
            if (f.length == 3 && f[0].equals("L")) {
                learned.computeIfAbsent(f[1], a -> new HashSet<>()).add(f[2]);
            } else if (f.length == 4 && f[0].equals("C")) {
                counts.add(f);
            }
        }
        // Counts after learned prefixes, so counts a learned prefix made obsolete are not kept.
        for (String[] f : counts) {
            Set<String> appLearned = learned.getOrDefault(f[1], Set.of());
            boolean obsolete = appLearned.contains(f[2]);
            for (String p : appLearned) {
                obsolete |= isBelow(f[2], p);
            }
            if (obsolete) {
                continue;
            }
            Set<Long> hashes =
                    candidates
                            .computeIfAbsent(f[1], a -> new HashMap<>())
                            .computeIfAbsent(f[2], p -> new HashSet<>());
            if (!f[3].isEmpty()) {
                for (String h : f[3].split(",")) {
                    hashes.add(Long.parseUnsignedLong(h, 16));
                }
            }
        }
    }

    /** 64-bit FNV-1a: with at most a few dozen values per prefix, collisions are negligible. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int k = 0; k < s.length(); k++) {
            h ^= s.charAt(k);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
