package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.enrich.RouteCardinalityGuard;
import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Enrichment, then PII scrubbing, in one pass per event:
 *
 * <ol>
 *   <li>route: URL → template, bounded per app ({@link RouteCardinalityGuard}, counter {@code
 *       routesFolded});
 *   <li>user agent → browser, version, OS, device type, bot flag (Yauaa, counter {@code
 *       botEvents});
 *   <li>error fingerprint when the SDK sent none;
 *   <li>PII: client IP, query strings of page / referrer / fetch URLs, user id ( {@code
 *       PiiScrubber}). The user agent string itself is kept: it is not personal on its own and the
 *       dashboards group by it only through the parsed fields.
 * </ol>
 *
 * Bots are flagged, not dropped; the metric stage leaves them out by default.
 */
public class Enricher extends ProcessFunction<RumEvent, RumEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final int UA_CACHE = 4096;
    static final String STAGE = "enrich";

    private final IngestConfig config;

    private transient EventEnrichment enrichment;
    private transient RouteCardinalityGuard guard;
    private transient ListState<String> guardState;
    private transient Counter folded;
    private transient Counter bots;
    private transient long foldedReported;

    public Enricher(IngestConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        if (guard == null) {
            guard = new RouteCardinalityGuard(config.routes.maxPerApp);
        }
        enrichment = new EventEnrichment(config, guard);
        folded = getRuntimeContext().getMetricGroup().counter("routesFolded");
        bots = getRuntimeContext().getMetricGroup().counter("botEvents");
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
        }
        long f = guard.folded();
        if (f != foldedReported) {
            folded.inc(f - foldedReported);
            foldedReported = f;
        }
        if (e.bot) {
            bots.inc();
        }
        out.collect(e);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        guardState.update(guard.snapshot());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        guardState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("route-guard", Types.STRING));
        guard = new RouteCardinalityGuard(config.routes.maxPerApp);
        List<String> restored = new ArrayList<>();
        for (String s : guardState.get()) {
            restored.add(s);
        }
        guard.restore(restored);
    }
}
