package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.ErrorFingerprint;
import io.beaconflow.jobs.enrich.PiiScrubber;
import io.beaconflow.jobs.enrich.RouteCardinalityGuard;
import io.beaconflow.jobs.enrich.RouteNormalizer;
import io.beaconflow.jobs.enrich.UserAgentClassifier;
import io.beaconflow.jobs.model.EventType;
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
 *   <li>route: URL → template ({@link RouteNormalizer}), bounded per app ({@link
 *       RouteCardinalityGuard}, counter {@code routesFolded});
 *   <li>user agent → browser, version, OS, device type, bot flag ({@link UserAgentClassifier},
 *       counter {@code botEvents});
 *   <li>error fingerprint when the SDK sent none;
 *   <li>PII: client IP, query strings of page / referrer / fetch URLs, user id ({@link
 *       PiiScrubber}). The user agent string itself is kept: it is not personal on its own and the
 *       dashboards group by it only through the parsed fields.
 * </ol>
 *
 * Bots are flagged, not dropped; the metric stage leaves them out by default.
 */
public class Enricher extends ProcessFunction<RumEvent, RumEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final int UA_CACHE = 4096;

    private final IngestConfig config;
    private final RouteNormalizer normalizer;

    private transient RouteCardinalityGuard guard;
    private transient ListState<String> guardState;
    private transient UserAgentClassifier userAgents;
    private transient PiiScrubber scrubber;
    private transient Counter folded;
    private transient Counter bots;
    private transient long foldedReported;

    public Enricher(IngestConfig config) {
        this.config = config;
        this.normalizer = new RouteNormalizer(config.routes.rules);
    }

    @Override
    public void open(OpenContext openContext) {
        userAgents = new UserAgentClassifier(UA_CACHE);
        scrubber = new PiiScrubber(config.privacy);
        folded = getRuntimeContext().getMetricGroup().counter("routesFolded");
        bots = getRuntimeContext().getMetricGroup().counter("botEvents");
        if (guard == null) {
            guard = new RouteCardinalityGuard(config.routes.maxPerApp);
        }
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) {
        enrich(e);
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

    /** Enriches and scrubs in place (package-private for tests and benchmarks). */
    void enrich(RumEvent e) {
        e.route = guard.admit(e.app, normalizer.normalize(e.app, e.pageUrl));
        UserAgentClassifier.Info ua = userAgents.classify(e.userAgent);
        e.browser = ua.browser;
        e.browserVersion = ua.browserVersion;
        e.os = ua.os;
        e.deviceType = ua.deviceType;
        e.bot = ua.bot;
        if (e.type == EventType.ERROR && e.errorFingerprint == null) {
            e.errorFingerprint = ErrorFingerprint.of(e.errorType, e.errorMessage, e.errorStack);
        }
        e.clientIp = scrubber.clientIp(e.clientIp);
        e.pageUrl = scrubber.url(e.pageUrl);
        e.referrer = scrubber.url(e.referrer);
        e.fetchUrl = scrubber.url(e.fetchUrl);
        e.userId = scrubber.userId(e.userId);
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
