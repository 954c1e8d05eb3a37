package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.RumEvent;
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
 *   <li>route: URL → template (rules, built-in placeholders, then templates learned from traffic:
 *       {@link RouteTemplateLearner}, counter {@code routeTemplatesLearned} and one log line per
 *       learned template);
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
 * <p>Endpoint templates are learned in event time ({@link EndpointTemplateLearner}), so that a
 * replay names every fetch the same: a fetch whose template the watermark has not settled yet is
 * held (operator state {@value #ENDPOINT_PENDING_STATE}) and sent on by {@link #onWatermark} before
 * the watermark that settles it, so it is never late downstream. Only fetches far ahead of the
 * watermark wait (the first ones before any watermark, a partition read ahead in a catch-up). Runs
 * in {@link EnricherOperator}, which calls {@link #onWatermark}.
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

    private final IngestConfig config;

    private transient EventEnrichment enrichment;
    private transient CardinalityGuard guard;
    private transient RouteTemplateLearner learner;
    private transient EndpointTemplateLearner endpointLearner;
    private transient ListState<String> guardState;
    private transient ListState<String> learnerState;
    private transient ListState<String> endpointLearnerState;
    private transient ListState<RumEvent> pendingState;

    /** Fetches whose endpoint waits for a watermark, in arrival order. */
    private transient List<RumEvent> pending;

    /** The earliest event time in {@link #pending} (Long.MAX_VALUE when none). */
    private transient long pendingMin;

    /** The last watermark received (not state: after a restore, waiting is the safe answer). */
    private transient long watermark;

    private transient EnumMap<CardinalityGuard.Kind, Counter> folded;
    private transient long[] foldedReported;
    private transient Counter truncated;
    private transient Counter experimentsDropped;
    private transient Counter learned;
    private transient Counter bots;
    private transient Counter held;
    private transient long truncatedReported;
    private transient long droppedReported;

    public Enricher(IngestConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        if (guard == null) {
            guard = EventEnrichment.newGuard(config);
            learner = EventEnrichment.newLearner(config);
            endpointLearner = EventEnrichment.newEndpointLearner(config);
            pending = new ArrayList<>();
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
        bots = metrics.counter("botEvents");
        // Fetches held for their endpoint template: near zero in steady state; a catch-up with a
        // partition far ahead of the watermark raises it.
        held = metrics.counter("endpointFetchesHeld");
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) {
        boolean done;
        try {
            done = enrichment.enrich(e, settledWatermark());
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
        if (done) {
            out.collect(e);
        } else {
            pending.add(e);
            pendingMin = Math.min(pendingMin, e.eventTime);
            held.inc();
        }
    }

    /**
     * The watermark the endpoint learner may rely on: the received one, but no further than a held
     * fetch's time + allowed lateness, because a held fetch's deeper path segments are evidence not
     * counted yet (counted when it is decided).
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
     * decides and sends on every held fetch it decides, with its own timestamp. Repeats while that
     * decides more (a decided fetch may be what held the settled watermark back).
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
            Iterator<RumEvent> it = pending.iterator();
            while (it.hasNext()) {
                RumEvent e = it.next();
                if (enrichment.resolveEndpoint(e, settled)) {
                    it.remove();
                    out.setAbsoluteTimestamp(e.eventTime);
                    out.collect(e);
                    progress = true;
                }
            }
            pendingMin = Long.MAX_VALUE;
            for (RumEvent e : pending) pendingMin = Math.min(pendingMin, e.eventTime);
        }
        report();
    }

    /** Fetches waiting for a watermark (tests). */
    int pendingCount() {
        return pending.size();
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
        for (RouteTemplateLearner.Learned l : enrichment.lastLearned()) {
            learned.inc();
            LOG.info(
                    "Learned route template {} for app {} (subtask {})",
                    l.template(),
                    l.app,
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        guardState.update(guard.snapshot());
        learnerState.update(learner.snapshot());
        endpointLearnerState.update(endpointLearner.snapshot());
        pendingState.update(pending);
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
        guard = EventEnrichment.newGuard(config);
        learner = EventEnrichment.newLearner(config);
        endpointLearner = EventEnrichment.newEndpointLearner(config);
        guard.restore(guardState.get());
        // State written before endpoints had a learner of their own kept their entries in the
        // route learner under "app NUL api": they move over (docs/cluster.md).
        learner.restore(
                endpointLearner.restoreFromRouteLearner(
                        learnerState.get(), EventEnrichment.API_NAMESPACE));
        endpointLearner.restore(endpointLearnerState.get());
        pending = new ArrayList<>();
        pendingMin = Long.MAX_VALUE;
        for (RumEvent e : pendingState.get()) {
            pending.add(e);
            pendingMin = Math.min(pendingMin, e.eventTime);
        }
    }
}
