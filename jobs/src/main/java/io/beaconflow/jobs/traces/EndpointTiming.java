package io.beaconflow.jobs.traces;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the time of one API endpoint's calls went in one window: percentiles of the client-observed
 * duration, of the server span's duration and of the rest (network + queueing), over the fetches
 * joined with their server span, plus how many fetches could not be joined. A Flink POJO; {@link
 * #id} ({@code app|endpoint|window start}) is the Elasticsearch document id.
 */
public class EndpointTiming {
    public String id;
    public String app;
    public String endpoint;
    public long windowStart;
    public long windowEnd;

    /** The backend service that served most of the joined calls. */
    public String service;

    /** Every service seen (at most {@link EndpointTimingAggregator#MAX_SERVICES}). */
    public List<String> services = new ArrayList<>();

    public long fetches;
    public long joined;
    public long unmatched;

    public Double clientP50;
    public Double clientP95;
    public Double clientP99;
    public Double serverP50;
    public Double serverP95;
    public Double serverP99;
    public Double networkP50;
    public Double networkP95;
    public Double networkP99;

    /** Share of the joined calls' total client time spent in the server, in [0, 1]. */
    public Double serverShare;

    public EndpointTiming() {}

    @Override
    public String toString() {
        return "EndpointTiming{"
                + id
                + " "
                + service
                + " joined "
                + joined
                + "/"
                + fetches
                + " client p50 "
                + clientP50
                + " server p50 "
                + serverP50
                + "}";
    }
}
