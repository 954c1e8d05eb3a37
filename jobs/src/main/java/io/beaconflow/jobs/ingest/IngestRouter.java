package io.beaconflow.jobs.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.config.IngestConfig.PrivacyConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.enrich.PiiScrubber;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RumEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First operator after the source: accepted events go on; dead letters go to {@link #DEAD_LETTERS};
 * events behind the watermark by more than the allowed lateness go to {@link #LATE} (as dead-letter
 * records with reason {@code LATE} and the event as JSON, so they can be replayed). Nothing is
 * dropped silently: each path has a counter ({@code acceptedEvents}, {@code deadLetters}, {@code
 * lateEvents}).
 *
 * <p>Late events are PII-scrubbed like accepted ones before they leave. Dead letters keep the raw
 * payload (that is their point: inspect and replay); set {@code ingest.dead-letter-payload-bytes}
 * low and restrict access to where they are stored (docs/rum-events.md).
 *
 * <p>"Late" compares the record's timestamp with the operator's current watermark, or with the
 * highest one it remembers across a restore ({@link #WATERMARK_STATE}), whichever is higher.
 */
public class IngestRouter extends ProcessFunction<IngestRecord, RumEvent>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(IngestRouter.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>(
                    "dead-letters",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));
    public static final OutputTag<DeadLetter> LATE =
            new OutputTag<>(
                    "late-events",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));

    /** Accumulator names (live totals for the demo's progress line and summary). */
    public static final String ACC_ACCEPTED = "events-accepted";

    public static final String ACC_DEAD_LETTERS = "dead-letters";
    public static final String ACC_LATE = "late-events";
    public static final String ACC_MAX_EVENT_TIME = "max-event-time";

    private final long allowedLatenessMs;
    private final long maxFutureMs;
    private final int payloadBytes;
    private final PrivacyConfig privacy;

    private transient Counter accepted;
    private transient Counter rejected;
    private transient Counter late;
    private transient ObjectMapper json;
    private transient LongCounter acceptedTotal;
    private transient LongCounter rejectedTotal;
    private transient LongCounter lateTotal;
    private transient LongMaximum maxEventTime;

    private transient PiiScrubber scrubber;

    /**
     * The highest watermark this instance has seen, checkpointed: after a restore Flink starts
     * every operator at watermark MIN_VALUE until the sources emit again, and without this a late
     * event replayed in that gap would be accepted the second time round.
     */
    private transient long highestWatermark = Long.MIN_VALUE;

    /**
     * Split (not union) operator state, one entry per instance. The router is chained to the
     * source, and a source vertex can partly finish its operators: on a stop-with-savepoint a
     * subtask whose output is backpressured takes the savepoint before it runs its "source stopped"
     * step, the others after it. Flink refuses such a checkpoint when an operator of the vertex has
     * union list state ({@code PartialFinishingNotSupportedByStateException}: the stop fails;
     * StopWithSavepointITCase forces that ordering). Split state has no such limit, and restored
     * with the same parallelism each instance gets its own entry back, which is also closer to an
     * uninterrupted run than the lowest of all (the union's reading).
     */
    static final String WATERMARK_STATE = "router-watermark-split";

    /**
     * The union list state of versions before {@link #WATERMARK_STATE}: read once on restore from
     * such a savepoint (the lowest entry, as they did) and cleared. Flink keeps every restored
     * operator state registered, so a job resumed from such a savepoint still carries this (now
     * empty) union entry and with it the old risk on a stop-with-savepoint (docs/DISCUSSION.md).
     */
    static final String LEGACY_UNION_STATE = "router-watermark";

    private transient ListState<Long> watermarkState;

    public IngestRouter(
            Duration allowedLateness, int deadLetterPayloadBytes, PrivacyConfig privacy) {
        this(allowedLateness, IngestConfig.DEFAULT_MAX_FUTURE, deadLetterPayloadBytes, privacy);
    }

    /**
     * @param maxFuture the remembered watermark is trusted only up to an event's arrival time plus
     *     this (see {@link #processElement})
     */
    public IngestRouter(
            Duration allowedLateness,
            Duration maxFuture,
            int deadLetterPayloadBytes,
            PrivacyConfig privacy) {
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.maxFutureMs = maxFuture.toMillis();
        this.payloadBytes = deadLetterPayloadBytes;
        this.privacy = privacy;
    }

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter("acceptedEvents");
        rejected = getRuntimeContext().getMetricGroup().counter("deadLetters");
        late = getRuntimeContext().getMetricGroup().counter("lateEvents");
        json = Json.newOutputMapper();
        scrubber = new PiiScrubber(privacy);
        // Accumulators as well as metrics: the demo reads them live and in the final result.
        acceptedTotal = addLong(ACC_ACCEPTED);
        rejectedTotal = addLong(ACC_DEAD_LETTERS);
        lateTotal = addLong(ACC_LATE);
        maxEventTime = new LongMaximum(Long.MIN_VALUE);
        getRuntimeContext().addAccumulator(ACC_MAX_EVENT_TIME, maxEventTime);
    }

    private LongCounter addLong(String name) {
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(IngestRecord r, Context ctx, Collector<RumEvent> out) {
        if (!r.isAccepted()) {
            rejected.inc();
            rejectedTotal.add(1);
            ctx.output(DEAD_LETTERS, r.deadLetter);
            return;
        }
        RumEvent e = r.event;
        // The remembered watermark (restored from a checkpoint) is capped at this event's trusted
        // arrival + max-future: no watermark can legitimately be beyond that, so a value that is
        // (written by a job that let a year-3000 record through) heals on the first event instead
        // of sending all traffic to the late output for ever. The live watermark is not capped.
        long remembered =
                Math.min(
                        highestWatermark,
                        IngestWatermarks.latestTrusted(e.receivedAt, maxFutureMs));
        long watermark = Math.max(remembered, ctx.timerService().currentWatermark());
        highestWatermark = watermark;
        if (watermark != Long.MIN_VALUE && e.eventTime + allowedLatenessMs < watermark) {
            late.inc();
            lateTotal.add(1);
            ctx.output(LATE, lateRecord(e, watermark));
            return;
        }
        accepted.inc();
        acceptedTotal.add(1);
        maxEventTime.add(e.eventTime);
        out.collect(e);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermarkState.update(List.of(highestWatermark));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        OperatorStateStore store = context.getOperatorStateStore();
        watermarkState = store.getListState(new ListStateDescriptor<>(WATERMARK_STATE, Types.LONG));
        // After a rescale an instance may get several old entries (it takes the lowest, the
        // conservative choice: an event late for one old instance may be on time here) or none
        // (it starts without a remembered watermark, as a first start does).
        long lowest = Long.MAX_VALUE;
        boolean any = false;
        List<Iterable<Long>> entries = new ArrayList<>();
        entries.add(watermarkState.get());
        ListState<Long> legacy = null;
        if (store.getRegisteredStateNames().contains(LEGACY_UNION_STATE)) {
            legacy =
                    store.getUnionListState(
                            new ListStateDescriptor<>(LEGACY_UNION_STATE, Types.LONG));
            entries.add(legacy.get());
        }
        for (Iterable<Long> list : entries) {
            for (Long w : list) {
                lowest = Math.min(lowest, w);
                any = true;
            }
        }
        if (legacy != null) {
            legacy.clear();
            LOG.warn(
                    "Restored the router's remembered watermark from union state '{}' (a savepoint"
                            + " of an older version). Flink keeps that state registered for this"
                            + " job; see docs/DISCUSSION.md, 'Late across restores'.",
                    LEGACY_UNION_STATE);
        }
        highestWatermark = any ? lowest : Long.MIN_VALUE;
    }

    private DeadLetter lateRecord(RumEvent e, long watermark) {
        DeadLetter d =
                DeadLetter.late(
                        "event time",
                        e.eventTime,
                        allowedLatenessMs,
                        "event",
                        e.app,
                        e.eventId,
                        e.receivedAt);
        // Late events leave the job: scrub them as enrichment would have.
        EventEnrichment.scrub(scrubber, e);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            bytes = e.toString().getBytes(StandardCharsets.UTF_8);
        }
        d.payloadBytes = bytes.length;
        d.truncated = bytes.length > payloadBytes;
        d.payload = Utf8.lenientPrefix(bytes, payloadBytes);
        return d;
    }
}
