package io.beaconflow.jobs.alerts;

import java.util.HashMap;
import java.util.Map;

/**
 * The alert operator's bookkeeping for one incident of one metric family on one app: the alert's
 * latest version, which member series are still anomalous, and what to do after it resolves. A
 * Flink POJO (keyed state).
 */
public class IncidentState {
    /** Latest version of the alert. */
    public Alert alert;

    /** Set when this family was merged into another family's incident (correlated). */
    public String aliasOf;

    /** Member key → end of its last anomalous window; a member leaves when it recovers. */
    public Map<String, Long> openMembers = new HashMap<>();

    /** The member whose values the alert shows. */
    public String primaryKey;

    /** Event time of the last finding that touched the incident (for stale resolution). */
    public long lastActivity;

    /** After resolution: new sustained anomalies of members before this are suppressed. */
    public long cooldownUntil;

    public IncidentState() {}

    public boolean isOpen() {
        return aliasOf == null && alert != null && !Alert.RESOLVED.equals(alert.state);
    }
}
