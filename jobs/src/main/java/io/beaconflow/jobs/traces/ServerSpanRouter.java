package io.beaconflow.jobs.traces;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.DeadLetter;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Server spans from their source: dead letters (decoder rejects) to {@link #DEAD_LETTERS}, spans
 * behind the watermark by more than {@code ingest.allowed-lateness} to {@link #LATE} (reason {@code
 * LATE}, the same outputs as browser events), the rest on. Stateless: "late" compares the span's
 * start with the current watermark, as the browser-side router does.
 */
public class ServerSpanRouter extends ProcessFunction<ServerSpanRecord, ServerSpan> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("server-span-dead-letters", TypeInformation.of(DeadLetter.class));
    public static final OutputTag<DeadLetter> LATE =
            new OutputTag<>("server-span-late", TypeInformation.of(DeadLetter.class));

    private final long allowedLatenessMs;
    private transient Counter accepted;
    private transient Counter rejected;
    private transient Counter late;
    private transient ObjectMapper json;

    public ServerSpanRouter(Duration allowedLateness) {
        this.allowedLatenessMs = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter("acceptedServerSpans");
        rejected = getRuntimeContext().getMetricGroup().counter("serverSpanDeadLetters");
        late = getRuntimeContext().getMetricGroup().counter("lateServerSpans");
        json = Json.newOutputMapper();
    }

    @Override
    public void processElement(ServerSpanRecord r, Context ctx, Collector<ServerSpan> out)
            throws JsonProcessingException {
        if (!r.isAccepted()) {
            rejected.inc();
            ctx.output(DEAD_LETTERS, r.deadLetter);
            return;
        }
        ServerSpan s = r.span;
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && s.startMs + allowedLatenessMs < watermark) {
            late.inc();
            DeadLetter d =
                    DeadLetter.late(
                            "server span start",
                            s.startMs,
                            allowedLatenessMs,
                            "server-span",
                            s.app,
                            eventId(s),
                            s.receivedAt);
            com.fasterxml.jackson.databind.node.ObjectNode payload = json.valueToTree(s);
            payload.put("type", "server_span");
            d.payload = json.writeValueAsString(payload);
            d.payloadBytes = d.payload.length();
            ctx.output(LATE, d);
            return;
        }
        accepted.inc();
        out.collect(s);
    }

    /** The id a server span is known by in late records: unique per span, stable on resend. */
    static String eventId(ServerSpan s) {
        return "server-span:" + s.traceId + ":" + s.spanId;
    }
}
