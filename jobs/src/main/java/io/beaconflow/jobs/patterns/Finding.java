package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.util.ArrayList;
import java.util.List;

/**
 * What a CEP pattern found (or a release first seen): the input of the alert lifecycle. One type
 * for all patterns so the alert operator reads them as one stream, in event-time order by {@link
 * #at}. A Flink POJO.
 */
public class Finding {
    public static final String SUSTAINED = "sustained";
    public static final String RECOVERED = "recovered";
    public static final String TRANSIENT = "transient";
    public static final String RELEASE_SEEN = "release_seen";
    public static final String CORRELATED = "correlated";
    public static final String RELEASE_REGRESSION = "release_regression";
    public static final String FRUSTRATION = "frustration";

    /**
     * An error fingerprint reached N sessions soon after its first occurrence (ErrorGroupTracker).
     */
    public static final String ERROR_SPREAD = "error_spread";

    /**
     * A fingerprint first seen after a release's rollout that spread (NewErrorAfterReleasePattern).
     */
    public static final String NEW_ERROR = "new_error";

    public String kind;
    public String app;

    /** The signal key (series, metric, canary flag) the pattern matched on. */
    public String key;

    public String series;
    public String dimension;
    public String dimensionValue;
    public String metric;
    public String metricKind;
    public boolean canary;

    /** Start of the first window of the match. */
    public long firstWindowStart;

    /** End of the last window of the match. */
    public long lastWindowEnd;

    /** Event time of the finding (last window end - 1); the alert operator orders by it. */
    public long at;

    /** Observed and expected value of the last anomalous window; highest score of the match. */
    public double observed;

    public Double expected;
    public double score;
    public String direction;

    /** Windows in the match. */
    public int windows;

    /** The release (release_seen, release_regression). */
    public String release;

    /** What the finding is about, for people (new_error: error type and sample message). */
    public String detail;

    /** Hints the signals brought ({@link AnomalySignal#hints}), the latest first. */
    public List<String> hints = new ArrayList<>();

    /** Keys of the findings combined (correlated, release_regression). */
    public List<String> related = new ArrayList<>();

    /** Metric kinds of the combined findings (correlated). */
    public List<String> relatedKinds = new ArrayList<>();

    public Finding() {}

    /** A finding over a run of signals of one key (all non-empty, in time order). */
    static Finding ofSignals(String kind, List<AnomalySignal> signals) {
        AnomalySignal first = signals.get(0);
        AnomalySignal last = signals.get(signals.size() - 1);
        Finding f = new Finding();
        f.kind = kind;
        f.app = first.app;
        f.key = first.patternKey();
        f.series = first.series;
        f.dimension = first.dimension;
        f.dimensionValue = first.dimensionValue;
        f.metric = first.metric;
        f.metricKind = first.metricKind;
        f.canary = first.canary;
        f.firstWindowStart = first.windowStart;
        f.lastWindowEnd = last.windowEnd;
        f.at = last.windowEnd - 1;
        f.observed = last.observed;
        f.expected = last.expected;
        f.direction = last.direction;
        for (AnomalySignal s : signals) {
            f.score = Math.max(f.score, s.score);
        }
        f.windows = signals.size();
        for (int i = signals.size() - 1; i >= 0; i--) {
            if (signals.get(i).hints != null && !signals.get(i).hints.isEmpty()) {
                f.hints.addAll(signals.get(i).hints);
                break;
            }
        }
        return f;
    }

    /** A copy of {@code other} under another kind (combined findings start from their trigger). */
    static Finding derived(String kind, Finding other) {
        Finding f = new Finding();
        f.kind = kind;
        f.app = other.app;
        f.key = other.key;
        f.series = other.series;
        f.dimension = other.dimension;
        f.dimensionValue = other.dimensionValue;
        f.metric = other.metric;
        f.metricKind = other.metricKind;
        f.canary = other.canary;
        f.firstWindowStart = other.firstWindowStart;
        f.lastWindowEnd = other.lastWindowEnd;
        f.at = other.at;
        f.observed = other.observed;
        f.expected = other.expected;
        f.score = other.score;
        f.direction = other.direction;
        f.windows = other.windows;
        f.release = other.release;
        f.detail = other.detail;
        return f;
    }

    /** Error rate going up. */
    public boolean isErrorUp() {
        return "error_rate".equals(metricKind) && "up".equals(direction);
    }

    /** Throughput going down. */
    public boolean isThroughputDown() {
        return "throughput".equals(metricKind) && "down".equals(direction);
    }

    @Override
    public String toString() {
        return "Finding{"
                + kind
                + " "
                + (key != null ? key : app)
                + " ["
                + firstWindowStart
                + ","
                + lastWindowEnd
                + ")"
                + (release != null ? " release=" + release : "")
                + "}";
    }
}
