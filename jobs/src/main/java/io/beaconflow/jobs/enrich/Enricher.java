package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.RumEvent;
import java.util.EnumMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 * <p>Bots are flagged, not dropped; the metric stage leaves them out by default.
 */
public class Enricher extends ProcessFunction<RumEvent, RumEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);
    static final String STAGE = "enrich";

    /** Operator state names (split list state). */
    static final String GUARD_STATE = "cardinality-guard";

    static final String LEARNER_STATE = "route-learner";

    private final IngestConfig config;

    private transient EventEnrichment enrichment;
    private transient CardinalityGuard guard;
    private transient RouteTemplateLearner learner;
    private transient ListState<String> guardState;
    private transient ListState<String> learnerState;
    private transient EnumMap<CardinalityGuard.Kind, Counter> folded;
    private transient long[] foldedReported;
    private transient Counter truncated;
    private transient Counter experimentsDropped;
    private transient Counter learned;
    private transient Counter bots;
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
        }
        enrichment = new EventEnrichment(config, guard, learner);
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
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) {
        try {
            enrichment.enrich(e);
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
        out.collect(e);
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
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        guardState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(GUARD_STATE, Types.STRING));
        learnerState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(LEARNER_STATE, Types.STRING));
        guard = EventEnrichment.newGuard(config);
        learner = EventEnrichment.newLearner(config);
        guard.restore(guardState.get());
        learner.restore(learnerState.get());
    }
}
