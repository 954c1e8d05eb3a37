package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.model.RawBeacon;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Synthetic RUM traffic for one generator split: a discrete-event simulation of browser sessions
 * that yields {@link RawBeacon}s in collector-arrival order (ascending {@code receivedAt}, ties in
 * creation order).
 *
 * <p>Output is a pure function of (config, seed, splitIndex, splitCount): one {@link
 * SplittableRandom} per split, no wall clock, all tie-breaks by a sequence number. Each split
 * carries {@code 1/splitCount} of every app's session rate, so the union of the splits is the whole
 * configured traffic whatever the Flink parallelism.
 *
 * <p>How it works: a priority queue holds three kinds of items ordered by simulated collector time:
 * the next candidate session start per app (a non-homogeneous Poisson process drawn by thinning
 * against the daily and weekly profile in the app's time zone), the next page view of each open
 * session, and beacons waiting to arrive. A page view creates all its events (page view, vitals,
 * fetches, clicks, errors) and the beacons that carry them; every beacon arrives after the view
 * starts, so popping the queue in time order yields beacons in arrival order. JSON is rendered only
 * when a beacon is emitted, so {@link #skip(long)} (used to restore a checkpointed position) costs
 * only the simulation.
 *
 * <p>Not thread-safe. Knobs: see {@code flink-conf/generator.yaml}.
 */
public final class TrafficGenerator implements Iterator<RawBeacon> {

    /** {@link RawBeacon#source} of every generated record. */
    public static final String SOURCE = "generator";

    static final byte PAGE_VIEW = 0;
    static final byte WEB_VITAL = 1;
    static final byte FETCH = 2;
    static final byte ERROR = 3;
    static final byte ACTION = 4;
    static final String[] TYPE_NAMES = {"page_view", "web_vital", "fetch", "error", "action"};

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long THIRTY_MINUTES = 30 * MINUTE;

    private final int splitIndex;
    private final int splitCount;
    private final SplittableRandom rnd;
    private final long start;
    private final long end;
    private final App[] apps;
    private final Incident[] incidents;
    private final Weighted browsers;
    private final Weighted devices;
    private final Weighted countries;
    private final Weighted networks;
    private final double[] daily;
    private final double[] weekly;
    private final double profileMax;
    private final GeneratorConfig.BehaviourSpec behaviour;
    private final GeneratorConfig.RealismSpec realism;
    private final long maxClockSkew;
    private final long batchWindow;
    private final long maxBatchDelay;
    private final long maxLateDelay;
    private final long userSalt;

    private final PriorityQueue<Item> queue = new PriorityQueue<>();
    private long itemSeq;
    private long position;
    private Beacon ready;
    private boolean finished;
    private final StringBuilder sb = new StringBuilder(8192);
    private final List<Ev> viewEvents = new ArrayList<>();

    // counters kept as arrays in the hot path; copied into GenerationStats on demand
    private GenerationStats stats = new GenerationStats();
    private final long[] typeCounts = new long[TYPE_NAMES.length];
    private final long[] incidentCounts;
    private final long[] malformedCounts = new long[MalformedKind.values().length];

    public TrafficGenerator(GeneratorConfig config, long seed, int splitIndex, int splitCount) {
        if (splitCount < 1 || splitIndex < 0 || splitIndex >= splitCount) {
            throw new IllegalArgumentException(
                    "split " + splitIndex + " of " + splitCount + ": need 0 <= index < count");
        }
        this.splitIndex = splitIndex;
        this.splitCount = splitCount;
        this.rnd = new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + splitIndex + 1));
        this.userSalt = mix(seed ^ 0x5DEECE66DL);
        this.start = config.startMillis();
        this.end = config.endMillis();
        this.behaviour = config.behaviour;
        this.realism = config.realism;
        this.maxClockSkew = GeneratorConfig.parseDuration(realism.maxClockSkew);
        this.batchWindow = GeneratorConfig.parseDuration(realism.batchWindow);
        this.maxBatchDelay = GeneratorConfig.parseDuration(realism.maxBatchDelay);
        this.maxLateDelay = GeneratorConfig.parseDuration(realism.maxLateDelay);
        this.browsers = new Weighted(config.browsers);
        this.devices = new Weighted(config.devices);
        this.countries = new Weighted(config.countries);
        this.networks = new Weighted(config.networks);
        this.daily = config.dailyProfile.stream().mapToDouble(Double::doubleValue).toArray();
        this.weekly = config.weeklyProfile.stream().mapToDouble(Double::doubleValue).toArray();
        this.profileMax =
                Arrays.stream(daily).max().orElse(1) * Arrays.stream(weekly).max().orElse(1);

        this.apps = new App[config.apps.size()];
        for (int i = 0; i < apps.length; i++) {
            apps[i] = new App(i, config.apps.get(i));
        }
        List<IncidentTruth> truths = truths(config);
        this.incidents = new Incident[truths.size()];
        for (int i = 0; i < incidents.length; i++) {
            IncidentTruth t = truths.get(i);
            App app = null;
            for (App a : apps) if (a.spec.name.equals(t.app())) app = a;
            incidents[i] = new Incident(i, t, app);
        }
        this.incidentCounts = new long[incidents.length];

        for (App app : apps) {
            if (app.arrivalRatePerMs > 0) {
                Arrival a = new Arrival(app);
                a.time = config.warmStartMillis() + exponential(app.arrivalRatePerMs);
                if (a.time < end) enqueue(a);
            }
        }
    }

    // ------------------------------------------------------------------ public API

    /** Ground truth of the configured incidents, in file order. */
    public static List<IncidentTruth> truths(GeneratorConfig config) {
        List<IncidentTruth> out = new ArrayList<>();
        if (config.incidents == null) return out;
        for (IncidentSpec in : config.incidents) {
            long s = config.incidentStartMillis(in);
            long e = s + GeneratorConfig.parseDuration(in.duration);
            List<String> metrics;
            switch (in.kind) {
                case "latency_regression":
                case "latency_drift":
                    metrics = IncidentTruth.LATENCY_METRICS;
                    break;
                case "error_spike":
                case "partial_outage":
                case "new_error":
                    metrics = IncidentTruth.ERROR_METRICS;
                    break;
                case "api_failure":
                    metrics = new ArrayList<>(IncidentTruth.FETCH_ERROR_METRICS);
                    metrics.add(IncidentTruth.ENDPOINT_PREFIX + in.endpoint.trim());
                    metrics = List.copyOf(metrics);
                    break;
                case "vital_regression":
                    metrics = List.of(IncidentTruth.VITAL_PREFIX + in.vital);
                    break;
                default:
                    metrics = IncidentTruth.TRAFFIC_METRICS;
            }
            out.add(
                    new IncidentTruth(
                            in.id,
                            in.kind,
                            in.app,
                            in.dimension,
                            in.value,
                            in.release,
                            in.magnitude,
                            metrics,
                            s,
                            e));
        }
        return out;
    }

    public List<IncidentTruth> incidents() {
        List<IncidentTruth> out = new ArrayList<>();
        for (Incident i : incidents) out.add(i.truth);
        return out;
    }

    public int splitIndex() {
        return splitIndex;
    }

    public int splitCount() {
        return splitCount;
    }

    /** Records emitted or skipped so far = the offset of the next record. */
    public long position() {
        return position;
    }

    @Override
    public boolean hasNext() {
        return advance();
    }

    /** Collector time of the next record; only valid when {@link #hasNext()} is true. */
    public long peekReceivedAt() {
        if (!advance()) throw new NoSuchElementException();
        return ready.time;
    }

    @Override
    public RawBeacon next() {
        if (!advance()) throw new NoSuchElementException("bounded run finished");
        Beacon b = ready;
        ready = null;
        account(b);
        return new RawBeacon(render(b), SOURCE, splitIndex, position++, b.time);
    }

    /**
     * Moves past {@code n} records without rendering them (they still count in the stats). After
     * {@code skip(n)} the generator is in exactly the state it would have after {@code n} calls to
     * {@link #next()}.
     *
     * @return the number skipped, less than {@code n} only if a bounded run ended
     */
    public long skip(long n) {
        long skipped = 0;
        while (skipped < n && advance()) {
            account(ready);
            ready = null;
            position++;
            skipped++;
        }
        return skipped;
    }

    /** A snapshot of the counters so far. */
    public GenerationStats stats() {
        GenerationStats s = new GenerationStats().add(stats);
        for (int i = 0; i < typeCounts.length; i++) {
            if (typeCounts[i] > 0) s.eventsByType.put(TYPE_NAMES[i], typeCounts[i]);
        }
        for (int i = 0; i < malformedCounts.length; i++) {
            if (malformedCounts[i] > 0) {
                s.malformedByKind.put(MalformedKind.values()[i], malformedCounts[i]);
            }
        }
        for (int i = 0; i < incidents.length; i++) {
            s.incidentAffected.put(incidents[i].truth.id(), incidentCounts[i]);
        }
        return s;
    }

    /**
     * All splits of a run merged in arrival order (ties by split index): the whole configured
     * traffic as one iterator, for benchmarks and tests that want everything in memory.
     */
    public static Merged generateAll(GeneratorConfig config, long seed, int splitCount) {
        return new Merged(config, seed, splitCount);
    }

    /** Several splits merged by {@code receivedAt}, then split index. */
    public static final class Merged implements Iterator<RawBeacon> {
        private final TrafficGenerator[] splits;

        Merged(GeneratorConfig config, long seed, int splitCount) {
            splits = new TrafficGenerator[splitCount];
            for (int i = 0; i < splitCount; i++) {
                splits[i] = new TrafficGenerator(config, seed, i, splitCount);
            }
        }

        private TrafficGenerator nextSplit() {
            TrafficGenerator best = null;
            long bestTime = Long.MAX_VALUE;
            for (TrafficGenerator g : splits) {
                if (g.hasNext() && g.peekReceivedAt() < bestTime) {
                    best = g;
                    bestTime = g.peekReceivedAt();
                }
            }
            return best;
        }

        @Override
        public boolean hasNext() {
            return nextSplit() != null;
        }

        @Override
        public RawBeacon next() {
            TrafficGenerator g = nextSplit();
            if (g == null) throw new NoSuchElementException();
            return g.next();
        }

        public GenerationStats stats() {
            GenerationStats total = new GenerationStats();
            for (TrafficGenerator g : splits) total.add(g.stats());
            return total;
        }

        public List<IncidentTruth> incidents() {
            return splits[0].incidents();
        }
    }

    // ------------------------------------------------------------------ simulation

    private boolean advance() {
        while (ready == null) {
            if (finished) return false;
            Item head = queue.peek();
            if (head == null || head.time >= end) {
                finished = true;
                queue.clear();
                return false;
            }
            queue.poll();
            if (head instanceof Beacon) {
                ready = (Beacon) head;
            } else if (head instanceof Arrival) {
                arrive((Arrival) head);
            } else {
                pageView((Step) head);
            }
        }
        return true;
    }

    private void enqueue(Item item) {
        item.seq = itemSeq++;
        queue.add(item);
    }

    private void arrive(Arrival a) {
        long t = a.time;
        App app = a.app;
        boolean accept = rnd.nextDouble() * profileMax < profile(app, t);
        a.time = t + exponential(app.arrivalRatePerMs);
        if (a.time < end) enqueue(a);
        if (accept) startSession(app, t);
    }

    /** Daily (interpolated between hours) times weekly multiplier at local time. */
    double profile(App app, long t) {
        long local = t + app.offsetMillis(t);
        long day = Math.floorDiv(local, 86_400_000L);
        double hour = (local - day * 86_400_000L) / 3_600_000.0;
        int h = (int) hour;
        double frac = hour - h;
        double d = daily[h] * (1 - frac) + daily[(h + 1) % 24] * frac;
        int dow = (int) Math.floorMod(day + 3, 7L); // 1970-01-01 was a Thursday; Monday = 0
        return d * weekly[dow];
    }

    private void startSession(App app, long t) {
        if (t < start) {
            // Warm start: sessions already running when the run starts count where they are
            // seen (their events), not as sessions started in the run.
            GenerationStats real = stats;
            stats = new GenerationStats();
            try {
                startSessionCounted(app, t);
            } finally {
                stats = real;
            }
            return;
        }
        startSessionCounted(app, t);
    }

    private void startSessionCounted(App app, long t) {
        Session s = new Session();
        s.app = app;
        s.startedAt = t;
        s.bot = rnd.nextDouble() < realism.botRate;
        if (s.bot) {
            s.family = "bot";
            s.userAgent = Catalog.BOT_USER_AGENTS[rnd.nextInt(Catalog.BOT_USER_AGENTS.length)];
            s.device = s.userAgent.contains("Mobile") ? "mobile" : "desktop";
            s.country = Catalog.BOT_COUNTRIES[rnd.nextInt(Catalog.BOT_COUNTRIES.length)];
        } else {
            s.family = browsers.pick(rnd);
            s.device = Catalog.compatibleDevice(s.family, devices.pick(rnd));
            String[] uas = app.userAgents(s.family, s.device);
            s.userAgent = uas[rnd.nextInt(uas.length)];
            s.country = countries.pick(rnd);
        }
        s.release = app.releases.pick(rnd);
        for (Incident in : incidents) {
            if (in.app == app && in.truth.release() != null && in.truth.contains(t)) {
                s.release = in.truth.release();
            }
        }
        for (Incident in : incidents) {
            if (in.kind == Incident.TRAFFIC
                    && in.app == app
                    && in.truth.contains(t)
                    && in.matchesSession(s)
                    && rnd.nextDouble() >= in.truth.magnitude()) {
                incidentCounts[in.index]++;
                return;
            }
        }
        if (app.spec.sampleRate < 1 && rnd.nextDouble() >= app.spec.sampleRate) {
            stats.sessionsSampledOut++;
            return;
        }
        stats.sessionsStarted++;
        s.sessionId = uuid();
        if (!s.bot && rnd.nextDouble() >= behaviour.anonymousRate) {
            long user =
                    mix(userSalt + app.index * 0x100000001B3L + rnd.nextInt(behaviour.usersPerApp));
            s.userId = "u_" + hex(user, 16);
        }
        if (rnd.nextDouble() < realism.clockSkewRate) {
            long skew = MINUTE + (long) (rnd.nextDouble() * Math.max(0, maxClockSkew - MINUTE));
            s.skew = rnd.nextBoolean() ? skew : -skew;
            stats.skewedSessions++;
        } else {
            s.skew = Math.round(rnd.nextGaussian() * 400);
        }
        s.engine = Catalog.engine(s.family);
        if (s.bot) {
            stats.botSessions++;
            s.views = 5 + rnd.nextInt(26);
        } else if (rnd.nextDouble() < behaviour.longSessionRate) {
            s.longSession = true;
            stats.longSessions++;
            s.views = 45 + rnd.nextInt(40);
        } else {
            s.views = 1 + geometric(behaviour.meanViewsPerSession - 1);
        }
        if (!s.bot && s.views >= 2 && rnd.nextDouble() < behaviour.idleResumeRate) {
            s.idleAfterView = rnd.nextInt(s.views - 1);
            stats.idleResumeSessions++;
        }
        s.late = !s.bot && rnd.nextDouble() < realism.lateRate;
        s.clientIp =
                Catalog.firstOctet(s.country, rnd)
                        + "."
                        + rnd.nextInt(256)
                        + "."
                        + rnd.nextInt(256)
                        + "."
                        + (1 + rnd.nextInt(254));
        s.netFactor = 1.0;
        String network = "";
        if (!s.bot && Catalog.hasNetworkInfo(s.family)) {
            String type = networks.pick(rnd);
            int rtt;
            double down;
            switch (type) {
                case "slow-2g":
                    rtt = 2000;
                    down = 0.05;
                    s.netFactor = 6;
                    break;
                case "2g":
                    rtt = 1400;
                    down = 0.25;
                    s.netFactor = 4;
                    break;
                case "3g":
                    rtt = 300 + 50 * rnd.nextInt(6);
                    down = 0.7 + rnd.nextInt(10) / 10.0;
                    s.netFactor = 2;
                    break;
                default:
                    rtt = 50 * (1 + rnd.nextInt(4));
                    down = 1.5 + rnd.nextInt(90) / 10.0;
                    s.netFactor = type.equals("4g") ? 1.15 : 1.0;
            }
            network =
                    ",\"network\":{\"effective_type\":\""
                            + type
                            + "\",\"rtt_ms\":"
                            + rtt
                            + ",\"downlink_mbps\":"
                            + down
                            + "}";
        }
        s.deviceFactor = s.device.equals("mobile") ? 1.35 : s.device.equals("tablet") ? 1.2 : 1.0;

        // Per-session JSON fragments, rendered once: events repeat them.
        StringBuilder f = new StringBuilder(256);
        f.append(",\"app\":\"").append(app.spec.name).append('"');
        f.append(",\"release\":");
        Json.string(f, s.release);
        f.append(",\"environment\":\"").append(app.spec.environment).append('"');
        f.append(",\"session_id\":\"").append(s.sessionId).append('"');
        if (s.userId != null) f.append(",\"user_id\":\"").append(s.userId).append('"');
        s.head = f.toString();
        f.setLength(0);
        f.append(network);
        if (!app.experimentNames.isEmpty()) {
            f.append(",\"experiments\":{");
            for (int i = 0; i < app.experimentNames.size(); i++) {
                List<String> variants = app.experimentVariants.get(i);
                if (i > 0) f.append(',');
                Json.string(f, app.experimentNames.get(i));
                f.append(':');
                Json.string(f, variants.get(rnd.nextInt(variants.size())));
            }
            f.append('}');
        }
        if (app.spec.sampleRate < 1) f.append(",\"sample_rate\":").append(app.spec.sampleRate);
        s.tail = f.toString();
        f.setLength(0);
        f.append(",\"client_ip\":\"").append(s.clientIp).append("\",\"user_agent\":");
        Json.string(f, s.userAgent);
        f.append(",\"country\":\"").append(s.country).append('"');
        s.envelope = f.toString();

        Step step = new Step(s);
        step.time = t;
        enqueue(step);
    }

    private void pageView(Step step) {
        Session s = step.s;
        App app = s.app;
        long t = step.time;
        int viewIndex = s.viewIndex++;
        boolean last = s.viewIndex >= s.views;
        Route route = s.bot ? app.routes[rnd.nextInt(app.routes.length)] : app.routePick(rnd);

        // Navigation: URL with concrete ids, query strings on landings, referrer chain.
        sb.setLength(0);
        sb.append("https://").append(app.spec.host);
        fill(sb, route.path);
        if (viewIndex == 0 && !s.bot && rnd.nextDouble() < 0.35) {
            landingQuery(sb);
        } else if (rnd.nextDouble() < 0.1) {
            switch (rnd.nextInt(3)) {
                case 0:
                    sb.append("?page=").append(2 + rnd.nextInt(9));
                    break;
                case 1:
                    sb.append("?sort=price_asc&page=").append(1 + rnd.nextInt(5));
                    break;
                default:
                    sb.append("?q=").append(Catalog.WORDS[rnd.nextInt(Catalog.WORDS.length)]);
            }
        }
        String url = sb.toString();
        String referrer;
        if (viewIndex > 0) {
            referrer = s.previousUrl;
        } else if (s.bot || rnd.nextDouble() < 0.4) {
            referrer = null;
        } else {
            referrer = Catalog.EXTERNAL_REFERRERS[rnd.nextInt(Catalog.EXTERNAL_REFERRERS.length)];
            if (referrer.equals("https://t.co/")) referrer = referrer + token(10);
        }
        s.previousUrl = url;
        String viewId = hex(rnd.nextLong(), 16);

        // Time on this view, and when the next one starts.
        long gap;
        if (s.bot) {
            gap = 300 + rnd.nextInt(2700);
        } else if (s.longSession) {
            gap = 45 * SECOND + rnd.nextInt(45_000);
        } else {
            double median = behaviour.medianViewSeconds * SECOND;
            gap = (long) Math.min(20 * MINUTE, Math.max(2 * SECOND, lognormal(median, 0.9)));
        }
        if (viewIndex == s.idleAfterView) {
            // The user leaves the tab and comes back: same session id, activity resumes > 30 min
            // later; the last events before the gap are still sent at page hide.
            gap = THIRTY_MINUTES + MINUTE + (long) (rnd.nextDouble() * 90 * MINUTE);
        }
        long viewEnd =
                viewIndex == s.idleAfterView
                        ? t + Math.max(2 * SECOND, Math.min(gap / 40, 60 * SECOND))
                        : t + gap - 50;

        // Latency: route medians, device and network, and any latency regression in force.
        double latencyFactor = s.deviceFactor * s.netFactor;
        int latencyIncident = -1;
        for (Incident in : incidents) {
            if (in.kind == Incident.LATENCY
                    && in.app == app
                    && in.truth.contains(t)
                    && in.matchesView(s, route)) {
                latencyFactor *= in.truth.magnitude();
                latencyIncident = in.index;
            } else if (in.kind == Incident.DRIFT
                    && in.app == app
                    && in.truth.contains(t)
                    && in.matchesView(s, route)) {
                // A slow drift: 1x at the window's start, growing linearly to magnitude x at its
                // end (a leak or a filling cache), then back to normal.
                latencyFactor *= in.driftFactor(t);
                latencyIncident = in.index;
            }
        }
        double ttfb = lognormal(route.spec.ttfbMs, 0.45) * (latencyFactor / s.deviceFactor);
        double fcp = ttfb + lognormal(route.spec.lcpMs * 0.45, 0.35) * latencyFactor;
        double lcp = fcp + lognormal(route.spec.lcpMs * 0.35, 0.6) * latencyFactor;
        double dcl = fcp + lognormal(120, 0.5) * latencyFactor;
        double load = Math.max(dcl, lcp) + lognormal(300, 0.6) * latencyFactor;
        long loaded = t + (long) load;
        long activeUntil = Math.max(loaded + 200, viewEnd - 100);

        List<Ev> events = viewEvents;
        events.clear();
        Ev pv = ev(PAGE_VIEW, t, viewId, url, latencyIncident);
        pv.referrer = referrer;
        pv.v1 = ttfb;
        pv.v2 = dcl;
        pv.v3 = load;
        events.add(pv);
        events.add(vital("TTFB", ttfb, t + (long) ttfb, viewId, url, latencyIncident));
        events.add(vital("FCP", fcp, t + (long) fcp, viewId, url, latencyIncident));
        events.add(vital("LCP", lcp, t + (long) lcp, viewId, url, latencyIncident));

        int fetches = poisson(route.spec.fetchesPerView);
        for (int i = 0; i < fetches; i++) {
            long at = t + (long) fcp + (long) (rnd.nextDouble() * (activeUntil - t - fcp));
            Ev f = ev(FETCH, at, viewId, url, latencyIncident);
            String api = route.apis[rnd.nextInt(route.apis.length)];
            int space = api.indexOf(' ');
            sb.setLength(0);
            sb.append("https://").append(app.apiHost);
            fill(sb, api.substring(space + 1));
            f.s1 = sb.toString();
            f.s2 = api.substring(0, space);
            f.s3 = hex(rnd.nextLong(), 16) + hex(rnd.nextLong(), 16);
            f.s4 = hex(rnd.nextLong(), 16);
            Incident failing = apiFailure(s, route, api, t);
            if (failing != null && rnd.nextDouble() < failing.truth.magnitude()) {
                // The endpoint answers with a server error (a timeout would be status 0, which the
                // failures above already include); its latency is the failing call's.
                int[] failures = {500, 502, 503, 504};
                f.status = failures[rnd.nextInt(failures.length)];
                f.v1 = lognormal(400, 0.8) * latencyFactor;
                f.incident = failing.index;
            } else if (rnd.nextDouble() < behaviour.fetchFailureRate) {
                int[] failures = {500, 502, 503, 504, 0};
                f.status = failures[rnd.nextInt(failures.length)];
                if (f.status == 0) {
                    // aborted or timed out on the client: not a server latency
                    f.v1 = lognormal(8000, 0.8);
                    f.incident = -1;
                } else {
                    f.v1 = lognormal(400, 0.8) * latencyFactor;
                }
            } else {
                f.status = f.s2.equals("POST") ? 201 : rnd.nextInt(20) == 0 ? 304 : 200;
                f.v1 = lognormal(140, 0.7) * latencyFactor;
            }
            events.add(f);
        }

        int clicks = s.bot ? 0 : poisson(behaviour.clicksPerView);
        for (int i = 0; i < clicks; i++) {
            long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
            String[] target = Catalog.CLICK_TARGETS[rnd.nextInt(Catalog.CLICK_TARGETS.length)];
            events.add(click(at, viewId, url, target));
        }
        boolean rage = !s.bot && rnd.nextDouble() < behaviour.rageClickRate;
        if (rage) {
            // 3-6 clicks 80-190 ms apart: always within 1 s of the first.
            int n = 3 + rnd.nextInt(4);
            String[] target =
                    Catalog.CLICK_TARGETS[
                            Catalog.RAGE_TARGETS[rnd.nextInt(Catalog.RAGE_TARGETS.length)]];
            long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded - 1000));
            for (int i = 0; i < n; i++) {
                Ev c = click(at, viewId, url, target);
                c.rageStart = i == 0;
                events.add(c);
                at += 80 + rnd.nextInt(111);
            }
            clicks += n;
        }

        double errorRate = s.bot ? behaviour.errorRatePerView / 2 : behaviour.errorRatePerView;
        if (rnd.nextDouble() < errorRate) {
            int kind = pickIndex(Catalog.ERROR_WEIGHTS);
            long at = t + (long) (rnd.nextDouble() * (activeUntil - t));
            events.add(error(Catalog.ERRORS[kind], s, at, viewId, url, -1));
        }
        for (Incident in : incidents) {
            if (in.kind == Incident.ERRORS
                    && in.app == app
                    && in.truth.contains(t)
                    && in.matchesView(s, route)
                    && rnd.nextDouble() < in.truth.magnitude()) {
                long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
                events.add(error(Catalog.INCIDENT_ERROR, s, at, viewId, url, in.index));
            } else if (in.kind == Incident.OUTAGE
                    && in.app == app
                    && in.truth.contains(t)
                    && in.matchesSession(s)
                    && in.hitsSession(s)) {
                // A partial outage: the sessions it hits (a share chosen by session id, so the
                // random stream is not consumed to choose them) get an error on every view.
                long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
                events.add(error(Catalog.INCIDENT_ERROR, s, at, viewId, url, in.index));
            } else if (in.kind == Incident.NEW_ERROR
                    && in.app == app
                    && in.truth.contains(t)
                    && in.truth.release().equals(s.release)
                    && rnd.nextDouble() < in.truth.magnitude()) {
                // A bug that shipped with the release: a fingerprint no earlier release has.
                long at = loaded + (long) (rnd.nextDouble() * Math.max(1, activeUntil - loaded));
                events.add(error(Catalog.RELEASE_ERROR, s, at, viewId, url, in.index));
            }
        }

        // At page hide: layout shift over the whole view, responsiveness if there was input.
        double cls =
                rnd.nextDouble() < 0.55
                        ? rnd.nextDouble() * 0.02
                        : lognormal(0.06, 0.9) * (s.device.equals("desktop") ? 1 : 1.3);
        Incident clsRegression = vitalRegression(s, route, "CLS", t);
        if (clsRegression != null) cls *= clsRegression.truth.magnitude();
        Ev clsEv = vital("CLS", cls, viewEnd, viewId, url, -1);
        if (clsRegression != null) clsEv.incident = clsRegression.index;
        events.add(clsEv);
        if (clicks > 0) {
            double inp = lognormal(route.spec.inpMs, 0.6) * s.deviceFactor;
            Incident inpRegression = vitalRegression(s, route, "INP", t);
            if (inpRegression != null) inp *= inpRegression.truth.magnitude();
            Ev inpEv = vital("INP", inp, viewEnd, viewId, url, -1);
            if (inpRegression != null) inpEv.incident = inpRegression.index;
            events.add(inpEv);
        }

        events.sort((a, b) -> Long.compare(a.time, b.time));
        int outage = outageHitting(s, t);
        if (t < start) {
            // Warm start: views before the run's start are simulated (the session goes on) but
            // none of their beacons is sent, so no burst, retry or batch is cut at the start.
        } else if (outage >= 0) {
            // The user cannot reach the site (or its beacons cannot reach us): the view is lost.
            incidentCounts[outage]++;
        } else {
            batch(s, events, last);
        }

        if (!last) {
            Step next = new Step(s);
            next.time = t + gap;
            enqueue(next);
        }
    }

    /**
     * The traffic drop whose window holds {@code t} and that cuts this session off, or -1. A drop
     * loses a share (1 − magnitude) of new sessions where they start (sessions started inside the
     * window were drawn there), and the same share of the sessions already running (chosen by a
     * hash of the session id, so the random stream is not consumed): a regional outage or a blocked
     * script stops the next page view too, not only the next visit.
     */
    private int outageHitting(Session s, long t) {
        for (Incident in : incidents) {
            if (in.kind == Incident.TRAFFIC
                    && in.app == s.app
                    && in.truth.contains(t)
                    && !in.truth.contains(s.startedAt)
                    && in.matchesSession(s)) {
                long h = mix(s.sessionId.hashCode() * 0x9E3779B97F4A7C15L + in.index);
                double u = (h >>> 11) * 0x1.0p-53;
                if (u >= in.truth.magnitude()) return in.index;
            }
        }
        return -1;
    }

    /** The api_failure in force for a call to {@code api} from this view, or null. */
    private Incident apiFailure(Session s, Route route, String api, long t) {
        for (Incident in : incidents) {
            if (in.kind == Incident.API
                    && in.app == s.app
                    && in.truth.contains(t)
                    && in.endpoint.equals(api)
                    && in.matchesView(s, route)) {
                return in;
            }
        }
        return null;
    }

    /** The vital_regression of {@code vital} in force for this view, or null. */
    private Incident vitalRegression(Session s, Route route, String vital, long t) {
        for (Incident in : incidents) {
            if (in.kind == Incident.VITAL
                    && in.app == s.app
                    && in.truth.contains(t)
                    && in.vital.equals(vital)
                    && in.matchesView(s, route)) {
                return in;
            }
        }
        return null;
    }

    /** Groups a view's events into beacons the way an SDK flushes its buffer. */
    private void batch(Session s, List<Ev> events, boolean lastView) {
        int n = events.size();
        int i = 0;
        while (i < n) {
            long first = events.get(i).time;
            int j = i + 1;
            while (j < n
                    && j - i < realism.maxBatchEvents
                    && events.get(j).time <= first + batchWindow) {
                j++;
            }
            Ev[] batch = events.subList(i, j).toArray(new Ev[0]);
            long lastAt = batch[batch.length - 1].time;
            long sent = lastAt + 50 + (long) (rnd.nextDouble() * maxBatchDelay);
            boolean late = false;
            if (lastView && j == n && s.late) {
                // Tab frozen or restored: the final beacon leaves long after its events.
                late = true;
                sent =
                        lastAt
                                + 10 * MINUTE
                                + (long) (rnd.nextDouble() * (maxLateDelay - 10 * MINUTE));
            }
            send(s, batch, sent, late);
            i = j;
        }
    }

    private void send(Session s, Ev[] events, long sent, boolean late) {
        long received = sent + networkLatency();
        if (rnd.nextDouble() < realism.singleEventRate) {
            for (int k = 0; k < events.length; k++) {
                Beacon b = beacon(s, new Ev[] {events[k]}, sent + k, received + k, late);
                b.single = true;
                maybeRetry(b);
            }
        } else {
            maybeRetry(beacon(s, events, sent, received, late));
        }
        if (rnd.nextDouble() < realism.malformedRate) {
            MalformedKind kind = MalformedKind.values()[rnd.nextInt(MalformedKind.values().length)];
            Ev bad = ev(FETCH, events[0].time, events[0].viewId, events[0].url, -1);
            bad.s1 = "https://" + s.app.apiHost + "/api/v1/ping";
            bad.s2 = "GET";
            bad.status = 200;
            bad.v1 = lognormal(140, 0.7);
            Beacon b = beacon(s, new Ev[] {bad}, sent, received + rnd.nextInt(1000), false);
            b.malformed = kind;
            b.param = rnd.nextInt(1_000_000);
            b.single = true;
        }
    }

    private Beacon beacon(Session s, Ev[] events, long sent, long received, boolean late) {
        Beacon b = new Beacon();
        b.s = s;
        b.events = events;
        b.sent = sent;
        b.time = received;
        b.late = late;
        enqueue(b);
        return b;
    }

    /** An SDK that did not see the response resends the same beacon: same event ids. */
    private void maybeRetry(Beacon b) {
        if (rnd.nextDouble() < realism.duplicateRate) {
            long delay = SECOND + (long) (rnd.nextDouble() * 29 * SECOND);
            Beacon copy = beacon(b.s, b.events, b.sent + delay, b.time + delay, b.late);
            copy.single = b.single;
            copy.duplicate = true;
        }
    }

    private long networkLatency() {
        return 5 + (long) Math.min(5000, lognormal(60, 0.7));
    }

    private Ev ev(byte type, long time, String viewId, String url, int incident) {
        Ev e = new Ev();
        e.type = type;
        e.time = time;
        e.id = uuid();
        e.viewId = viewId;
        e.url = url;
        e.incident = incident;
        return e;
    }

    private Ev vital(String name, double value, long time, String viewId, String url, int inc) {
        Ev e =
                ev(
                        WEB_VITAL,
                        time,
                        viewId,
                        url,
                        name.equals("CLS") || name.equals("INP") ? -1 : inc);
        e.s1 = name;
        e.v1 = value;
        e.s2 = rating(name, value);
        return e;
    }

    private Ev click(long time, String viewId, String url, String[] target) {
        Ev e = ev(ACTION, time, viewId, url, -1);
        e.s1 = target[0];
        e.s2 = target[1];
        return e;
    }

    private Ev error(
            Catalog.ErrorKind kind, Session s, long at, String viewId, String url, int inc) {
        Ev e = ev(ERROR, at, viewId, url, inc);
        e.s1 = kind.types[s.engine];
        String message = kind.messages[s.engine];
        if (kind.numbered) {
            int number = kind == Catalog.ERRORS[2] ? 500 + rnd.nextInt(5) : 100 + rnd.nextInt(900);
            message = message.replace("{n}", Integer.toString(number));
        }
        e.s2 = message;
        e.s3 = Catalog.stack(kind, s.engine, s.app.spec.host, e.s1, message);
        return e;
    }

    /** Google's thresholds: good up to the first bound, poor above the second. */
    static String rating(String name, double v) {
        double good;
        double poor;
        switch (name) {
            case "LCP":
                good = 2500;
                poor = 4000;
                break;
            case "INP":
                good = 200;
                poor = 500;
                break;
            case "CLS":
                good = 0.1;
                poor = 0.25;
                break;
            case "FCP":
                good = 1800;
                poor = 3000;
                break;
            default: // TTFB
                good = 800;
                poor = 1800;
        }
        return v <= good ? "good" : v <= poor ? "needs-improvement" : "poor";
    }

    // ------------------------------------------------------------------ emission

    private void account(Beacon b) {
        stats.records++;
        if (b.malformed != null) {
            malformedCounts[b.malformed.ordinal()]++;
            return;
        }
        if (b.single) stats.singleEventRecords++;
        else stats.batchRecords++;
        if (b.duplicate) {
            stats.duplicateRecords++;
            stats.duplicateEvents += b.events.length;
            return;
        }
        if (b.late) {
            stats.lateRecords++;
            stats.lateEvents += b.events.length;
        }
        for (Ev e : b.events) {
            typeCounts[e.type]++;
            if (b.s.bot) stats.botEvents++;
            if (e.incident >= 0) incidentCounts[e.incident]++;
            if (e.rageStart) stats.rageClickBursts++;
            if (e.type == FETCH && (e.status == 0 || e.status >= 500)) stats.failedFetches++;
        }
    }

    private byte[] render(Beacon b) {
        StringBuilder out = sb;
        out.setLength(0);
        Session s = b.s;
        if (b.malformed != null) {
            return renderMalformed(b);
        }
        if (b.single) {
            event(out, s, b.events[0], b, 0);
        } else {
            out.append("{\"schema_version\":1,\"sent_at\":")
                    .append(b.sent + s.skew)
                    .append(",\"received_at\":")
                    .append(b.time)
                    .append(s.envelope)
                    .append(",\"events\":[");
            for (int i = 0; i < b.events.length; i++) {
                if (i > 0) out.append(',');
                event(out, s, b.events[i], null, 0);
            }
            out.append("]}");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    // malformations applied while rendering one event
    private static final int OK = 0;
    private static final int STRING_TIME = 1;
    private static final int STRING_DURATION = 2;
    private static final int NUMERIC_ID = 3;
    private static final int UNKNOWN_TYPE = 4;
    private static final int NEGATIVE = 5;

    private byte[] renderMalformed(Beacon b) {
        StringBuilder out = sb;
        out.setLength(0);
        Ev e = b.events[0];
        switch (b.malformed) {
            case NOT_JSON:
                return Catalog.NOT_JSON[b.param % Catalog.NOT_JSON.length].getBytes(
                        StandardCharsets.UTF_8);
            case TRUNCATED_JSON:
                {
                    event(out, b.s, e, b, OK);
                    int cut = 1 + (int) ((long) b.param * (out.length() - 2) / 1_000_000);
                    return out.substring(0, cut).getBytes(StandardCharsets.UTF_8);
                }
            case INVALID_UTF8:
                {
                    event(out, b.s, e, b, OK);
                    byte[] ok = out.toString().getBytes(StandardCharsets.UTF_8);
                    int at = out.indexOf("\"page_url\":\"") + 12;
                    byte[] bad = new byte[ok.length + 2];
                    System.arraycopy(ok, 0, bad, 0, at);
                    bad[at] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
                    bad[at + 1] = (byte) 0x28;
                    System.arraycopy(ok, at, bad, at + 2, ok.length - at);
                    return bad;
                }
            case WRONG_FIELD_TYPES:
                event(out, b.s, e, b, STRING_TIME + b.param % 3);
                break;
            case UNKNOWN_EVENT_TYPE:
                event(out, b.s, e, b, UNKNOWN_TYPE);
                break;
            case NEGATIVE_DURATION:
                event(out, b.s, e, b, NEGATIVE);
                break;
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One event object; {@code single} non-null renders a stand-alone event with envelope. */
    private void event(StringBuilder out, Session s, Ev e, Beacon single, int mode) {
        out.append('{');
        if (single != null) out.append("\"schema_version\":1,");
        out.append("\"event_id\":");
        if (mode == NUMERIC_ID) {
            out.append(e.time);
        } else {
            out.append('"').append(e.id).append('"');
        }
        out.append(",\"type\":\"")
                .append(
                        mode == UNKNOWN_TYPE
                                ? Catalog.UNKNOWN_TYPES[
                                        (int) (e.time % Catalog.UNKNOWN_TYPES.length)]
                                : TYPE_NAMES[e.type])
                .append('"');
        out.append(s.head);
        out.append(",\"view_id\":\"").append(e.viewId).append('"');
        out.append(",\"occurred_at\":");
        if (mode == STRING_TIME) {
            out.append('"').append(Instant.ofEpochMilli(e.time + s.skew)).append('"');
        } else {
            out.append(e.time + s.skew);
        }
        if (single != null) {
            out.append(",\"sent_at\":").append(single.sent + s.skew);
            out.append(",\"received_at\":").append(single.time);
        }
        out.append(",\"page_url\":");
        Json.string(out, e.url);
        if (e.referrer != null) {
            out.append(",\"referrer\":");
            Json.string(out, e.referrer);
        }
        if (single != null) out.append(s.envelope);
        out.append(s.tail);
        switch (e.type) {
            case PAGE_VIEW:
                out.append(",\"page_view\":{\"ttfb_ms\":");
                Json.tenths(out, e.v1);
                out.append(",\"dom_content_loaded_ms\":");
                Json.tenths(out, e.v2);
                out.append(",\"load_ms\":");
                Json.tenths(out, e.v3);
                out.append('}');
                break;
            case WEB_VITAL:
                out.append(",\"web_vital\":{\"name\":\"").append(e.s1).append("\",\"value\":");
                if (mode == NEGATIVE) {
                    out.append('-');
                    Json.tenths(out, e.v1 + 1);
                } else if (e.s1.equals("CLS")) {
                    Json.tenThousandths(out, e.v1);
                } else {
                    Json.tenths(out, e.v1);
                }
                out.append(",\"rating\":\"").append(e.s2).append("\"}");
                break;
            case FETCH:
                out.append(",\"fetch\":{\"url\":");
                Json.string(out, e.s1);
                out.append(",\"method\":\"").append(e.s2).append("\",\"status\":").append(e.status);
                out.append(",\"duration_ms\":");
                if (mode == STRING_DURATION) {
                    out.append("\"fast\"");
                } else if (mode == NEGATIVE) {
                    out.append('-');
                    Json.tenths(out, e.v1 + 1);
                } else {
                    Json.tenths(out, e.v1);
                }
                if (e.s3 != null) {
                    out.append(",\"trace_id\":\"").append(e.s3).append("\",\"span_id\":\"");
                    out.append(e.s4).append('"');
                }
                out.append('}');
                break;
            case ERROR:
                out.append(",\"error\":{\"type\":");
                Json.string(out, e.s1);
                out.append(",\"message\":");
                Json.string(out, e.s2);
                if (!e.s3.isEmpty()) {
                    out.append(",\"stack\":");
                    Json.string(out, e.s3);
                }
                out.append('}');
                break;
            default: // ACTION
                out.append(",\"action\":{\"type\":\"click\",\"target\":");
                Json.string(out, e.s1);
                if (!e.s2.isEmpty()) {
                    out.append(",\"name\":");
                    Json.string(out, e.s2);
                }
                out.append('}');
        }
        out.append('}');
    }

    // ------------------------------------------------------------------ text helpers

    private void fill(StringBuilder out, String template) {
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c == '{') {
                int close = template.indexOf('}', i);
                placeholder(out, template.substring(i + 1, close));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
    }

    private void placeholder(StringBuilder out, String name) {
        switch (name) {
            case "id":
                out.append(1 + rnd.nextInt(rnd.nextBoolean() ? 9_999 : 99_999_999));
                break;
            case "uuid":
                out.append(uuid());
                break;
            case "hash":
                out.append(hex(rnd.nextLong(), 16)).append(hex(rnd.nextLong(), 16));
                break;
            case "sha":
                out.append(hex(rnd.nextLong(), 16))
                        .append(hex(rnd.nextLong(), 16))
                        .append(hex(rnd.nextLong(), 8));
                break;
            case "email":
                email(out);
                break;
            case "slug":
                int words = 2 + rnd.nextInt(3);
                for (int w = 0; w < words; w++) {
                    if (w > 0) out.append('-');
                    out.append(Catalog.WORDS[rnd.nextInt(Catalog.WORDS.length)]);
                }
                break;
            case "token":
                out.append(token(22));
                break;
            case "step":
                out.append(Catalog.CHECKOUT_STEPS[rnd.nextInt(Catalog.CHECKOUT_STEPS.length)]);
                break;
            default:
                throw new IllegalStateException("unvalidated placeholder {" + name + "}");
        }
    }

    private void email(StringBuilder out) {
        out.append(Catalog.FIRST_NAMES[rnd.nextInt(Catalog.FIRST_NAMES.length)])
                .append('.')
                .append(Catalog.LAST_NAMES[rnd.nextInt(Catalog.LAST_NAMES.length)])
                .append(rnd.nextInt(100))
                .append('@')
                .append(Catalog.EMAIL_DOMAINS[rnd.nextInt(Catalog.EMAIL_DOMAINS.length)]);
    }

    private void landingQuery(StringBuilder out) {
        switch (rnd.nextInt(4)) {
            case 0:
                out.append("?utm_source=google&utm_medium=cpc&utm_campaign=winter_sale&gclid=")
                        .append(token(20));
                break;
            case 1:
                out.append("?utm_source=newsletter&utm_medium=email&email=");
                int at = out.length();
                email(out);
                int sign = out.indexOf("@", at);
                out.replace(sign, sign + 1, "%40");
                break;
            case 2:
                out.append("?fbclid=").append(token(24));
                break;
            default:
                out.append("?ref=");
                placeholder(out, "slug");
        }
    }

    private String token(int length) {
        char[] c = new char[length];
        long bits = 0;
        for (int i = 0; i < length; i++) {
            if (i % 10 == 0) bits = rnd.nextLong();
            c[i] = Catalog.BASE64URL[(int) (bits & 63)];
            bits >>>= 6;
        }
        return new String(c);
    }

    private String uuid() {
        long hi = rnd.nextLong();
        long lo = rnd.nextLong();
        hi = (hi & ~0xF000L) | 0x4000L; // version 4
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        char[] c = new char[36];
        int p = 0;
        for (int i = 15; i >= 0; i--) {
            c[p++] = Catalog.HEX[(int) (hi >>> (i * 4)) & 15];
            if (p == 8 || p == 13) c[p++] = '-';
        }
        c[p++] = '-';
        for (int i = 15; i >= 0; i--) {
            c[p++] = Catalog.HEX[(int) (lo >>> (i * 4)) & 15];
            if (p == 23) c[p++] = '-';
        }
        return new String(c);
    }

    static String hex(long v, int digits) {
        char[] c = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            c[i] = Catalog.HEX[(int) (v & 15)];
            v >>>= 4;
        }
        return new String(c);
    }

    // ------------------------------------------------------------------ random helpers

    /** SplitMix64 finalizer: decorrelates nearby seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private long exponential(double ratePerMs) {
        return 1 + (long) (-Math.log(1 - rnd.nextDouble()) / ratePerMs);
    }

    private double lognormal(double median, double sigma) {
        return median * Math.exp(sigma * rnd.nextGaussian());
    }

    private int poisson(double mean) {
        if (mean <= 0) return 0;
        double limit = Math.exp(-mean);
        double p = rnd.nextDouble();
        int k = 0;
        while (p > limit && k < 1000) {
            p *= rnd.nextDouble();
            k++;
        }
        return k;
    }

    /** Number of failures before a success, with the given mean. */
    private int geometric(double mean) {
        if (mean <= 0) return 0;
        double q = mean / (1 + mean);
        return (int) Math.min(500, Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(q)));
    }

    private int pickIndex(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double x = rnd.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.length - 1;
    }

    // ------------------------------------------------------------------ model

    /** A name picked by weight, in configured order. */
    static final class Weighted {
        final String[] names;
        final double[] cumulative;

        Weighted(Map<String, Double> weights) {
            names = weights.keySet().toArray(new String[0]);
            cumulative = new double[names.length];
            double sum = 0;
            for (int i = 0; i < names.length; i++) {
                sum += weights.get(names[i]);
                cumulative[i] = sum;
            }
        }

        String pick(SplittableRandom rnd) {
            double x = rnd.nextDouble() * cumulative[cumulative.length - 1];
            for (int i = 0; i < cumulative.length; i++) {
                if (x < cumulative[i]) return names[i];
            }
            return names[names.length - 1];
        }
    }

    final class App {
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
        private final java.util.HashMap<String, String[]> userAgents = new java.util.HashMap<>();
        // offset cache: valid for [offsetFrom, offsetUntil)
        private long offsetFrom = Long.MAX_VALUE;
        private long offsetUntil = Long.MIN_VALUE;
        private long offset;

        App(int index, GeneratorConfig.AppSpec spec) {
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
            Map<String, Double> releaseWeights = new java.util.LinkedHashMap<>();
            for (GeneratorConfig.ReleaseSpec r : spec.releases) {
                releaseWeights.merge(r.version, r.weight, Double::sum);
            }
            this.releases = new Weighted(releaseWeights);
            this.experimentNames = new ArrayList<>(spec.experiments.keySet());
            this.experimentVariants = new ArrayList<>(spec.experiments.values());
            this.apiHost =
                    spec.host.startsWith("www.") ? "api." + spec.host.substring(4) : spec.host;
        }

        Route routePick(SplittableRandom r) {
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
    }

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

    static final class Incident {
        static final int LATENCY = 0;
        static final int ERRORS = 1;
        static final int TRAFFIC = 2;
        static final int API = 3;
        static final int VITAL = 4;
        static final int DRIFT = 5;
        static final int OUTAGE = 6;
        static final int NEW_ERROR = 7;

        final int index;
        final IncidentTruth truth;
        final App app;
        final int kind;

        /** api_failure: the failing call, as in {@code routes[].apis}; else null. */
        final String endpoint;

        /** vital_regression: INP or CLS; else null. */
        final String vital;

        Incident(int index, IncidentTruth truth, App app) {
            this.index = index;
            this.truth = truth;
            this.app = app;
            switch (truth.kind()) {
                case "latency_regression":
                    kind = LATENCY;
                    break;
                case "error_spike":
                    kind = ERRORS;
                    break;
                case "api_failure":
                    kind = API;
                    break;
                case "vital_regression":
                    kind = VITAL;
                    break;
                case "latency_drift":
                    kind = DRIFT;
                    break;
                case "partial_outage":
                    kind = OUTAGE;
                    break;
                case "new_error":
                    kind = NEW_ERROR;
                    break;
                default:
                    kind = TRAFFIC;
            }
            String e = null;
            String v = null;
            for (String m : truth.metrics()) {
                if (m.startsWith(IncidentTruth.ENDPOINT_PREFIX)) {
                    e = m.substring(IncidentTruth.ENDPOINT_PREFIX.length());
                }
                if (kind == VITAL && m.startsWith(IncidentTruth.VITAL_PREFIX)) {
                    v = m.substring(IncidentTruth.VITAL_PREFIX.length());
                }
            }
            this.endpoint = e;
            this.vital = v;
        }

        /** latency_drift: 1 at the window's start, rising linearly to the magnitude at its end. */
        double driftFactor(long t) {
            double progress =
                    (t - truth.startMillis()) / (double) (truth.endMillis() - truth.startMillis());
            return 1 + (truth.magnitude() - 1) * Math.min(1, Math.max(0, progress));
        }

        /**
         * partial_outage: whether this session is among the share it hits, by a hash of the session
         * id (a session is hit on all its views or on none).
         */
        boolean hitsSession(Session s) {
            long h =
                    mix(s.sessionId.hashCode() * 0xC2B2AE3D27D4EB4FL + index + 0x632BE59BD9B4E019L);
            return (h >>> 11) * 0x1.0p-53 < truth.magnitude();
        }

        boolean matchesSession(Session s) {
            switch (truth.dimension()) {
                case "browser":
                    return truth.value().equals(s.family);
                case "country":
                    return truth.value().equals(s.country);
                case "release":
                    return truth.value().equals(s.release);
                default:
                    return true;
            }
        }

        /** A view is hit if it is in the dimension and, when a release rolled out, runs it. */
        boolean matchesView(Session s, Route route) {
            if (truth.release() != null && !truth.release().equals(s.release)) return false;
            if (truth.dimension().equals("route")) return truth.value().equals(route.path);
            return matchesSession(s);
        }
    }

    static final class Session {
        App app;
        boolean bot;
        String family;
        String device;
        String userAgent;
        String country;
        String release;
        String sessionId;
        String userId;
        String clientIp;
        long skew;
        int engine;
        int views;
        int viewIndex;
        int idleAfterView = -1;
        boolean longSession;

        /** When the session started (its first view): a traffic drop draws new sessions there. */
        long startedAt;

        boolean late;
        double netFactor;
        double deviceFactor;
        String previousUrl;
        String head;
        String tail;
        String envelope;
    }

    static final class Ev {
        byte type;
        boolean rageStart;
        int status;
        int incident;
        long time;
        String id;
        String viewId;
        String url;
        String referrer;
        double v1;
        double v2;
        double v3;
        String s1;
        String s2;
        String s3;
        String s4;
    }

    abstract static class Item implements Comparable<Item> {
        long time;
        long seq;

        @Override
        public int compareTo(Item o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    static final class Arrival extends Item {
        final App app;

        Arrival(App app) {
            this.app = app;
        }
    }

    static final class Step extends Item {
        final Session s;

        Step(Session s) {
            this.s = s;
        }
    }

    static final class Beacon extends Item {
        Session s;
        Ev[] events;
        long sent;
        boolean single;
        boolean duplicate;
        boolean late;
        MalformedKind malformed;
        int param;
    }
}
