package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.CardinalityConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private final int[] limitOf = new int[Kind.values().length];
    // Per kind and app, each admitted value mapped to itself: admit() answers with the stored
    // instance, so every event of an app carries the same String objects for its dimension values
    // (their hash codes computed once, equal values identical) and the per-kind app cache below
    // hits by identity.
    private final EnumMap<Kind, Map<String, Map<String, String>>> admitted =
            new EnumMap<>(Kind.class);
    // The app last looked up per kind and its values: an event's ten admits are for one app, and
    // consecutive events mostly for the same. Saves the app's map lookup (8 % of decoding and
    // enriching a beacon with the lookups, JMH IngestBenchmark profile, docs/benchmarks.md).
    private final String[] lastApp = new String[Kind.values().length];
    private final Map<?, ?>[] lastValues = new Map<?, ?>[Kind.values().length];
    private final long[] folded = new long[Kind.values().length];

    public CardinalityGuard(int maxRoutesPerApp, CardinalityConfig c) {
        limitOf[Kind.APP.ordinal()] = c.maxApps;
        limitOf[Kind.ROUTE.ordinal()] = maxRoutesPerApp;
        limitOf[Kind.RELEASE.ordinal()] = c.maxReleasesPerApp;
        limitOf[Kind.COUNTRY.ordinal()] = c.maxCountriesPerApp;
        limitOf[Kind.BROWSER.ordinal()] = c.maxBrowsersPerApp;
        limitOf[Kind.OS.ordinal()] = c.maxOsPerApp;
        limitOf[Kind.DEVICE.ordinal()] = c.maxDevicesPerApp;
        limitOf[Kind.VARIANT.ordinal()] = c.maxVariantsPerApp;
        limitOf[Kind.BROWSER_VERSION.ordinal()] = c.maxBrowserVersionsPerApp;
        limitOf[Kind.ENDPOINT.ordinal()] = c.maxEndpointsPerApp;
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
        Map<String, String> values = valuesOf(kind, app == null ? GLOBAL : app);
        String known = values.get(value);
        if (known != null) {
            return known;
        }
        if (values.size() < limitOf[kind.ordinal()]) {
            values.put(value, value);
            return value;
        }
        folded[kind.ordinal()]++;
        return OTHER;
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> valuesOf(Kind kind, String app) {
        int k = kind.ordinal();
        String last = lastApp[k];
        if (last != null && (last == app || last.equals(app))) {
            return (Map<String, String>) lastValues[k];
        }
        Map<String, String> values = admitted.get(kind).computeIfAbsent(app, a -> new HashMap<>());
        lastApp[k] = app;
        lastValues[k] = values;
        return values;
    }

    /**
     * Frees the budget held by values of an app that can never come again (routes a newly learned
     * template now covers), so they do not keep pushing new routes into {@code other}.
     */
    public int forget(Kind kind, String app, Predicate<String> gone) {
        Map<String, String> values = admitted.get(kind).get(app);
        if (values == null) {
            return 0;
        }
        int before = values.size();
        values.keySet().removeIf(gone);
        return before - values.size();
    }

    /** How many values of this kind were folded into {@code other} since this guard was created. */
    public long folded(Kind kind) {
        return folded[kind.ordinal()];
    }

    /** Distinct values admitted for this app (for tests and the memory check). */
    public int admittedCount(Kind kind, String app) {
        Map<String, String> values = admitted.get(kind).get(app == null ? GLOBAL : app);
        return values == null ? 0 : values.size();
    }

    /** {@code kind \t app \t value} entries, for operator state. */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        admitted.forEach(
                (kind, byApp) ->
                        byApp.forEach(
                                (app, values) ->
                                        values.keySet()
                                                .forEach(
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
            String value = e.substring(t2 + 1);
            valuesOf(kind, e.substring(t1 + 1, t2)).putIfAbsent(value, value);
        }
    }
}
