package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.model.RawBeacon;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Synthetic RUM traffic for one generator split: a discrete-event simulation of browser sessions
 * that yields {@link RawBeacon}s in collector-arrival order (ascending {@code receivedAt}, ties in
 * creation order).
 *
 * <p>Output is a pure function of (config, seed, splitIndex, splitCount): one random stream per
 * split ({@link Rng}), no wall clock, all tie-breaks by a sequence number. Each split carries
 * {@code 1/splitCount} of every app's session rate, so the union of the splits is the whole
 * configured traffic whatever the Flink parallelism. TrafficGeneratorGoldenTest pins the bytes.
 *
 * <p>How it works: a priority queue holds three kinds of items ordered by simulated collector time
 * ({@link SimItem}): the next candidate session start per app (a non-homogeneous Poisson process
 * drawn by thinning against the daily and weekly profile in the app's time zone), the next page
 * view of each open session, and beacons waiting to arrive. This class is the loop; the model is in
 * one class per concern: {@link SessionFactory} draws sessions, {@link PageViews} a view and its
 * events ({@link SimEvent}), {@link IncidentEffects} applies the incidents, {@link Batcher} turns
 * events into beacons, {@link BeaconRenderer} and {@link Malformer} render them. Every beacon
 * arrives after its view starts, so popping the queue in time order yields beacons in arrival
 * order. JSON is rendered only when a beacon is emitted, so {@link #skip(long)} (used to restore a
 * checkpointed position) costs only the simulation.
 *
 * <p>Not thread-safe. Knobs: see {@code flink-conf/generator.yaml}.
 */
public final class TrafficGenerator implements GeneratedRecords {

    /** {@link RawBeacon#source} of every generated record. */
    public static final String SOURCE = "generator";

    private final int splitIndex;
    private final int splitCount;
    private final Rng rnd;
    private final long start;
    private final long end;
    private final SimApp[] apps;
    private final double[] daily;
    private final double[] weekly;
    private final double profileMax;
    private final IncidentEffects effects;
    private final SessionFactory sessions;
    private final PageViews pageViews;
    private final Batcher batcher;
    private final BeaconRenderer renderer = new BeaconRenderer();
    private final Malformer malformer;

    private final PriorityQueue<SimItem> queue = new PriorityQueue<>();
    private long itemSeq;
    private long position;
    private SimItem.Beacon ready;
    private boolean finished;

    /** Receives each fetch an instrumented backend answered, of views whose beacons are sent. */
    interface ServedFetches {
        void accept(SimSession s, SimEvent.Fetch f);
    }

    private ServedFetches served;

    // counters kept as arrays in the hot path; copied into GenerationStats on demand
    private GenerationStats stats = new GenerationStats();
    private final long[] typeCounts = new long[SimEvent.TYPE_NAMES.length];
    private final long[] malformedCounts = new long[MalformedKind.values().length];

    public TrafficGenerator(GeneratorConfig config, long seed, int splitIndex, int splitCount) {
        if (splitCount < 1 || splitIndex < 0 || splitIndex >= splitCount) {
            throw new IllegalArgumentException(
                    "split " + splitIndex + " of " + splitCount + ": need 0 <= index < count");
        }
        this.splitIndex = splitIndex;
        this.splitCount = splitCount;
        this.rnd = new Rng(Rng.mix(seed * 0x9E3779B97F4A7C15L + splitIndex + 1));
        long userSalt = Rng.mix(seed ^ 0x5DEECE66DL);
        this.start = config.startMillis();
        this.end = config.endMillis();
        this.daily = config.dailyProfile.stream().mapToDouble(Double::doubleValue).toArray();
        this.weekly = config.weeklyProfile.stream().mapToDouble(Double::doubleValue).toArray();
        this.profileMax =
                Arrays.stream(daily).max().orElse(1) * Arrays.stream(weekly).max().orElse(1);

        this.apps = new SimApp[config.apps.size()];
        for (int i = 0; i < apps.length; i++) {
            apps[i] = new SimApp(i, config.apps.get(i), profileMax, splitCount);
        }
        this.effects = new IncidentEffects(truths(config), apps);
        this.sessions = new SessionFactory(config, rnd, effects, userSalt);
        this.pageViews = new PageViews(rnd, effects, config.behaviour);
        this.malformer = new Malformer(rnd, renderer);
        this.batcher = new Batcher(config.realism, rnd, malformer, this::enqueue);

        for (SimApp app : apps) {
            if (app.arrivalRatePerMs > 0) {
                SimItem.Arrival a = new SimItem.Arrival(app);
                a.time = config.warmStartMillis() + rnd.exponential(app.arrivalRatePerMs);
                if (a.time < end) enqueue(a);
            }
        }
    }

    // ------------------------------------------------------------------ public API

    /**
     * Lets {@code sink} see every fetch a backend answered ({@link ServerSpanTraffic}). Listening
     * draws nothing from the random stream: the beacons are the same with or without it.
     */
    void onServedFetches(ServedFetches sink) {
        this.served = sink;
    }

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
                case "variant_regression":
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
                case "backend_slow":
                    metrics =
                            List.of(
                                    "fetch.duration_ms",
                                    IncidentTruth.SERVER_METRIC,
                                    IncidentTruth.ENDPOINT_PREFIX + in.endpoint.trim());
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
        for (ActiveIncident i : effects.incidents) out.add(i.truth);
        return out;
    }

    public int splitIndex() {
        return splitIndex;
    }

    public int splitCount() {
        return splitCount;
    }

    /** Records emitted or skipped so far = the offset of the next record. */
    @Override
    public long position() {
        return position;
    }

    @Override
    public boolean hasNext() {
        return advance();
    }

    /** Collector time of the next record; only valid when {@link #hasNext()} is true. */
    @Override
    public long peekReceivedAt() {
        if (!advance()) throw new NoSuchElementException();
        return ready.time;
    }

    @Override
    public RawBeacon next() {
        if (!advance()) throw new NoSuchElementException("bounded run finished");
        SimItem.Beacon b = ready;
        ready = null;
        account(b);
        byte[] payload = b.malformed != null ? malformer.render(b) : renderer.render(b);
        return new RawBeacon(payload, SOURCE, splitIndex, position++, b.time);
    }

    /**
     * Moves past {@code n} records without rendering them (they still count in the stats). After
     * {@code skip(n)} the generator is in exactly the state it would have after {@code n} calls to
     * {@link #next()}.
     *
     * @return the number skipped, less than {@code n} only if a bounded run ended
     */
    @Override
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
            if (typeCounts[i] > 0) s.eventsByType.put(SimEvent.TYPE_NAMES[i], typeCounts[i]);
        }
        for (int i = 0; i < malformedCounts.length; i++) {
            if (malformedCounts[i] > 0) {
                s.malformedByKind.put(MalformedKind.values()[i], malformedCounts[i]);
            }
        }
        for (ActiveIncident in : effects.incidents) {
            s.incidentAffected.put(in.truth.id(), effects.affected[in.index]);
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

        /** Collector time of the next record; only valid when {@link #hasNext()} is true. */
        public long peekReceivedAt() {
            TrafficGenerator g = nextSplit();
            if (g == null) throw new NoSuchElementException();
            return g.peekReceivedAt();
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
            SimItem head = queue.peek();
            if (head == null || head.time >= end) {
                finished = true;
                queue.clear();
                return false;
            }
            queue.poll();
            if (head instanceof SimItem.Beacon b) {
                ready = b;
            } else if (head instanceof SimItem.Arrival a) {
                arrive(a);
            } else {
                pageView((SimItem.Step) head);
            }
        }
        return true;
    }

    private void enqueue(SimItem item) {
        item.seq = itemSeq++;
        queue.add(item);
    }

    private void arrive(SimItem.Arrival a) {
        long t = a.time;
        SimApp app = a.app;
        boolean accept = rnd.nextDouble() * profileMax < profile(app, t);
        a.time = t + rnd.exponential(app.arrivalRatePerMs);
        if (a.time < end) enqueue(a);
        if (accept) startSession(app, t);
    }

    /** Daily (interpolated between hours) times weekly multiplier at local time. */
    double profile(SimApp app, long t) {
        long local = t + app.offsetMillis(t);
        long day = Math.floorDiv(local, 86_400_000L);
        double hour = (local - day * 86_400_000L) / 3_600_000.0;
        int h = (int) hour;
        double frac = hour - h;
        double d = daily[h] * (1 - frac) + daily[(h + 1) % 24] * frac;
        int dow = (int) Math.floorMod(day + 3, 7L); // 1970-01-01 was a Thursday; Monday = 0
        return d * weekly[dow];
    }

    private void startSession(SimApp app, long t) {
        // Warm start: sessions already running when the run starts count where they are seen
        // (their events), not as sessions started in the run.
        GenerationStats counted = t < start ? new GenerationStats() : stats;
        SimSession s = sessions.start(app, t, counted);
        if (s == null) return;
        SimItem.Step step = new SimItem.Step(s);
        step.time = t;
        enqueue(step);
    }

    private void pageView(SimItem.Step step) {
        SimSession s = step.s;
        long t = step.time;
        long gap = pageViews.view(s, t);
        boolean last = s.viewIndex >= s.views;
        int outage = effects.outageHitting(s, t);
        if (t < start) {
            // Warm start: views before the run's start are simulated (the session goes on) but
            // none of their beacons is sent, so no burst, retry or batch is cut at the start.
        } else if (outage >= 0) {
            // The user cannot reach the site (or its beacons cannot reach us): the view is lost.
            effects.count(outage);
        } else {
            batcher.batch(s, pageViews.events(), last);
            if (served != null) {
                for (SimEvent e : pageViews.events()) {
                    if (e instanceof SimEvent.Fetch f && f.served()) served.accept(s, f);
                }
            }
        }
        if (!last) {
            SimItem.Step next = new SimItem.Step(s);
            next.time = t + gap;
            enqueue(next);
        }
    }

    // ------------------------------------------------------------------ accounting

    private void account(SimItem.Beacon b) {
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
        for (SimEvent e : b.events) {
            typeCounts[e.typeIndex()]++;
            if (b.s.bot) stats.botEvents++;
            if (e.incident() >= 0) effects.count(e.incident());
            if (e instanceof SimEvent.Click c && c.rageStart()) stats.rageClickBursts++;
            if (e instanceof SimEvent.Fetch f && f.failed()) stats.failedFetches++;
        }
    }
}
