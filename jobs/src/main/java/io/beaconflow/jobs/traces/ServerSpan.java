package io.beaconflow.jobs.traces;

/**
 * One backend SERVER span as the collector wrote it to the server-spans topic (docs/rum-events.md,
 * "Server spans"), decoded and validated. A Flink POJO. Its event time is {@link #startMs} (the
 * backend's clock); {@link #app} was stamped by the collector from the backend key, never read from
 * the span.
 */
public class ServerSpan {
    public String app;

    /** {@code service.name} of the backend that served the request. */
    public String service;

    public String traceId;
    public String spanId;

    /** The span id of the caller: for a browser fetch, the fetch span's id. */
    public String parentSpanId;

    public String method;

    /** The route template the server matched ({@code http.route}), else the path; may be null. */
    public String route;

    public Integer status;
    public boolean error;

    /** Backend clock, epoch ms: when the server started handling the request. */
    public long startMs;

    public double durationMs;

    /** Collector clock, epoch ms. */
    public long receivedAt;

    public ServerSpan() {}

    @Override
    public String toString() {
        return "ServerSpan{"
                + app
                + "/"
                + service
                + " "
                + traceId
                + ":"
                + spanId
                + " parent "
                + parentSpanId
                + " "
                + method
                + " "
                + route
                + " "
                + status
                + " @"
                + startMs
                + " "
                + durationMs
                + "ms}";
    }
}
