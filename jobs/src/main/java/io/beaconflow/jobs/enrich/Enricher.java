package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrichment, then PII scrubbing, in one pass per event ({@link EventEnrichment}):
 *
 * <ol>
 *   <li>bounds: browser-sent strings cut to {@code ingest.cardinality.max-value-length} / {@code
 *       max-text-length} (counter {@code fieldsTruncated});
 *   <li>route: URL → template (rules, built-in placeholders, then templates learned from traffic in
 *       event time: a {@link PathTemplateLearner}, counter {@code routeTemplatesLearned} and one
 *       log line per learned template);
 *   <li>user agent → browser, version, OS, device type, bot flag (Yauaa, counter {@code
 *       botEvents});
 *   <li>every dimension (app, route, release, country, browser, OS, device, experiment variant)
 *       bounded by the {@link CardinalityGuard}: values beyond the budget fold into {@code other},
 *       one counter per dimension ({@code routesFolded}, {@code releasesFolded}, ...); experiments
 *       beyond the per-event maximum are dropped ({@code experimentsDropped});
 *   <li>error fingerprint when the SDK sent none;
 *   <li>PII: client IP, query strings of page / referrer / fetch URLs, user id ( {@code
 *       PiiScrubber}). The user agent string itself is kept: it is not personal on its own and the
 *       dashboards group by it only through the parsed fields.
 * </ol>
 *
 * <p>The guard's admitted values and the learner's templates and counts are operator state of each
 * parallel instance (split, not union, list state): restored with the same parallelism every
 * instance gets exactly its own state back, so a restore folds and learns as the uninterrupted run
 * would. (Union state gave every instance all instances' values, so it folded into {@code other}
 * earlier after each restore.) After a rescale the entries are spread round-robin; an instance then
 * relearns what it misses.
 *
 * <p>Route and endpoint templates are learned in event time (two {@link PathTemplateLearner}s,
 * operator states {@value #LEARNER_STATE} and {@value #ENDPOINT_LEARNER_STATE}), so that a replay
 * names every event's route and every fetch's endpoint the same. An event whose route template the
 * watermark has not settled yet is held (operator state {@value #ROUTE_PENDING_STATE}), a fetch
 * whose route is settled but not its endpoint too ({@value #ENDPOINT_PENDING_STATE}); {@link
 * #onWatermark} sends each on before the watermark that settles it, with its own timestamp, so it
 * is never late downstream. Only events far ahead of the watermark wait (the first ones before any
 * watermark, a partition read ahead in a catch-up). Runs in {@link EnricherOperator}, which calls
 * {@link #onWatermark}.
 *
 * <p><b>A bound on waiting</b> ({@code ingest.routes.max-held-events}): a watermark that does not
 * move (an idle input without idleness, a source whose other subtask is stuck, a long catch-up)
 * would make every event wait, on the heap and in every checkpoint, and would keep anything from
 * reaching the stages downstream, so the source would never feel backpressure either. Beyond the
 * bound the oldest waiting events are decided at once on the evidence seen so far ({@link
 * #decideEarly}): the answer a settled watermark at the event's own time + allowed lateness would
 * give if no more evidence came. Such an event may be named differently than in a replay (counter
 * {@code templateEventsDecidedEarly}); nothing is lost or late.
 *
 * <p>What holding an event means downstream: a held event leaves before any watermark at or after
 * its time, so every consumer still sees it on time. In particular {@code
 * sessions.ViewRouteAssigner}, which puts a single-page app's errors and fetches on the route of
 * their session's last view at or before them, holds every event ahead of its watermark until the
 * watermark reaches the event's time: a view held here reaches it before that watermark, so it is
 * in the session's view history by the time the events after it are placed, as it would be had it
 * not been held (no event after the view can be placed earlier: it is ahead of the watermark too).
 *
 * <p>Bots are flagged, not dropped; the metric stage leaves them out by default.
 */
public class Enricher extends ProcessFunction<RumEvent, RumEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);
    static final String STAGE = "enrich";

    /** Operator state names (split list state). */
    static final String GUARD_STATE = "cardinality-guard";

    static final String LEARNER_STATE = "route-learner";

    static final String ENDPOINT_LEARNER_STATE = "endpoint-learner";

    static final String ENDPOINT_PENDING_STATE = "endpoint-pending";

    static final String ROUTE_PENDING_STATE = "route-pending";

    private final IngestConfig config;

    private transient EventEnrichment enrichment;
    private transient CardinalityGuard guard;
    private transient PathTemplateLearner learner;
    private transient PathTemplateLearner endpointLearner;
    private transient ListState<String> guardState;
    private transient ListState<String> learnerState;
    private transient ListState<String> endpointLearnerState;
    private transient ListState<RumEvent> pendingState;
    private transient ListState<RumEvent> routePendingState;

    /** Fetches whose route is decided and whose endpoint waits for a watermark, arrival order. */
    private transient ArrayDeque<Held> pending;

    /**
     * Events whose route waits for a watermark (e.route before learned templates), arrival order.
     */
    private transient ArrayDeque<Held> routePending;

    /** The earliest event time held in either list (Long.MAX_VALUE when none). */
    private transient long pendingMin;

    /** The last watermark received (not state: after a restore, waiting is the safe answer). */
    private transient long watermark;

    /** Held events asked again at watermarks (tests: the stamps spare the rest). */
    private transient long asked;

    private transient EnumMap<CardinalityGuard.Kind, Counter> folded;
    private transient long[] foldedReported;
    private transient Counter truncated;
    private transient Counter experimentsDropped;
    private transient Counter learned;
    private transient Counter endpointsLearned;
    private transient Counter bots;
    private transient Counter held;
    private transient Counter routeHeld;
    private transient Counter decidedEarly;
    private transient long truncatedReported;
    private transient long droppedReported;

    public Enricher(IngestConfig config) {
        this.config = config;
    }

    /** Asks every held event at every watermark, as before the stamps (the tests' reference). */
    private boolean askEveryHeldEvent;

    Enricher askingEveryHeldEvent() {
        askEveryHeldEvent = true;
        return this;
    }

    /**
     * A held event and the learner's {@link PathTemplateLearner#version()} when it last answered
     * "wait" for it. The learner waits on a position whose evidence is open while the event's time
     * is at or after {@link PathTemplateLearner#earliestEffect} of the settled watermark; the
     * positions before it are decided. So while the version is the same and the event's time is
     * still at or after that bound, the answer is "wait" again and a watermark does not ask: asking
     * every held event at every watermark was a tenth of the pipeline's CPU (docs/benchmarks.md,
     * session 2026-12-05). A restored event has no stamp and is asked.
     */
    private static final class Held {
        final RumEvent e;
        long version = -1;

        Held(RumEvent e) {
            this.e = e;
        }

        /** Stamps the learner's answer "wait". */
        Held waitedOn(PathTemplateLearner l) {
            version = l.version();
            return this;
        }

        /**
         * True when the learner would answer "wait" again: its version is {@code version} and the
         * settled watermark's earliest effect is {@code rawBefore}.
         */
        boolean unchanged(long version, long rawBefore) {
            return this.version == version && e.eventTime >= rawBefore;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        if (guard == null) {
            guard = EventEnrichment.newGuard(config);
            learner = EventEnrichment.newLearner(config);
            endpointLearner = EventEnrichment.newLearner(config);
            pending = new ArrayDeque<>();
            routePending = new ArrayDeque<>();
            pendingMin = Long.MAX_VALUE;
        }
        watermark = Long.MIN_VALUE;
        enrichment = new EventEnrichment(config, guard, learner, endpointLearner);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        folded = new EnumMap<>(CardinalityGuard.Kind.class);
        for (CardinalityGuard.Kind k : CardinalityGuard.Kind.values()) {
            folded.put(k, metrics.counter(k.counter));
        }
        foldedReported = new long[CardinalityGuard.Kind.values().length];
        truncated = metrics.counter("fieldsTruncated");
        experimentsDropped = metrics.counter("experimentsDropped");
        learned = metrics.counter("routeTemplatesLearned");
        endpointsLearned = metrics.counter("endpointTemplatesLearned");
        bots = metrics.counter("botEvents");
        // Events held for their route or endpoint template: near zero in steady state; a catch-up
        // with a partition far ahead of the watermark raises them. Counted once per event, when
        // it is first held (a fetch held for its route and then its endpoint counts once).
        held = metrics.counter("endpointFetchesHeld");
        routeHeld = metrics.counter("routeEventsHeld");
        // Held events decided before their watermark because too many waited: their routes or
        // endpoints may differ from a replay's. Zero unless the watermark stalls.
        decidedEarly = metrics.counter("templateEventsDecidedEarly");
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) {
        EventEnrichment.Waiting waiting;
        try {
            waiting = enrichment.enrich(e, settledWatermark());
        } catch (RuntimeException | StackOverflowError failure) {
            if (ProcessingErrors.isInfrastructure(failure)) throw failure;
            // Parsers of client strings (URL, user agent, stack) are the likeliest to break on
            // hostile input: the event becomes a dead letter, the job goes on.
            ctx.output(ProcessingErrors.TAG, ProcessingErrors.of(STAGE, e, failure));
            return;
        } finally {
            // Counted even when the event failed later on: the guard and learner already moved.
            report();
        }
        if (e.bot) {
            bots.inc();
        }
        switch (waiting) {
            case NONE -> out.collect(e);
            case ROUTE -> {
                routePending.add(new Held(e).waitedOn(learner));
                pendingMin = Math.min(pendingMin, e.eventTime);
                routeHeld.inc();
            }
            case ENDPOINT -> {
                pending.add(new Held(e).waitedOn(endpointLearner));
                pendingMin = Math.min(pendingMin, e.eventTime);
                held.inc();
            }
        }
    }

    /**
     * Called by {@link EnricherOperator} after each element: when more events wait than {@code
     * ingest.routes.max-held-events}, sends on the oldest (routes first, then endpoints, arrival
     * order, each with its own timestamp) until a tenth of the bound is free, each decided as a
     * watermark at its time + allowed lateness would decide it now (the learner then answers raw or
     * placeholder, never "wait"). A batch, so that the earliest held time is recomputed once per
     * batch, not once per event.
     */
    void decideEarly(org.apache.flink.streaming.api.operators.TimestampedCollector<RumEvent> out) {
        if (pendingCount() <= config.routes.maxHeldEvents) return;
        int target = config.routes.maxHeldEvents - Math.max(1, config.routes.maxHeldEvents / 10);
        long lateness = config.allowedLateness.toMillis();
        while (pendingCount() > target) {
            boolean routeOpen = !routePending.isEmpty();
            RumEvent e = (routeOpen ? routePending.poll() : pending.poll()).e;
            long now = e.eventTime + lateness;
            // Saturating, as in settledWatermark(): a time near Long.MAX_VALUE must not wrap.
            EventEnrichment.Waiting w =
                    enrichment.resolve(e, routeOpen, now < e.eventTime ? Long.MAX_VALUE : now);
            if (w != EventEnrichment.Waiting.NONE) {
                throw new IllegalStateException(
                        "a template decision past allowed lateness still waits: " + w);
            }
            decidedEarly.inc();
            out.setAbsoluteTimestamp(e.eventTime);
            out.collect(e);
        }
        recomputePendingMin();
        report();
    }

    /**
     * The watermark the learners may rely on: the received one, but no further than a held event's
     * time + allowed lateness, because a held event's deeper path segments (and a held fetch's
     * endpoint) are evidence not counted yet (counted when it is decided).
     */
    private long settledWatermark() {
        if (pendingMin == Long.MAX_VALUE) {
            return watermark;
        }
        long bound = pendingMin + config.allowedLateness.toMillis();
        // Saturating: a held fetch's time near Long.MAX_VALUE must not wrap around.
        return bound < pendingMin ? watermark : Math.min(watermark, bound);
    }

    /**
     * Called by {@link EnricherOperator} before it forwards a watermark: settles what the watermark
     * decides and sends on every held event it decides, with its own timestamp. Repeats while that
     * decides more (a decided event may be what held the settled watermark back). Every held event
     * at or before {@code mark} is decided by then (a final answer needs only a watermark at its
     * time), so none leaves behind a watermark already forwarded.
     */
    void onWatermark(
            long mark,
            org.apache.flink.streaming.api.operators.TimestampedCollector<RumEvent> out) {
        watermark = mark;
        boolean progress = true;
        while (progress) {
            long settled = settledWatermark();
            enrichment.advance(settled);
            progress = false;
            long routeRawBefore = learner.earliestEffect(settled);
            Iterator<Held> it = routePending.iterator();
            while (it.hasNext()) {
                Held h = it.next();
                if (!askEveryHeldEvent && h.unchanged(learner.version(), routeRawBefore)) continue;
                asked++;
                RumEvent e = h.e;
                EventEnrichment.Waiting w = enrichment.resolve(e, true, settled);
                if (w == EventEnrichment.Waiting.ROUTE) {
                    h.waitedOn(learner);
                    continue;
                }
                it.remove();
                progress = true;
                if (w == EventEnrichment.Waiting.ENDPOINT) {
                    pending.add(new Held(e).waitedOn(endpointLearner));
                } else {
                    out.setAbsoluteTimestamp(e.eventTime);
                    out.collect(e);
                }
            }
            long endpointRawBefore = endpointLearner.earliestEffect(settled);
            it = pending.iterator();
            while (it.hasNext()) {
                Held h = it.next();
                if (!askEveryHeldEvent
                        && h.unchanged(endpointLearner.version(), endpointRawBefore)) {
                    continue;
                }
                asked++;
                RumEvent e = h.e;
                if (enrichment.resolve(e, false, settled) == EventEnrichment.Waiting.NONE) {
                    it.remove();
                    out.setAbsoluteTimestamp(e.eventTime);
                    out.collect(e);
                    progress = true;
                } else {
                    h.waitedOn(endpointLearner);
                }
            }
            // Only a decided event changes the earliest held time (nothing is added here).
            if (progress) recomputePendingMin();
        }
        report();
    }

    private void recomputePendingMin() {
        pendingMin = Long.MAX_VALUE;
        for (Held h : pending) pendingMin = Math.min(pendingMin, h.e.eventTime);
        for (Held h : routePending) pendingMin = Math.min(pendingMin, h.e.eventTime);
    }

    long heldAsked() {
        return asked;
    }

    /** Events waiting for a watermark (tests). */
    int pendingCount() {
        return pending.size() + routePending.size();
    }

    private void report() {
        for (CardinalityGuard.Kind k : CardinalityGuard.Kind.values()) {
            long f = guard.folded(k);
            if (f != foldedReported[k.ordinal()]) {
                folded.get(k).inc(f - foldedReported[k.ordinal()]);
                foldedReported[k.ordinal()] = f;
            }
        }
        long t = enrichment.truncated();
        if (t != truncatedReported) {
            truncated.inc(t - truncatedReported);
            truncatedReported = t;
        }
        long d = enrichment.experimentsDropped();
        if (d != droppedReported) {
            experimentsDropped.inc(d - droppedReported);
            droppedReported = d;
        }
        for (PathTemplateLearner.Learned l : learner.drainLearned()) {
            learned.inc();
            log("route", l);
        }
        for (PathTemplateLearner.Learned l : endpointLearner.drainLearned()) {
            endpointsLearned.inc();
            log("endpoint", l);
        }
    }

    private void log(String kind, PathTemplateLearner.Learned l) {
        LOG.info(
                "Learned {} template {} for app {} from {} (subtask {})",
                kind,
                l.template(),
                l.app(),
                java.time.Instant.ofEpochMilli(l.effect()),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        guardState.update(guard.snapshot());
        learnerState.update(learner.snapshot());
        endpointLearnerState.update(endpointLearner.snapshot());
        pendingState.update(events(pending));
        routePendingState.update(events(routePending));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        guardState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(GUARD_STATE, Types.STRING));
        learnerState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(LEARNER_STATE, Types.STRING));
        endpointLearnerState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(ENDPOINT_LEARNER_STATE, Types.STRING));
        pendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        ENDPOINT_PENDING_STATE,
                                        TypeInformation.of(RumEvent.class)));
        routePendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        ROUTE_PENDING_STATE, TypeInformation.of(RumEvent.class)));
        guard = EventEnrichment.newGuard(config);
        learner = EventEnrichment.newLearner(config);
        endpointLearner = EventEnrichment.newLearner(config);
        guard.restore(guardState.get());
        // State written before endpoints had a learner of their own kept their entries in the
        // route learner under "app NUL api": they move over. State written before routes were
        // learned in event time has the old learner's entries: restore() takes them over
        // (docs/cluster.md).
        learner.restore(
                endpointLearner.restoreNamespace(
                        learnerState.get(), EventEnrichment.API_NAMESPACE));
        endpointLearner.restore(endpointLearnerState.get());
        pending = new ArrayDeque<>();
        routePending = new ArrayDeque<>();
        pendingMin = Long.MAX_VALUE;
        for (RumEvent e : pendingState.get()) {
            pending.add(new Held(e));
            pendingMin = Math.min(pendingMin, e.eventTime);
        }
        for (RumEvent e : routePendingState.get()) {
            routePending.add(new Held(e));
            pendingMin = Math.min(pendingMin, e.eventTime);
        }
    }

    private static List<RumEvent> events(ArrayDeque<Held> held) {
        List<RumEvent> out = new ArrayList<>(held.size());
        for (Held h : held) out.add(h.e);
        return out;
    }
}
