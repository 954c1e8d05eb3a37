package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.config.ConfigException;
import java.io.Serializable;
import java.time.Duration;

/**
 * The {@code detection.alerting:} section: alert lifecycle and presentation. Every key has a named
 * default; {@link #validate} names the key and the fix.
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

    public void validate(String source) {
        if (kibanaUrl == null
                || !(kibanaUrl.startsWith("http://") || kibanaUrl.startsWith("https://"))) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.kibana-url",
                    "must be an http(s) URL (got " + kibanaUrl + ")",
                    "set e.g. http://localhost:5601");
        }
        if (dashboardId == null || dashboardId.isBlank()) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.dashboard-id",
                    "must not be empty",
                    "set the id of the series dashboard, e.g. " + DEFAULT_DASHBOARD_ID);
        }
        nonNegative(source, "detection.alerting.cooldown", cooldown, "e.g. 10m, or 0s for none");
        positive(source, "detection.alerting.stale-after", staleAfter, "e.g. 30m");
        if (!(criticalScore > 0.5 && criticalScore <= 1)) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.critical-score",
                    "must be in (0.5, 1] (got " + criticalScore + ")",
                    "set e.g. 0.75 (three times the z threshold)");
        }
        if (maxHints < 0) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.max-hints",
                    "must be >= 0 (got " + maxHints + ")",
                    "set e.g. 3");
        }
        if (!(minHintShare > 0 && minHintShare <= 1)) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.min-hint-share",
                    "must be in (0, 1] (got " + minHintShare + ")",
                    "set e.g. 0.5");
        }
        if (!(parentShortfallZ >= 0 && parentShortfallZ <= 100)) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.parent-shortfall-z",
                    "must be in [0, 100] (got " + parentShortfallZ + ")",
                    "set e.g. 3, or 0 to open segment alerts whatever their app total shows");
        }
        if (hintWindows < 1) {
            throw ConfigException.invalid(
                    source,
                    "detection.alerting.hint-windows",
                    "must be >= 1 (got " + hintWindows + ")",
                    "set e.g. 5");
        }
    }

    static void positive(String source, String key, Duration d, String fix) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw ConfigException.invalid(
                    source, key, "must be a duration > 0 (got " + d + ")", "set " + fix);
        }
    }

    static void nonNegative(String source, String key, Duration d, String fix) {
        if (d == null || d.isNegative()) {
            throw ConfigException.invalid(
                    source, key, "must be a duration >= 0 (got " + d + ")", "set " + fix);
        }
    }
}
