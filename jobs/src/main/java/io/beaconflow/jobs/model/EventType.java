package io.beaconflow.jobs.model;

/** The RUM event types of schema version 1 (docs/rum-events.md). */
public enum EventType {
    PAGE_VIEW("page_view"),
    WEB_VITAL("web_vital"),
    FETCH("fetch"),
    ERROR("error"),
    ACTION("action"),
    CUSTOM("custom");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The type for a wire name, or {@code null} when the name is not a known type. */
    public static EventType fromWire(String name) {
        for (EventType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
