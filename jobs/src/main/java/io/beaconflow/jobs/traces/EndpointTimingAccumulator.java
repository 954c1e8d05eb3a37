package io.beaconflow.jobs.traces;

import java.util.HashMap;
import java.util.Map;

/** The running state of one endpoint window in {@link EndpointTimingAggregator}; a Flink POJO. */
public class EndpointTimingAccumulator {
    public String app;
    public String endpoint;
    public long windowStart;
    public long fetches;
    public long joined;
    public long unmatched;
    public double sumClientMs;
    public double sumServerMs;
    public Map<Integer, Long> client = new HashMap<>();
    public Map<Integer, Long> server = new HashMap<>();
    public Map<Integer, Long> network = new HashMap<>();
    public Map<String, Long> services = new HashMap<>();

    public EndpointTimingAccumulator() {}
}
