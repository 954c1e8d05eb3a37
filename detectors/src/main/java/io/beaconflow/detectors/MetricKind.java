package io.beaconflow.detectors;

/** The family of a metric, which picks the default scorer and default knobs. */
public enum MetricKind {
    ERROR_RATE(ScorerKind.PROPORTION),
    LATENCY(ScorerKind.GAUSSIAN),
    THROUGHPUT(ScorerKind.COUNT),
    GENERIC(ScorerKind.GAUSSIAN);

    private final ScorerKind defaultScorer;

    MetricKind(ScorerKind defaultScorer) {
        this.defaultScorer = defaultScorer;
    }

    public ScorerKind defaultScorer() {
        return defaultScorer;
    }
}
