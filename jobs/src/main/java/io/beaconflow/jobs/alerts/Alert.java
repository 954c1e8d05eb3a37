package io.beaconflow.jobs.alerts;

import java.util.ArrayList;
import java.util.List;

/**
 * One alert version. An incident has one {@link #alertId} for life; each change (open, update,
 * resolve) is a new version with a higher {@link #updateSeq}, written under the same document id so
 * the latest version wins. JSON field names are the snake_case field names ({@code alert_id},
 * {@code root_cause_hints}, ...). A Flink POJO.
 *
 * <p>All times are event time (epoch millis) except {@link #detectedAt}, the wall clock of the
 * operator that opened the alert, the only processing time in the job's outputs: it shows how far
 * detection trails the data ({@link #lagMs}). A replay gives the same documents except these two
 * fields.
 */
public class Alert {
    public static final String OPEN = "open";
    public static final String UPDATED = "updated";
    public static final String RESOLVED = "resolved";

    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";

    /** Deterministic: a hash of app, metric family, series, metric and first anomalous window. */
    public String alertId;

    /** {@code open}, {@code updated} or {@code resolved}. */
    public String state;

    /** {@code warning} or {@code critical}. */
    public String severity;

    /**
     * {@code sustained}, {@code correlated}, {@code release_regression}, {@code frustration} or
     * {@code new_error}.
     */
    public String kind;

    public String app;

    /** The series that opened the alert, {@code app|dimension|value}. */
    public String series;

    public String dimension;
    public String dimensionValue;
    public String metric;

    /** Expected and observed value of the series' latest anomalous window. */
    public Double expected;

    public Double observed;

    /** Highest detector score seen, in [0.5, 1]. */
    public double score;

    /** Start of the first anomalous window. */
    public long firstWindow;

    /** End of the window that opened the alert (event time). */
    public long openedAt;

    /** End of the last window of the recovery that resolved it; null while open. */
    public Long resolvedAt;

    /** Wall clock when the alert opened (processing time). */
    public long detectedAt;

    /** {@link #detectedAt} minus {@link #openedAt}: how far detection trailed event time. */
    public long lagMs;

    /** The release the alert is attributed to, if any. */
    public String release;

    /** Dimension values that carry most of the change, most telling first. */
    public List<String> rootCauseHints = new ArrayList<>();

    /** Every series and metric that joined this incident ({@code app|dim|value|metric}). */
    public List<String> members = new ArrayList<>();

    /** Kibana dashboard filtered to the series, around the incident. */
    public String dashboardUrl;

    /** 0 when opened, +1 per later version. */
    public int updateSeq;

    // ---- slow API (traces.enabled, endpoint latency alerts; SlowApiAttribution) ----

    /** The backend service that served most of the endpoint's joined calls. */
    public String backendService;

    /**
     * Where the extra latency went: {@code server} (the backend service's own time grew), {@code
     * network} (network and queueing outside the server's span grew), or {@code unknown} (too few
     * fetches joined with server spans, before or during the alert).
     */
    public String latencyWhere;

    /** Change of the client-observed, server and network percentile vs the baseline, in ms. */
    public Double clientDeltaMs;

    public Double serverDeltaMs;
    public Double networkDeltaMs;

    public Alert() {}

    public Alert copy() {
        Alert a = new Alert();
        a.alertId = alertId;
        a.state = state;
        a.severity = severity;
        a.kind = kind;
        a.app = app;
        a.series = series;
        a.dimension = dimension;
        a.dimensionValue = dimensionValue;
        a.metric = metric;
        a.expected = expected;
        a.observed = observed;
        a.score = score;
        a.firstWindow = firstWindow;
        a.openedAt = openedAt;
        a.resolvedAt = resolvedAt;
        a.detectedAt = detectedAt;
        a.lagMs = lagMs;
        a.release = release;
        a.rootCauseHints = new ArrayList<>(rootCauseHints);
        a.members = new ArrayList<>(members);
        a.dashboardUrl = dashboardUrl;
        a.updateSeq = updateSeq;
        a.backendService = backendService;
        a.latencyWhere = latencyWhere;
        a.clientDeltaMs = clientDeltaMs;
        a.serverDeltaMs = serverDeltaMs;
        a.networkDeltaMs = networkDeltaMs;
        return a;
    }

    @Override
    public String toString() {
        return "Alert{"
                + alertId
                + " "
                + state
                + "#"
                + updateSeq
                + " "
                + severity
                + " "
                + kind
                + " "
                + series
                + " "
                + metric
                + " opened="
                + openedAt
                + (resolvedAt != null ? " resolved=" + resolvedAt : "")
                + (release != null ? " release=" + release : "")
                + " hints="
                + rootCauseHints
                + "}";
    }
}
