package io.beaconflow.jobs.generator;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One configured app as the simulation uses it: arrival rate, routes, releases, time zone. */
final class SimApp {
    final int index;
    final GeneratorConfig.AppSpec spec;
    final ZoneRules zone;
    final double arrivalRatePerMs;
    final Route[] routes;
    final double[] routeCumulative;
    final Weighted releases;
    final List<String> experimentNames;
    final List<List<String>> experimentVariants;
    final String apiHost;

    /** API call template to the backend service that answers it (spec.backends); absent: none. */
    private final Map<String, String> services = new HashMap<>();

    private final Map<String, String[]> userAgents = new HashMap<>();
    // offset cache: valid for [offsetFrom, offsetUntil)
    private long offsetFrom = Long.MAX_VALUE;
    private long offsetUntil = Long.MIN_VALUE;
    private long offset;

    /**
     * @param profileMax the largest daily × weekly multiplier: candidates arrive at the peak rate
     *     and are thinned by the profile
     * @param splitCount each split carries this share of the sessions
     */
    SimApp(int index, GeneratorConfig.AppSpec spec, double profileMax, int splitCount) {
        this.index = index;
        this.spec = spec;
        this.zone = ZoneId.of(spec.timeZone).getRules();
        this.arrivalRatePerMs = spec.sessionsPerHour * profileMax / splitCount / 3_600_000.0;
        this.routes = new Route[spec.routes.size()];
        this.routeCumulative = new double[routes.length];
        double sum = 0;
        for (int i = 0; i < routes.length; i++) {
            routes[i] = new Route(spec.routes.get(i));
            sum += routes[i].spec.weight;
            routeCumulative[i] = sum;
        }
        Map<String, Double> releaseWeights = new LinkedHashMap<>();
        for (GeneratorConfig.ReleaseSpec r : spec.releases) {
            releaseWeights.merge(r.version, r.weight, Double::sum);
        }
        this.releases = new Weighted(releaseWeights);
        this.experimentNames = new ArrayList<>(spec.experiments.keySet());
        this.experimentVariants = new ArrayList<>(spec.experiments.values());
        this.apiHost = spec.host.startsWith("www.") ? "api." + spec.host.substring(4) : spec.host;
        for (Route r : routes) {
            for (String api : r.apis) {
                String service = backendOf(spec.backends, api);
                if (service != null) services.put(api, service);
            }
        }
    }

    /** The service answering {@code api} ({@code "METHOD /path"}), or null: uninstrumented. */
    String service(String api) {
        return services.get(api);
    }

    /**
     * The longest prefix of the call's path among {@code backends}' keys names its service; a
     * prefix covers whole segments ({@code /api/v2/cart} covers {@code /api/v2/cart/{uuid}}, not
     * {@code /api/v2/carts}).
     */
    static String backendOf(Map<String, String> backends, String api) {
        if (backends == null || api == null) return null;
        String path = api.substring(api.indexOf(' ') + 1);
        String best = null;
        int bestLength = -1;
        for (Map.Entry<String, String> e : backends.entrySet()) {
            String prefix = e.getKey();
            if (prefix != null
                    && path.startsWith(prefix)
                    && (prefix.endsWith("/")
                            || path.length() == prefix.length()
                            || path.charAt(prefix.length()) == '/'
                            || path.charAt(prefix.length()) == '?')
                    && prefix.length() > bestLength) {
                best = e.getValue();
                bestLength = prefix.length();
            }
        }
        return best;
    }

    Route routePick(Rng r) {
        double x = r.nextDouble() * routeCumulative[routeCumulative.length - 1];
        for (int i = 0; i < routeCumulative.length; i++) {
            if (x < routeCumulative[i]) return routes[i];
        }
        return routes[routes.length - 1];
    }

    String[] userAgents(String family, String device) {
        return userAgents.computeIfAbsent(
                family + '|' + device, k -> Catalog.userAgents(family, device));
    }

    /** UTC offset at t, cached until the next transition (or for a day). */
    long offsetMillis(long t) {
        if (t < offsetFrom || t >= offsetUntil) {
            Instant at = Instant.ofEpochMilli(t);
            offset = zone.getOffset(at).getTotalSeconds() * 1000L;
            var next = zone.nextTransition(at);
            offsetFrom = t;
            offsetUntil =
                    next == null
                            ? t + 86_400_000L
                            : Math.min(next.toEpochSecond() * 1000, t + 86_400_000L);
        }
        return offset;
    }

    /** A route template with the API calls its views make. */
    static final class Route {
        final GeneratorConfig.RouteSpec spec;
        final String path;
        final String[] apis;

        Route(GeneratorConfig.RouteSpec spec) {
            this.spec = spec;
            this.path = spec.path;
            this.apis =
                    spec.apis == null || spec.apis.isEmpty()
                            ? new String[] {"POST /api/v1/telemetry"}
                            : spec.apis.stream().map(String::trim).toArray(String[]::new);
        }
    }
}
