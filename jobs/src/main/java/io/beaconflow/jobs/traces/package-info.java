/**
 * Stage 2e, front-end ↔ back-end traces (on with {@code traces.enabled}). <b>In:</b> server spans
 * from the {@code rum-server-spans} topic ({@link io.beaconflow.jobs.traces.ServerSpanDecoder},
 * malformed and late ones to the dead-letter and late outputs) and the enriched fetch events.
 * <b>Out:</b> {@link io.beaconflow.jobs.traces.FetchTiming} per fetch joined with the server span
 * whose parent is the fetch's span ({@link io.beaconflow.jobs.traces.FetchServerJoin}, an
 * event-time interval join by trace id), {@link io.beaconflow.jobs.traces.EndpointTiming} per
 * endpoint and window (server vs client time), and alerts annotated with where a slow API's time
 * went ({@link io.beaconflow.jobs.traces.SlowApiAttribution}). Settings: {@code traces:}. See
 * {@link io.beaconflow.jobs.traces.TraceJoinStage}.
 */
package io.beaconflow.jobs.traces;
