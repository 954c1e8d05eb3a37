package io.beaconflow.jobs.model;

/**
 * Why a record was rejected. The code is what dashboards group by; keep it stable
 * (docs/rum-events.md lists them).
 */
public enum RejectReason {
    NOT_JSON,
    INVALID_UTF8,
    OVERSIZED,
    TOO_DEEP,
    WRONG_TYPE,
    MISSING_FIELD,
    UNKNOWN_EVENT_TYPE,
    UNKNOWN_SCHEMA_VERSION,
    TIMESTAMP_IN_FUTURE,
    TIMESTAMP_TOO_OLD,
    INVALID_VALUE,
    EMPTY_BATCH,
    /**
     * An accepted event that a later per-event stage (enrich, sessions, metric fan-out) failed on:
     * the detail names the stage, the exception class and its message. A bug or a gap in the
     * limits, kept as a dead letter instead of restarting the job on the same record forever.
     */
    PROCESSING_ERROR,
    /**
     * Behind the watermark by more than the allowed lateness (the late output, not dead letters).
     */
    LATE
}
