package io.beaconflow.jobs.enrich;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learns route templates from traffic in <b>event-time epochs</b>: a path position whose segment
 * values have high cardinality becomes a {@link #PLACEHOLDER}. {@code /category/leather-bag},
 * {@code /category/mini-garden}, … become {@code /category/:slug} once the prefix {@code /category}
 * (per app) has been followed by more than {@code learnAfter} distinct segments. Runs after the
 * explicit rules and the built-in placeholders of {@link RouteNormalizer} (the stateless classifier
 * of identifiers: numbers, uuids, hex hashes, e-mails, long tokens), so {@code
 * /articles/:id/<slug>} learns {@code /articles/:id/:slug}.
 *
 * <p><b>Why epochs</b>: the template an event gets must depend only on the event and its event
 * time, never on arrival order, on which interleaving of Kafka partitions an instance saw, or on
 * where a failover cut the stream; otherwise a replay splits metric rows differently. So the
 * learner never decides while events of a period can still come:
 *
 * <ol>
 *   <li>{@link #observe} files each path under its event-time epoch ({@code epochMs} long) in a
 *       <i>bottom-k sample</i>: the {@code pathsPerEpoch} distinct paths with the smallest 64-bit
 *       hashes, a set that does not depend on the order it was filled in;
 *   <li>{@link #advance(long)} with the watermark decides every epoch E whose end + allowed
 *       lateness the watermark has passed: no event of E can arrive after that (the ingest router
 *       sends it to the late output). It counts E's sample in sorted order, so the outcome is a
 *       function of the set of events alone; a prefix that tips over is learned <i>effective from
 *       epoch E + {@code delayEpochs}</i>;
 *   <li>{@link #apply} rewrites a path with the templates effective at the event's own epoch (a
 *       late event gets the templates valid at its event time, from a short history); {@link
 *       #isFinal} says whether every decision that epoch needs has been made. With {@code
 *       delayEpochs} ≥ 1 + (allowed lateness + out-of-orderness) / epoch, an event on time always
 *       finds its epoch final; the operator holds back the rare one that does not.
 * </ol>
 *
 * <p><b>Stable</b>: a learned prefix is never forgotten (a template that flipped back would split a
 * series in two and reset its detector). <b>Bounded</b>: at most {@code maxPrefixes} prefixes per
 * app are counted, each with at most {@code learnAfter} 64-bit hashes of segment values (never the
 * values themselves); a prefix that learns drops its counts and every count below it; learned
 * prefixes below a learned prefix are dropped once no event old enough to need them can come. The
 * per-epoch samples hold at most {@code pathsPerEpoch} paths per app for the open epochs (about
 * (allowed lateness + out-of-orderness) / epoch + 2 of them). Only the first {@link #MAX_DEPTH}
 * positions of a path learn.
 *
 * <p><b>Replays</b>: learned prefixes, counts, samples and the last decided epoch are operator
 * state ({@link #snapshot()}); a restore continues exactly. The learner is per parallel instance
 * (each sees the sessions its key groups hold, a set fixed by the parallelism, so a replay at the
 * same parallelism learns the same); docs/DISCUSSION.md says why not one keyed learner per app.
 * Known false positive: a site with more than {@code learnAfter} hand-made pages under one prefix
 * (documentation pages) sees them merged into one template.
 */
public final class RouteTemplateLearner {
    /** What a learned position becomes. */
    public static final String PLACEHOLDER = ":slug";

    /** Deepest path position (0-based) that learns. */
    public static final int MAX_DEPTH = 8;

    /** No epoch decided yet. */
    static final long NONE = Long.MIN_VALUE;

    private final int learnAfter;
    private final int maxPrefixes;
    private final long epochMs;
    private final int delayEpochs;
    private final long latenessMs;
    private final int pathsPerEpoch;

    /** app → prefix whose next segment is a placeholder → first epoch it applies to. */
    private final Map<String, Map<String, Long>> learned = new HashMap<>();

    /** app → prefix → hashes of the distinct segments seen after it (decided epochs only). */
    private final Map<String, Map<String, Set<Long>>> candidates = new HashMap<>();

    /** app → epoch → bottom-k sample of that epoch's distinct paths (hash → path). */
    private final Map<String, TreeMap<Long, TreeMap<Long, String>>> samples = new HashMap<>();

    /** Every epoch up to this one is decided. */
    private long decidedThrough = NONE;

    private final List<Learned> newlyLearned = new ArrayList<>();
    private long untracked;
    private long lateObservations;

    /** A template learned by {@link #advance}, drained with {@link #drainLearned()}. */
    public static final class Learned {
        public final String app;

        /** The prefix whose next segment is now {@link #PLACEHOLDER} ("" = the first segment). */
        public final String prefix;

        /** Events from this event time on get the template. */
        public final long effectiveFrom;

        Learned(String app, String prefix, long effectiveFrom) {
            this.app = app;
            this.prefix = prefix;
            this.effectiveFrom = effectiveFrom;
        }

        /** The learned template, e.g. {@code /category/:slug}. */
        public String template() {
            return prefix + '/' + PLACEHOLDER;
        }
    }

    /**
     * @param learnAfter distinct segment values after one prefix beyond which it learns; 0 = off
     * @param maxPrefixes prefixes counted per app
     * @param epochMs length of a learning epoch in event time
     * @param delayEpochs counts of epoch E apply from epoch E + delayEpochs (≥ 1)
     * @param latenessMs the job's allowed lateness: an epoch is decided once the watermark is this
     *     far past its end
     * @param pathsPerEpoch distinct paths per app and epoch that count (bottom-k sample)
     */
    public RouteTemplateLearner(
            int learnAfter,
            int maxPrefixes,
            long epochMs,
            int delayEpochs,
            long latenessMs,
            int pathsPerEpoch) {
        if (epochMs <= 0 || delayEpochs < 1 || latenessMs < 0 || pathsPerEpoch < 1) {
            throw new IllegalArgumentException(
                    "epochMs > 0, delayEpochs >= 1, latenessMs >= 0 and pathsPerEpoch >= 1");
        }
        this.learnAfter = learnAfter;
        this.maxPrefixes = maxPrefixes;
        this.epochMs = epochMs;
        this.delayEpochs = delayEpochs;
        this.latenessMs = latenessMs;
        this.pathsPerEpoch = pathsPerEpoch;
    }

    /**
     * The smallest epoch delay with which an event on time (at most {@code outOfOrdernessMs} ahead
     * of the watermark) always finds the templates of its epoch decided.
     */
    public static int delayFor(long epochMs, long latenessMs, long outOfOrdernessMs) {
        long wait = latenessMs + outOfOrdernessMs;
        return (int) (1 + (wait + epochMs - 1) / epochMs);
    }

    public boolean enabled() {
        return learnAfter > 0;
    }

    long epochOf(long eventTime) {
        return Math.floorDiv(eventTime, epochMs);
    }

    /** Files {@code path} of {@code app} under the epoch of {@code eventTime} for learning. */
    public void observe(String app, String path, long eventTime) {
        if (learnAfter <= 0 || path == null || path.length() < 2) {
            return;
        }
        long epoch = epochOf(eventTime);
        if (decidedThrough != NONE && epoch <= decidedThrough) {
            // Cannot happen behind the ingest router (such an event is late); counted, not used,
            // so a decision never changes after it was made.
            lateObservations++;
            return;
        }
        TreeMap<Long, String> sample =
                samples.computeIfAbsent(app, a -> new TreeMap<>())
                        .computeIfAbsent(epoch, x -> new TreeMap<>());
        long h = hash(path);
        String there = sample.get(h);
        if (there != null) {
            // A 64-bit collision keeps the smaller path, whatever came first.
            if (path.compareTo(there) < 0) sample.put(h, path);
            return;
        }
        if (sample.size() < pathsPerEpoch) {
            sample.put(h, path);
        } else if (h < sample.lastKey()) {
            sample.put(h, path);
            sample.pollLastEntry();
        }
    }

    /**
     * Decides every epoch whose end + allowed lateness is at or before {@code watermark}; what it
     * learns is drained with {@link #drainLearned()}. Call with non-decreasing values (the
     * watermark, or the timestamp of a timer being fired).
     */
    public void advance(long watermark) {
        if (learnAfter <= 0 || watermark == Long.MIN_VALUE) {
            return;
        }
        long target = Math.floorDiv(watermark - latenessMs, epochMs) - 1;
        if (decidedThrough != NONE && target <= decidedThrough) {
            return;
        }
        List<String> apps = new ArrayList<>(samples.keySet());
        apps.sort(null);
        for (String app : apps) {
            TreeMap<Long, TreeMap<Long, String>> byEpoch = samples.get(app);
            Iterator<Map.Entry<Long, TreeMap<Long, String>>> it = byEpoch.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, TreeMap<Long, String>> x = it.next();
                if (x.getKey() > target) break;
                // Sorted: the outcome of one epoch does not depend on the order paths came in.
                for (String path : new TreeSet<>(x.getValue().values())) {
                    count(app, path, x.getKey());
                }
                it.remove();
            }
            if (byEpoch.isEmpty()) samples.remove(app);
        }
        decidedThrough = target;
        prune(epochOf(watermark - latenessMs));
    }

    /** True when every decision that applies to an event at {@code eventTime} has been made. */
    public boolean isFinal(long eventTime) {
        return learnAfter <= 0
                || (decidedThrough != NONE && epochOf(eventTime) - delayEpochs <= decidedThrough);
    }

    /** The epoch up to which everything is decided (for tests). */
    long decidedThrough() {
        return decidedThrough;
    }

    /** The path with the positions learned and effective at {@code eventTime} replaced. */
    public String apply(String app, String path, long eventTime) {
        if (learnAfter <= 0 || path == null || path.length() < 2) {
            return path;
        }
        Map<String, Long> appLearned = learned.get(app);
        if (appLearned == null || appLearned.isEmpty()) {
            return path;
        }
        long epoch = epochOf(eventTime);
        StringBuilder out = new StringBuilder(path.length());
        int n = path.length();
        int i = path.charAt(0) == '/' ? 1 : 0;
        while (i <= n) {
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String seg = path.substring(i, j);
            if (!seg.isEmpty() && seg.charAt(0) != ':') {
                Long from = appLearned.get(out.toString());
                if (from != null && from <= epoch) seg = PLACEHOLDER;
            }
            out.append('/').append(seg);
            i = j + 1;
        }
        return out.toString();
    }

    /** Counts the segments of a decided path, learning prefixes that tip over. */
    private void count(String app, String path, long epoch) {
        Map<String, Long> appLearned = learned.get(app);
        StringBuilder out = new StringBuilder(path.length());
        int n = path.length();
        int i = path.charAt(0) == '/' ? 1 : 0;
        int depth = 0;
        while (i <= n) {
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String seg = path.substring(i, j);
            if (!seg.isEmpty() && seg.charAt(0) != ':') {
                String prefix = out.toString();
                // Counting goes through every template learned so far, effective or not yet:
                // /category/:slug/<x> counts under one prefix from the epoch /category learned.
                if (appLearned != null && appLearned.containsKey(prefix)) {
                    seg = PLACEHOLDER;
                } else if (depth < MAX_DEPTH && countSegment(app, prefix, seg, epoch)) {
                    seg = PLACEHOLDER;
                    appLearned = learned.get(app);
                }
            }
            out.append('/').append(seg);
            depth++;
            i = j + 1;
        }
    }

    /** Counts {@code seg} after {@code prefix}; true when that makes the prefix learn. */
    private boolean countSegment(String app, String prefix, String seg, long epoch) {
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
        long from = epoch + delayEpochs;
        learned.computeIfAbsent(app, a -> new HashMap<>()).put(prefix, from);
        // Counting never reaches a raw segment after the prefix again: its paths all go through the
        // placeholder (prefixes through a placeholder, /p/:slug or /p/:id, stay reachable).
        byPrefix.remove(prefix);
        byPrefix.keySet().removeIf(p -> coveredBy(p, prefix));
        newlyLearned.add(new Learned(app, prefix, from * epochMs));
        return true;
    }

    /**
     * Drops learned prefixes under a raw segment after a learned prefix ({@code /u/alice} under
     * {@code /u}) once that one applies to every event that can still come (event time at or after
     * the watermark − allowed lateness): they are unreachable. {@code /u/:slug} stays.
     */
    private void prune(long oldestEpochToCome) {
        for (Map<String, Long> appLearned : learned.values()) {
            List<String> covering = new ArrayList<>();
            appLearned.forEach(
                    (p, from) -> {
                        if (from <= oldestEpochToCome) covering.add(p);
                    });
            for (String p : covering) {
                appLearned.keySet().removeIf(q -> coveredBy(q, p));
            }
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
     * next segment is not a placeholder (such routes can only come again from late events).
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

    /** Observations of an epoch already decided (none behind the ingest router). */
    public long lateObservations() {
        return lateObservations;
    }

    /** Every learned template of an app, effective or not yet, sorted (tests, docs and logs). */
    public List<String> templates(String app) {
        List<String> out = new ArrayList<>();
        for (String p : learned.getOrDefault(app, Map.of()).keySet()) {
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
     * Operator state: {@code D \t epoch} (decided through), {@code L \t app \t prefix \t epoch} per
     * learned prefix, {@code C \t app \t prefix \t hash,hash,…} per counted prefix, {@code S \t app
     * \t epoch \t path} per sampled path of an undecided epoch.
     */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        if (learnAfter <= 0) {
            return out;
        }
        if (decidedThrough != NONE) out.add("D\t" + decidedThrough);
        learned.forEach(
                (app, ps) ->
                        ps.forEach((p, from) -> out.add("L\t" + app + '\t' + p + '\t' + from)));
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
        samples.forEach(
                (app, byEpoch) ->
                        byEpoch.forEach(
                                (epoch, sample) ->
                                        sample.values()
                                                .forEach(
                                                        p ->
                                                                out.add(
                                                                        "S\t" + app + '\t' + epoch
                                                                                + '\t' + p))));
        return out;
    }

    /**
     * Adds the entries of {@link #snapshot()}; malformed entries are skipped. A learned prefix
     * without an epoch (the format before epochs) applies to every event.
     */
    public void restore(Iterable<String> entries) {
        List<String[]> counts = new ArrayList<>();
        List<String[]> sampled = new ArrayList<>();
        for (String e : entries) {
            String[] f = e.split("\t", -1);
            if (f.length == 2 && f[0].equals("D")) {
                long d = Long.parseLong(f[1]);
                decidedThrough = decidedThrough == NONE ? d : Math.max(decidedThrough, d);
            } else if ((f.length == 3 || f.length == 4) && f[0].equals("L")) {
                long from = f.length == 4 ? Long.parseLong(f[3]) : Long.MIN_VALUE;
                learned.computeIfAbsent(f[1], a -> new HashMap<>()).merge(f[2], from, Math::min);
            } else if (f.length == 4 && f[0].equals("C")) {
                counts.add(f);
            } else if (f.length == 4 && f[0].equals("S")) {
                sampled.add(f);
            }
        }
        // Counts after learned prefixes, so counts a learned prefix made obsolete are not kept.
        for (String[] f : counts) {
            Map<String, Long> appLearned = learned.getOrDefault(f[1], Map.of());
            boolean obsolete = appLearned.containsKey(f[2]);
            for (String p : appLearned.keySet()) {
                obsolete |= coveredBy(f[2], p);
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
        for (String[] f : sampled) {
            long epoch = Long.parseLong(f[2]);
            if (decidedThrough == NONE || epoch > decidedThrough) {
                observe(f[1], f[3], epoch * epochMs);
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
