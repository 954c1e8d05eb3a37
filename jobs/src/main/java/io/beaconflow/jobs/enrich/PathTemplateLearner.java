package io.beaconflow.jobs.enrich;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Learns path templates from traffic, in event time: a path position whose segment values have high
 * cardinality becomes {@link #PLACEHOLDER}. One instance learns the page routes ({@code
 * /category/leather-bag}, {@code /category/mini-garden}, … → {@code /category/:slug}), another the
 * API endpoints ({@code /api/topics/:slug}), so that API paths and page paths neither share a
 * prefix budget nor teach each other. It runs after the explicit rules and the built-in
 * placeholders of {@link RouteNormalizer} (segments starting with {@code :} are never counted), so
 * {@code /articles/:id/<slug>} learns {@code /articles/:id/:slug}. Only the first {@link
 * #MAX_DEPTH} positions of a path learn.
 *
 * <p>Every path gets the same template whatever order the events arrive in: the decision for an
 * event depends only on the event times and contents of all events, never on which parallel input
 * channel delivered first. A replay after a failover, or a second run over the same Kafka topic,
 * therefore names every route and endpoint the same (TemplateReplayPipelineITCase compares the
 * outputs of a run with a failover and one without exactly).
 *
 * <p><b>Evidence</b>: per app and prefix, the distinct next segments, each with the earliest event
 * time it was seen at; only the {@code learnAfter + 1} earliest (by time, then hash) are kept,
 * which is exactly the same set in any arrival order. The prefix learns when it has more than
 * {@code learnAfter}; {@code m}, the event time of the {@code (learnAfter + 1)}-th earliest
 * distinct segment, is when it had enough evidence in event time.
 *
 * <p><b>Effect</b>: the placeholder applies to the prefix's events from {@link #effectiveAt} = the
 * first {@link #GRID} boundary after {@code m + allowed-lateness + out-of-orderness}, earlier ones
 * keep their raw path. {@code m} can still move earlier while events up to allowed-lateness behind
 * the watermark may arrive; it is final once {@code watermark - lateness >= m} (the ingest router
 * sends anything later to the late output). An event is templated only when its answer can no
 * longer change: {@code :slug} when its time is at or after the effect time of the current {@code
 * m} (a later {@code m} can only be earlier), raw when its time is before {@link #earliestEffect}
 * of the watermark (the earliest effect any evidence still to come could give), otherwise it waits
 * ({@link #apply} answers null; the Flink shell holds it until a watermark decides it). The margin
 * of out-of-orderness means an event arriving within out-of-orderness of the watermark, the normal
 * case, is decided at once; only events far ahead of the watermark (a partition read ahead during a
 * catch-up, the first events before any watermark) wait.
 *
 * <p><b>Stable</b>: a learned prefix is never forgotten (a template that flipped back would split a
 * series in two and reset its detector). <b>Nested templates</b>: a prefix is the path as templated
 * so far for that event, so {@code /api/users/:slug/repos} counts evidence from the events after
 * {@code /api/users} learned and {@code /api/users/ann/repos} from those before; both are functions
 * of decided positions only. Raw prefixes below a learned one are dropped once no event before its
 * effect time can come ({@link #drainPruned()}: their raw values give their place in the
 * cardinality budget back).
 *
 * <p><b>Bounds and the one order-dependent part</b>: at most {@code learnAfter + 1} (64-bit hash,
 * time) pairs per prefix (never the values themselves) and {@code maxPrefixes} counted prefixes per
 * app. A prefix met when its app already has {@code maxPrefixes} counted is not counted and stays
 * raw ({@link #untracked()}), and which prefixes got the places depends on arrival order: a safety
 * net like the cardinality budgets, far from normal traffic. Per parallel instance, like {@link
 * CardinalityGuard}: with the same parallelism each instance sees the same sessions' events in a
 * replay. Known false positive: a site with more than {@code learnAfter} hand-made pages under one
 * prefix (documentation pages) sees them merged into one template.
 */
public final class PathTemplateLearner {
    /** What a learned position becomes. */
    public static final String PLACEHOLDER = ":slug";

    /** Deepest path position (0-based) that learns. */
    public static final int MAX_DEPTH = 8;

    /** Effect times are whole minutes (the shipped metric window): a template starts a window. */
    public static final long GRID = 60_000L;

    private final int learnAfter;
    private final int maxPrefixes;
    private final long latenessMs;
    private final long marginMs;

    /** app → prefix → effect time (the decision is final). */
    private final Map<String, Map<String, Long>> learned = new HashMap<>();

    /** app → prefix → the earliest distinct segments (decision still open). */
    private final Map<String, Map<String, Evidence>> candidates = new HashMap<>();

    /** Learned prefixes whose raw prefixes below are not pruned yet. */
    private final List<String[]> unpruned = new ArrayList<>();

    /** Prefixes pruned by the last {@link #advance}: {app, prefix}. */
    private final List<String[]> pruned = new ArrayList<>();

    /** Templates decided by {@link #advance} since the last {@link #drainLearned()}. */
    private final List<Learned> newlyLearned = new ArrayList<>();

    private long untracked;

    /**
     * Moves on every change that can turn {@link #apply}'s null into an answer: a full evidence set
     * that changes, a prefix learned or pruned, a restore. A caller that got null at one version
     * and one {@link #earliestEffect} gets null again, with no side effect, until either moves, so
     * it need not ask (the Flink shell's held events are asked again only then).
     */
    private long version;

    /**
     * @param learnAfter distinct segments after one prefix beyond which it learns; 0 = off
     * @param maxPrefixes prefixes counted per app
     * @param latenessMs ingest.allowed-lateness: no event older than watermark - this arrives
     * @param marginMs how far ahead of the watermark an event is still decided at once (ingest
     *     out-of-orderness)
     */
    public PathTemplateLearner(int learnAfter, int maxPrefixes, long latenessMs, long marginMs) {
        this.learnAfter = learnAfter;
        this.maxPrefixes = maxPrefixes;
        this.latenessMs = Math.max(0, latenessMs);
        this.marginMs = Math.max(0, marginMs);
    }

    /**
     * A template decided for good by {@link #advance}: its prefix takes the placeholder from {@code
     * effect} on. Drained with {@link #drainLearned()} (log line and counter).
     */
    public record Learned(String app, String prefix, long effect) {
        /** The learned template, e.g. {@code /category/:slug}. */
        public String template() {
            return prefix + '/' + PLACEHOLDER;
        }
    }

    /** The earliest distinct segments after one prefix: hash → earliest event time. */
    static final class Evidence {
        final HashMap<Long, Long> first = new HashMap<>();
        // The latest kept entry by (time, hash), kept up to date instead of found by a scan of the
        // set for every event of a full prefix (a slug prefix sees a new segment on most events;
        // the scans were 3 % of decoding and enriching a beacon, docs/benchmarks.md). Unknown
        // after a change that can move it backwards; found again by the next latestTime().
        private boolean latestKnown;
        private long latestTime;
        private long latestHash;

        /** Adds one segment; true when the kept set changed. Same result in any order. */
        boolean add(long hash, long time, int keep) {
            Long had = first.get(hash);
            if (had != null) {
                if (time < had) {
                    first.put(hash, time);
                    if (hash == latestHash) latestKnown = false;
                    return true;
                }
                return false;
            }
            if (first.size() < keep) {
                first.put(hash, time);
                if (latestKnown && before(latestTime, latestHash, time, hash)) {
                    latestTime = time;
                    latestHash = hash;
                }
                return true;
            }
            findLatest();
            if (before(time, hash, latestTime, latestHash)) {
                first.remove(latestHash);
                first.put(hash, time);
                latestKnown = false;
                return true;
            }
            return false;
        }

        /** Event time of the latest kept entry by (time, hash); the set must not be empty. */
        long latestTime() {
            findLatest();
            return latestTime;
        }

        private void findLatest() {
            if (latestKnown) {
                return;
            }
            boolean found = false;
            for (Map.Entry<Long, Long> x : first.entrySet()) {
                if (!found || before(latestTime, latestHash, x.getValue(), x.getKey())) {
                    latestTime = x.getValue();
                    latestHash = x.getKey();
                    found = true;
                }
            }
            latestKnown = found;
        }

        private static boolean before(long t1, long h1, long t2, long h2) {
            return t1 < t2 || (t1 == t2 && Long.compareUnsigned(h1, h2) < 0);
        }
    }

    /**
     * The path with learned positions replaced, or null when a position's answer could still change
     * (call again after a later {@link #advance}). Counts the path's segments as evidence on the
     * way (counting again is harmless: evidence is a set).
     *
     * @param watermark the watermark the answer may rely on (Long.MAX_VALUE: the input so far is
     *     all there is, for sequential use)
     */
    public String apply(String app, String path, long time, long watermark) {
        if (learnAfter <= 0 || path == null || path.length() < 2) {
            return path;
        }
        long rawBefore = earliestEffect(watermark);
        StringBuilder out = new StringBuilder(path.length());
        int n = path.length();
        int i = path.charAt(0) == '/' ? 1 : 0;
        int depth = 0;
        while (i <= n) {
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String seg = path.substring(i, j);
            if (!seg.isEmpty() && seg.charAt(0) != ':' && depth < MAX_DEPTH) {
                String prefix = out.toString();
                Boolean slug = decide(app, prefix, seg, time, rawBefore);
                if (slug == null) {
                    return null;
                }
                if (slug) seg = PLACEHOLDER;
            }
            out.append('/').append(seg);
            depth++;
            i = j + 1;
        }
        return out.toString();
    }

    /** True: placeholder; false: raw; null: not decided yet. */
    private Boolean decide(String app, String prefix, String seg, long time, long rawBefore) {
        Map<String, Long> appLearned = learned.get(app);
        Long effect = appLearned == null ? null : appLearned.get(prefix);
        if (effect != null) {
            return time >= effect;
        }
        Evidence ev = evidence(app, prefix);
        if (ev == null) {
            // Not counted (prefix budget spent): never learns.
            return false;
        }
        // Only a full set's change can turn a "wait" into an answer (the test above); a set
        // still filling cannot, nor can a prefix newly counted (the event that counts it asks).
        if (ev.add(hash(seg), time, learnAfter + 1) && ev.first.size() > learnAfter) version++;
        if (ev.first.size() > learnAfter && time >= effectiveAt(ev.latestTime())) {
            return true;
        }
        if (time < rawBefore) {
            return false;
        }
        return null;
    }

    private Evidence evidence(String app, String prefix) {
        Map<String, Evidence> byPrefix = candidates.computeIfAbsent(app, a -> new HashMap<>());
        Evidence ev = byPrefix.get(prefix);
        if (ev == null) {
            if (byPrefix.size() >= maxPrefixes) {
                untracked++;
                return null;
            }
            ev = new Evidence();
            byPrefix.put(prefix, ev);
        }
        return ev;
    }

    /**
     * When a prefix that had enough evidence at event time {@code m} starts to use the placeholder:
     * the first {@link #GRID} boundary after {@code m + lateness + margin}.
     */
    long effectiveAt(long m) {
        long t = saturatedAdd(m, latenessMs + marginMs);
        if (t == Long.MAX_VALUE) return Long.MAX_VALUE;
        if (t == Long.MIN_VALUE) return Long.MIN_VALUE;
        return saturatedAdd(Math.floorDiv(t, GRID) * GRID, GRID);
    }

    /**
     * The earliest effect time that evidence still to come could give, at this watermark: any such
     * evidence is at least watermark - lateness. Events before it whose prefix has not learned yet
     * keep their raw segment for good.
     */
    long earliestEffect(long watermark) {
        if (watermark == Long.MIN_VALUE) return Long.MIN_VALUE;
        return effectiveAt(saturatedAdd(watermark, -latenessMs));
    }

    /**
     * Makes the decisions the watermark settles: a prefix whose evidence can no longer change
     * (watermark - lateness >= m) learns for good; raw prefixes below a learned one are dropped
     * once no event before its effect time can arrive. Pruned prefixes are drained with {@link
     * #drainPruned()} (their endpoints give their budget place back).
     */
    public void advance(long watermark) {
        if (watermark == Long.MIN_VALUE || learnAfter <= 0) return;
        long settled = saturatedAdd(watermark, -latenessMs);
        for (Map.Entry<String, Map<String, Evidence>> a : candidates.entrySet()) {
            Iterator<Map.Entry<String, Evidence>> it = a.getValue().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Evidence> p = it.next();
                Evidence ev = p.getValue();
                if (ev.first.size() > learnAfter) {
                    long m = ev.latestTime();
                    if (m <= settled) {
                        long effect = effectiveAt(m);
                        learned.computeIfAbsent(a.getKey(), x -> new HashMap<>())
                                .put(p.getKey(), effect);
                        newlyLearned.add(new Learned(a.getKey(), p.getKey(), effect));
                        unpruned.add(new String[] {a.getKey(), p.getKey()});
                        it.remove();
                        version++;
                    }
                }
            }
        }
        Iterator<String[]> it = unpruned.iterator();
        while (it.hasNext()) {
            String[] ap = it.next();
            Long effect = learned.getOrDefault(ap[0], Map.of()).get(ap[1]);
            if (effect == null) {
                it.remove();
                continue;
            }
            if (effect <= settled) {
                // No event before the effect time can come any more: the raw prefixes below are
                // unreachable.
                String app = ap[0];
                String prefix = ap[1];
                Map<String, Evidence> byPrefix = candidates.get(app);
                if (byPrefix != null) {
                    byPrefix.keySet().removeIf(k -> coveredBy(k, prefix));
                }
                learned.get(app).keySet().removeIf(k -> coveredBy(k, prefix));
                pruned.add(ap);
                version++;
                it.remove();
            }
        }
    }

    /** {app, prefix} of templates whose raw paths can no longer occur, since the last call. */
    public List<String[]> drainPruned() {
        if (pruned.isEmpty()) return List.of();
        List<String[]> out = new ArrayList<>(pruned);
        pruned.clear();
        return out;
    }

    /** Templates decided since the last call, in the order {@link #advance} decided them. */
    public List<Learned> drainLearned() {
        if (newlyLearned.isEmpty()) return List.of();
        List<Learned> out = new ArrayList<>(newlyLearned);
        newlyLearned.clear();
        return out;
    }

    /** See {@link #version}. */
    long version() {
        return version;
    }

    /** Segments not counted because their app already had {@code maxPrefixes} prefixes counted. */
    public long untracked() {
        return untracked;
    }

    /** Every learned template of an app with its effect time, sorted (tests, docs, logs). */
    public Map<String, Long> templates(String app) {
        Map<String, Long> out = new java.util.TreeMap<>();
        learned.getOrDefault(app, Map.of()).forEach((p, t) -> out.put(p + '/' + PLACEHOLDER, t));
        return out;
    }

    /** Prefixes counted (decision open) for an app (tests and the memory check). */
    public int countedPrefixes(String app) {
        Map<String, Evidence> byPrefix = candidates.get(app);
        return byPrefix == null ? 0 : byPrefix.size();
    }

    /**
     * Operator state: {@code T \t app \t prefix \t effect} per learned prefix (and {@code P} for
     * one whose raw prefixes are pruned), {@code E \t app \t prefix \t hash:time,…} per counted
     * prefix (hex hash, decimal time).
     */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        java.util.Set<String> open = new java.util.HashSet<>();
        for (String[] ap : unpruned) open.add(ap[0] + '\t' + ap[1]);
        learned.forEach(
                (app, ps) ->
                        ps.forEach(
                                (p, t) ->
                                        out.add(
                                                (open.contains(app + '\t' + p) ? "T\t" : "P\t")
                                                        + app
                                                        + '\t'
                                                        + p
                                                        + '\t'
                                                        + t)));
        candidates.forEach(
                (app, byPrefix) ->
                        byPrefix.forEach(
                                (p, ev) -> {
                                    StringBuilder sb = new StringBuilder("E\t");
                                    sb.append(app).append('\t').append(p).append('\t');
                                    boolean first = true;
                                    for (Map.Entry<Long, Long> x : ev.first.entrySet()) {
                                        if (!first) sb.append(',');
                                        sb.append(Long.toHexString(x.getKey()))
                                                .append(':')
                                                .append(x.getValue());
                                        first = false;
                                    }
                                    out.add(sb.toString());
                                }));
        return out;
    }

    /**
     * Adds the entries of {@link #snapshot()}, and those of the arrival-order {@code
     * RouteTemplateLearner} this class replaced (savepoints up to 2026-12-04: {@code L \t app \t
     * prefix} per learned prefix, {@code C \t app \t prefix \t hash,…} per counted one): a prefix
     * learned there applies from the beginning of time, a counted segment counts as seen at the
     * beginning of time (docs/cluster.md). Malformed entries are skipped.
     */
    public void restore(Iterable<String> entries) {
        version++;
        for (String e : entries) {
            String[] f = e.split("\t", -1);
            try {
                if (f.length == 4 && (f[0].equals("T") || f[0].equals("P"))) {
                    learned.computeIfAbsent(f[1], a -> new HashMap<>())
                            .put(f[2], Long.parseLong(f[3]));
                    if (f[0].equals("T")) unpruned.add(new String[] {f[1], f[2]});
                } else if (f.length == 4 && f[0].equals("E")) {
                    Evidence ev = restoredEvidence(f[1], f[2]);
                    if (!f[3].isEmpty()) {
                        for (String x : f[3].split(",")) {
                            int c = x.indexOf(':');
                            ev.add(
                                    Long.parseUnsignedLong(x.substring(0, c), 16),
                                    Long.parseLong(x.substring(c + 1)),
                                    learnAfter + 1);
                        }
                    }
                } else if (f.length == 3 && f[0].equals("L")) {
                    // Legacy: the next advance() prunes the counts below it, as the old learner
                    // dropped them when it learned.
                    learned.computeIfAbsent(f[1], a -> new HashMap<>()).put(f[2], Long.MIN_VALUE);
                    unpruned.add(new String[] {f[1], f[2]});
                } else if (f.length == 4 && f[0].equals("C")) {
                    Evidence ev = restoredEvidence(f[1], f[2]);
                    if (!f[3].isEmpty()) {
                        for (String h : f[3].split(",")) {
                            ev.add(Long.parseUnsignedLong(h, 16), Long.MIN_VALUE, learnAfter + 1);
                        }
                    }
                }
            } catch (RuntimeException malformed) {
                // skipped, as documented
            }
        }
    }

    private Evidence restoredEvidence(String app, String prefix) {
        return candidates
                .computeIfAbsent(app, a -> new HashMap<>())
                .computeIfAbsent(prefix, p -> new Evidence());
    }

    /**
     * Restores the entries whose app ends with {@code suffix} (the suffix taken off) and returns
     * the others. Savepoints up to 2026-12-03 kept an app's API entries in the route learner under
     * {@code app NUL api}; they belong to the endpoint learner.
     */
    public List<String> restoreNamespace(Iterable<String> entries, String suffix) {
        List<String> mine = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String e : entries) {
            String[] f = e.split("\t", -1);
            if (f.length >= 3 && f[1].endsWith(suffix)) {
                f[1] = f[1].substring(0, f[1].length() - suffix.length());
                mine.add(String.join("\t", f));
            } else {
                rest.add(e);
            }
        }
        restore(mine);
        return rest;
    }

    /** True when route or prefix {@code path} lies under {@code prefix}'s next segment. */
    public static boolean isBelow(String path, String prefix) {
        return path.length() > prefix.length() + 1
                && path.startsWith(prefix)
                && path.charAt(prefix.length()) == '/';
    }

    /**
     * True when {@code path} is one this template rewrites: a path under {@code prefix} whose next
     * segment is not a placeholder (once the template is in effect, no such path is produced).
     */
    public static boolean coveredBy(String path, String prefix) {
        return isBelow(path, prefix) && path.charAt(prefix.length() + 1) != ':';
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

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
