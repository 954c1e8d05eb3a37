package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The event-time interval join of browser fetches with backend SERVER spans, keyed by trace id.
 *
 * <p>A fetch joins the span of the same trace whose {@code parent_span_id} is the fetch's {@code
 * span_id} (the browser's {@code traceparent} names the fetch span as the parent), of the same app,
 * and whose start lies in {@code [fetch time - server-before-fetch, fetch time +
 * server-after-fetch]}. Whichever side comes first waits in keyed state: a fetch until the
 * watermark passes its time + server-after-fetch (then it is emitted to {@link #UNMATCHED} and
 * counted), a span until the watermark passes its start + server-before-fetch (then it is dropped
 * and counted: no fetch of it can still arrive on time). A joined fetch stays until its own bound
 * so that a resent span is recognised as a duplicate instead of waiting as a stray.
 *
 * <p>Why not Flink's {@code IntervalJoin}: it cannot report what did not match, and it would keep
 * every element for the whole bound even after its one partner was found. State is bounded per
 * trace by {@code traces.join.max-pending-per-trace}; beyond it new elements are dropped and
 * counted ({@code joinStateFull}).
 */
public class FetchServerJoin
        extends KeyedCoProcessFunction<String, RumEvent, ServerSpan, FetchTiming> {
    private static final long serialVersionUID = 1L;

    /** Fetches whose span never came within the bound, as {@link FetchTiming} with joined false. */
    public static final OutputTag<FetchTiming> UNMATCHED =
            new OutputTag<>("unmatched-fetches", TypeInformation.of(FetchTiming.class));

    private final long beforeMs;
    private final long afterMs;
    private final int maxPending;

    private transient MapState<String, FetchTiming> fetches;
    private transient MapState<String, ServerSpan> spans;
    private transient Counter joined;
    private transient Counter unmatchedFetches;
    private transient Counter unmatchedSpans;
    private transient Counter outOfBounds;
    private transient Counter duplicates;
    private transient Counter stateFull;

    public FetchServerJoin(Duration serverBeforeFetch, Duration serverAfterFetch, int maxPending) {
        this.beforeMs = serverBeforeFetch.toMillis();
        this.afterMs = serverAfterFetch.toMillis();
        this.maxPending = maxPending;
    }

    public static FetchServerJoin of(TracesConfig.Join cfg) {
        return new FetchServerJoin(
                cfg.serverBeforeFetch, cfg.serverAfterFetch, cfg.maxPendingPerTrace);
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        fetches = KeyedStates.map(runtime, "pending-fetches", String.class, FetchTiming.class);
        spans = KeyedStates.map(runtime, "pending-server-spans", String.class, ServerSpan.class);
        var g = runtime.getMetricGroup();
        joined = g.counter("fetchesJoined");
        unmatchedFetches = g.counter("fetchesUnmatched");
        unmatchedSpans = g.counter("serverSpansUnmatched");
        outOfBounds = g.counter("serverSpansOutOfBounds");
        duplicates = g.counter("joinDuplicates");
        stateFull = g.counter("joinStateFull");
    }

    /** Fetches that can join: the trace and span ids the SDK sent, as the decoder kept them. */
    public static boolean joinable(RumEvent e) {
        return e.type == io.beaconflow.jobs.model.EventType.FETCH
                && e.traceId != null
                && e.spanId != null
                && ServerSpanDecoder.TRACE_ID.matcher(e.traceId).matches()
                && ServerSpanDecoder.SPAN_ID.matcher(e.spanId).matches();
    }

    @Override
    public void processElement1(RumEvent e, Context ctx, Collector<FetchTiming> out)
            throws Exception {
        if (fetches.contains(e.spanId)) {
            duplicates.inc();
            return;
        }
        FetchTiming f = pending(e);
        ServerSpan s = spans.get(e.spanId);
        if (s != null) {
            spans.remove(e.spanId);
            joinIfMatches(f, s, out);
        } else if (full()) {
            stateFull.inc();
            return;
        }
        fetches.put(e.spanId, f);
        ctx.timerService().registerEventTimeTimer(f.eventTime + afterMs);
    }

    @Override
    public void processElement2(ServerSpan s, Context ctx, Collector<FetchTiming> out)
            throws Exception {
        FetchTiming f = fetches.get(s.parentSpanId);
        if (f != null) {
            if (f.joined) {
                duplicates.inc();
            } else if (joinIfMatches(f, s, out)) {
                fetches.put(s.parentSpanId, f);
            }
            return;
        }
        if (spans.contains(s.parentSpanId)) {
            duplicates.inc();
            return;
        }
        if (full()) {
            stateFull.inc();
            return;
        }
        spans.put(s.parentSpanId, s);
        ctx.timerService().registerEventTimeTimer(s.startMs + beforeMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FetchTiming> out)
            throws Exception {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, FetchTiming> en : fetches.entries()) {
            FetchTiming f = en.getValue();
            if (f.eventTime + afterMs <= timestamp) {
                done.add(en.getKey());
                if (!f.joined) {
                    unmatchedFetches.inc();
                    ctx.output(UNMATCHED, f);
                }
            }
        }
        for (String k : done) fetches.remove(k);
        done.clear();
        for (Map.Entry<String, ServerSpan> en : spans.entries()) {
            if (en.getValue().startMs + beforeMs <= timestamp) done.add(en.getKey());
        }
        for (String k : done) {
            spans.remove(k);
            unmatchedSpans.inc();
        }
    }

    private boolean matches(FetchTiming f, ServerSpan s) {
        return f.app.equals(s.app)
                && s.startMs >= f.eventTime - beforeMs
                && s.startMs <= f.eventTime + afterMs;
    }

    /** Joins the pair if the span lies in the fetch's bounds, else counts it out of bounds. */
    private boolean joinIfMatches(FetchTiming f, ServerSpan s, Collector<FetchTiming> out) {
        if (!matches(f, s)) {
            outOfBounds.inc();
            return false;
        }
        join(f, s, out);
        return true;
    }

    private void join(FetchTiming f, ServerSpan s, Collector<FetchTiming> out) {
        f.joined = true;
        f.service = s.service;
        f.serverRoute = s.route;
        f.serverStatus = s.status;
        f.serverSpanId = s.spanId;
        f.serverMs = s.durationMs;
        // The server cannot take longer than the client waited; when its span says so the
        // clocks ran at different rates or the span covers work after the response: no network
        // time can be derived below zero.
        f.networkMs = Math.max(0.0, f.clientMs - s.durationMs);
        f.serverStartOffsetMs = s.startMs - f.eventTime;
        joined.inc();
        out.collect(f);
    }

    private boolean full() throws Exception {
        int n = 0;
        for (String ignored : fetches.keys()) n++;
        for (String ignored : spans.keys()) n++;
        return n >= maxPending;
    }

    static FetchTiming pending(RumEvent e) {
        FetchTiming f = new FetchTiming();
        f.id = e.app + ":" + e.eventId;
        f.app = e.app;
        f.eventId = e.eventId;
        f.traceId = e.traceId;
        f.spanId = e.spanId;
        f.sessionId = e.sessionId;
        f.release = e.release;
        f.route = e.route;
        f.endpoint = e.endpoint;
        f.method = e.fetchMethod;
        f.status = e.fetchStatus;
        f.eventTime = e.eventTime;
        f.clientMs = e.fetchDurationMs == null ? 0 : e.fetchDurationMs;
        f.bot = e.bot;
        return f;
    }
}
