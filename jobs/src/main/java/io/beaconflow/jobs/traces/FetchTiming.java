package io.beaconflow.jobs.traces;

/**
 * One browser fetch with the server span that answered it (or none: {@link #joined} false): where
 * the time of the call went. {@link #networkMs} = client - server, clamped at 0: DNS, connect, TLS,
 * the request and response on the wire, proxies and load balancers, and queueing before the
 * server's span started. A Flink POJO; {@link #id} is the Elasticsearch document id.
 */
public class FetchTiming {
    /** {@code <app>:<fetch event id>}: a replay overwrites. */
    public String id;

    public String app;
    public String eventId;
    public String traceId;

    /** The fetch's span id = the server span's parent id. */
    public String spanId;

    public String sessionId;
    public String release;

    /** The page route the fetch was made from. */
    public String route;

    /** {@code METHOD /templated/path} (enrichment), the per-endpoint dimension. */
    public String endpoint;

    public String method;
    public Integer status;

    /** Skew-corrected event time of the fetch, epoch ms. */
    public long eventTime;

    public double clientMs;

    public boolean joined;

    /** The fetch came from a classified bot (kept here, left out of endpoint aggregates). */
    public boolean bot;

    // ---- from the server span (null when not joined) ----
    public String service;
    public String serverRoute;
    public Integer serverStatus;
    public String serverSpanId;
    public Double serverMs;
    public Double networkMs;

    /** Server span start minus fetch start (ms): network on the way in, plus clock offset. */
    public Long serverStartOffsetMs;

    public FetchTiming() {}

    @Override
    public String toString() {
        return "FetchTiming{"
                + id
                + " "
                + endpoint
                + " client "
                + clientMs
                + (joined ? " server " + serverMs + " (" + service + ")" : " unmatched")
                + "}";
    }
}
