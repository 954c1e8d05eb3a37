package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.CardinalityConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Keeps the number of distinct values of every dimension bounded: once an app has the configured
 * number of routes (releases, countries, ...), further new values fold into {@link #OTHER}, and
 * once the job has seen the configured number of apps, new apps fold into {@link #OTHER}. Every
 * distinct value becomes a metric series, a detector state and Elasticsearch documents, and a
 * browser can send any value; without a cap one script fills the heap.
 *
 * <p>The admitted values are part of the operator's checkpointed state ({@link #snapshot()}, {@link
 * #restore(List)}). They are per parallel instance: with parallelism p an app may admit up to p ×
 * max values in the worst case, and which values win depends on arrival order (documented in
 * docs/DISCUSSION.md, "Cardinality budgets"). Plain Java: one per operator instance, not
 * thread-safe.
 */
public final class CardinalityGuard {
    public static final String OTHER = "other";

    /** The bounded dimensions. {@link #APP} is global, every other one is per app. */
    public enum Kind {
        APP("appsFolded"),
        ROUTE("routesFolded"),
        RELEASE("releasesFolded"),
        COUNTRY("countriesFolded"),
        BROWSER("browsersFolded"),
        OS("osFolded"),
        DEVICE("devicesFolded"),
        VARIANT("variantsFolded"),
        BROWSER_VERSION("browserVersionsFolded"),
        ENDPOINT("endpointsFolded");

        /** Name of the operator's counter of values folded into {@code other}. */
        public final String counter;

        Kind(String counter) {
            this.counter = counter;
        }
    }

    private static final String GLOBAL = "";

    private final EnumMap<Kind, Integer> limits = new EnumMap<>(Kind.class);
    private final EnumMap<Kind, Map<String, Set<String>>> admitted = new EnumMap<>(Kind.class);
    private final long[] folded = new long[Kind.values().length];

    public CardinalityGuard(int maxRoutesPerApp, CardinalityConfig c) {
        limits.put(Kind.APP, c.maxApps);
        limits.put(Kind.ROUTE, maxRoutesPerApp);
        limits.put(Kind.RELEASE, c.maxReleasesPerApp);
        limits.put(Kind.COUNTRY, c.maxCountriesPerApp);
        limits.put(Kind.BROWSER, c.maxBrowsersPerApp);
        limits.put(Kind.OS, c.maxOsPerApp);
        limits.put(Kind.DEVICE, c.maxDevicesPerApp);
        limits.put(Kind.VARIANT, c.maxVariantsPerApp);
        limits.put(Kind.BROWSER_VERSION, c.maxBrowserVersionsPerApp);
        limits.put(Kind.ENDPOINT, c.maxEndpointsPerApp);
        for (Kind k : Kind.values()) {
            admitted.put(k, new HashMap<>());
        }
    }

    /** A guard for routes only (every other dimension at its default limit). */
    public static CardinalityGuard forRoutes(int maxRoutesPerApp) {
        return new CardinalityGuard(maxRoutesPerApp, new CardinalityConfig());
    }

    /** The app itself when admitted (now or before), else {@link #OTHER}. */
    public String admitApp(String app) {
        return admit(Kind.APP, GLOBAL, app);
    }

    /**
     * The value itself when admitted for this app (now or before), else {@link #OTHER}; null stays
     * null (an absent dimension is not a value).
     */
    public String admit(Kind kind, String app, String value) {
        if (value == null) {
            return null;
        }
        Set<String> values =
                admitted.get(kind)
                        .computeIfAbsent(app == null ? GLOBAL : app, a -> new HashSet<>());
        if (values.contains(value)) {
            return value;
        }
        if (values.size() < limits.get(kind)) {
            values.add(value);
            return value;
        }
        folded[kind.ordinal()]++;
        return OTHER;
    }

    /**
     * Frees the budget held by values of an app that can never come again (routes a newly learned
     * template now covers), so they do not keep pushing new routes into {@code other}.
     */
    public int forget(Kind kind, String app, Predicate<String> gone) {
        Set<String> values = admitted.get(kind).get(app);
        if (values == null) {
            return 0;
        }
        int before = values.size();
        values.removeIf(gone);
        return before - values.size();
    }

    /** How many values of this kind were folded into {@code other} since this guard was created. */
    public long folded(Kind kind) {
        return folded[kind.ordinal()];
    }

    /** Distinct values admitted for this app (for tests and the memory check). */
    public int admittedCount(Kind kind, String app) {
        Set<String> values = admitted.get(kind).get(app == null ? GLOBAL : app);
        return values == null ? 0 : values.size();
    }

    /** {@code kind \t app \t value} entries, for operator state. */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        admitted.forEach(
                (kind, byApp) ->
                        byApp.forEach(
                                (app, values) ->
                                        values.forEach(
                                                v ->
                                                        out.add(
                                                                kind.name()
                                                                        + '\t'
                                                                        + app
                                                                        + '\t'
                                                                        + v))));
        return out;
    }

    /** Adds the entries of {@link #snapshot()}; unknown kinds (a newer version's) are skipped. */
    public void restore(Iterable<String> entries) {
        for (String e : entries) {
            int t1 = e.indexOf('\t');
            int t2 = t1 < 0 ? -1 : e.indexOf('\t', t1 + 1);
            if (t2 < 0) {
                continue;
            }
            Kind kind;
            try {
                kind = Kind.valueOf(e.substring(0, t1));
            } catch (IllegalArgumentException unknown) {
                continue;
            }
            admitted.get(kind)
                    .computeIfAbsent(e.substring(t1 + 1, t2), a -> new HashSet<>())
                    .add(e.substring(t2 + 1));
        }
    }
}
