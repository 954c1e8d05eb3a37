package io.beaconflow.jobs.alerts;

/** The states of an alert version; {@link #wire} is the {@code state} field of the document. */
public enum AlertState {
    OPEN(Alert.OPEN),
    UPDATED(Alert.UPDATED),
    RESOLVED(Alert.RESOLVED);

    public final String wire;

    AlertState(String wire) {
        this.wire = wire;
    }

    public static AlertState of(String wire) {
        for (AlertState s : values()) {
            if (s.wire.equals(wire)) return s;
        }
        throw new IllegalArgumentException("unknown alert state '" + wire + "'");
    }
}
