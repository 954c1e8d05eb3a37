package io.beaconflow.jobs.enrich;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the number of distinct routes per app bounded: once an app has {@code maxPerApp} routes,
 * further new routes fold into {@code other}. Route templates leak (a slug nobody wrote a rule
 * for), and every distinct route becomes a series, a detector state and Elasticsearch documents.
 *
 * <p>The admitted set is part of the operator's checkpointed state ({@link #snapshot()}, {@link
 * #restore(List)}). It is per parallel instance: with parallelism p an app may admit up to p × max
 * routes in the worst case, and which routes win depends on arrival order; both are documented in
 * docs/DISCUSSION.md.
 */
public final class RouteCardinalityGuard {
    public static final String OTHER = "other";

    private final int maxPerApp;
    private final Map<String, Set<String>> admitted = new HashMap<>();
    private long folded;

    public RouteCardinalityGuard(int maxPerApp) {
        this.maxPerApp = maxPerApp;
    }

    /** The route itself when admitted (now or before), else {@link #OTHER}. */
    public String admit(String app, String route) {
        Set<String> routes = admitted.computeIfAbsent(app, a -> new HashSet<>());
        if (routes.contains(route)) {
            return route;
        }
        if (routes.size() < maxPerApp) {
            routes.add(route);
            return route;
        }
        folded++;
        return OTHER;
    }

    /** How many events were folded into {@code other} since this guard was created. */
    public long folded() {
        return folded;
    }

    /** {@code app \t route} entries, for operator state. */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        admitted.forEach((app, routes) -> routes.forEach(r -> out.add(app + '\t' + r)));
        return out;
    }

    public void restore(List<String> entries) {
        for (String e : entries) {
            int tab = e.indexOf('\t');
            if (tab > 0) {
                admitted.computeIfAbsent(e.substring(0, tab), a -> new HashSet<>())
                        .add(e.substring(tab + 1));
            }
        }
    }
}
