package io.beaconflow.jobs.detection;

import io.beaconflow.config.ConfigProblems;
import java.io.Serializable;
import java.time.Duration;

/**
 * The {@code detection.alerting:} section: alert lifecycle and presentation. Every key has a named
 * default; {@link #check} adds every problem with its key and fix (a new setting: the field with
 * its {@code DEFAULT_*} and its line in {@link #check}).
 */
public class AlertingConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_KIBANA_URL = "http://localhost:5601";
    public static final String DEFAULT_DASHBOARD_ID = "beaconflow-page-performance";
    public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(10);
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(30);
    public static final double DEFAULT_CRITICAL_SCORE = 0.75;
    public static final int DEFAULT_MAX_HINTS = 3;
    public static final double DEFAULT_MIN_HINT_SHARE = 0.5;
    public static final int DEFAULT_HINT_WINDOWS = 5;
    public static final double DEFAULT_PARENT_SHORTFALL_Z = 3.0;

    /** Kibana base URL for the alert's dashboard link. */
    public String kibanaUrl = DEFAULT_KIBANA_URL;

    /** Saved-object id of the dashboard the link opens, filtered to the alert's series. */
    public String dashboardId = DEFAULT_DASHBOARD_ID;

    /**
     * After an incident resolves, new sustained anomalies on its series within this span are
     * suppressed (counted) instead of opening a second alert for the same trouble.
     */
    public Duration cooldown = DEFAULT_COOLDOWN;

    /** An open alert whose series stop reporting resolves after this much event time. */
    public Duration staleAfter = DEFAULT_STALE_AFTER;

    /** Score (|z| / (|z| + threshold)) from which an alert is critical: 0.75 = 3x the threshold. */
    public double criticalScore = DEFAULT_CRITICAL_SCORE;

    /** Most root-cause hints per alert. */
    public int maxHints = DEFAULT_MAX_HINTS;

    /** A dimension value is a hint when it carries at least this share of the deviation. */
    public double minHintShare = DEFAULT_MIN_HINT_SHARE;

    /** Windows of rows kept per app for the hints (the deviation is summed over them). */
    public int hintWindows = DEFAULT_HINT_WINDOWS;

    /**
     * A segment's alert (a browser, country, OS ...) does not open when its app total shows
     * significantly less than half of the change the segment implies: this many of the total's
     * standard errors below it, pooled over the finding's windows (alerts.ParentConsistency). 0 =
     * off.
     */
    public double parentShortfallZ = DEFAULT_PARENT_SHORTFALL_Z;

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code detection.alerting:} section. */
    public void check(ConfigProblems p) {
        p.require(
                kibanaUrl != null
                        && (kibanaUrl.startsWith("http://") || kibanaUrl.startsWith("https://")),
                "detection.alerting.kibana-url",
                "must be an http(s) URL (got " + kibanaUrl + ")",
                "set e.g. http://localhost:5601");
        p.notBlank(
                "detection.alerting.dashboard-id",
                dashboardId,
                "must not be empty",
                "set the id of the series dashboard, e.g. " + DEFAULT_DASHBOARD_ID);
        p.durationNotNegative("detection.alerting.cooldown", cooldown, "e.g. 10m, or 0s for none");
        p.durationAboveZero("detection.alerting.stale-after", staleAfter, "e.g. 30m");
        p.require(
                criticalScore > 0.5 && criticalScore <= 1,
                "detection.alerting.critical-score",
                "must be in (0.5, 1] (got " + criticalScore + ")",
                "set e.g. 0.75 (three times the z threshold)");
        p.notBelow("detection.alerting.max-hints", maxHints, 0, "e.g. 3");
        p.require(
                minHintShare > 0 && minHintShare <= 1,
                "detection.alerting.min-hint-share",
                "must be in (0, 1] (got " + minHintShare + ")",
                "set e.g. 0.5");
        p.between(
                "detection.alerting.parent-shortfall-z",
                parentShortfallZ,
                0,
                100,
                "e.g. 3, or 0 to open segment alerts whatever their app total shows");
        p.notBelow("detection.alerting.hint-windows", hintWindows, 1, "e.g. 5");
    }
}
