package io.beaconflow.jobs.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Defence in depth behind the decoder's limits: a per-event stage (enrich, sessions, the metric
 * fan-out) that throws on one event emits that event here as a dead letter with reason {@link
 * RejectReason#PROCESSING_ERROR} instead of failing the job. A failure on a record would otherwise
 * restart the job, which replays the same record and fails again: a restart loop that one beacon
 * from the open internet can trigger. The pipeline unions these into the dead-letter output, so
 * they are counted and kept like every other reject.
 */
public final class ProcessingErrors {
    private ProcessingErrors() {}

    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("processing-errors", TypeInformation.of(DeadLetter.class));

    /** Largest payload kept (the event as JSON); the stages do not know the ingest config. */
    static final int PAYLOAD_BYTES = 4096;

    private static final ObjectMapper JSON = Json.newOutputMapper();

    /**
     * Whether a failure is the job's own infrastructure (state backend, I/O, Flink itself) rather
     * than something about the event: those must fail the job visibly, so the stages rethrow them
     * instead of turning them into dead letters.
     */
    public static boolean isInfrastructure(Throwable t) {
        return t instanceof org.apache.flink.util.FlinkRuntimeException
                || t instanceof java.io.UncheckedIOException;
    }

    /**
     * The dead letter for {@code e} failing in {@code stage} with {@code failure}. Never throws: it
     * runs in a catch block.
     */
    public static DeadLetter of(String stage, RumEvent e, Throwable failure) {
        DeadLetter d = new DeadLetter();
        d.reason = RejectReason.PROCESSING_ERROR;
        String message = failure.getMessage();
        if (message != null && message.length() > 500) {
            message = message.substring(0, 500) + "…";
        }
        d.detail = stage + ": " + failure.getClass().getName() + ": " + message;
        d.source = stage;
        d.partition = 0;
        d.offset = 0;
        d.app = e == null ? null : e.app;
        d.eventId = e == null ? null : e.eventId;
        d.position = stage + "/" + d.app + "/" + d.eventId;
        d.receivedAt = e == null ? 0 : e.receivedAt;
        d.eventTime = e == null ? -1 : e.eventTime;
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(e);
        } catch (Exception | StackOverflowError ex) {
            bytes = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
        }
        d.payloadBytes = bytes.length;
        d.truncated = bytes.length > PAYLOAD_BYTES;
        d.payload = Utf8.lenientPrefix(bytes, PAYLOAD_BYTES);
        return d;
    }
}
