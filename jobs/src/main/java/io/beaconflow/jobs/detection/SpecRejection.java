package io.beaconflow.jobs.detection;

/**
 * A spec update the detector operator refused, with the reason (file, line, key and fix from the
 * spec parser, or "stale"). The previously active spec stays in force. A Flink POJO.
 */
public class SpecRejection {
    public String source;
    public long version;
    public String reason;

    /** The spec that stays active. */
    public String activeSource;

    public long activeVersion;

    public SpecRejection() {}

    public SpecRejection(
            String source, long version, String reason, String activeSource, long activeVersion) {
        this.source = source;
        this.version = version;
        this.reason = reason;
        this.activeSource = activeSource;
        this.activeVersion = activeVersion;
    }

    @Override
    public String toString() {
        return "SpecRejection{" + source + " v" + version + ": " + reason + "}";
    }
}
