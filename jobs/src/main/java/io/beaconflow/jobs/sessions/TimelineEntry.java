package io.beaconflow.jobs.sessions;

import java.util.Objects;

/** One step of a session's timeline: a page view, a click, a JS error or a failed fetch. */
public class TimelineEntry {
    /** Event time, epoch millis. */
    public long t;

    /**
     * The event type's wire name: {@code page_view}, {@code action}, {@code error}, {@code fetch}.
     */
    public String type;

    public String route;

    /**
     * Click: accessible name, else the target selector; error: type and message start; failed
     * fetch: method and status. Cut to {@value SessionState#MAX_DETAIL_CHARS} characters.
     */
    public String detail;

    public TimelineEntry() {}

    public TimelineEntry(long t, String type, String route, String detail) {
        this.t = t;
        this.type = type;
        this.route = route;
        this.detail = detail;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TimelineEntry)) return false;
        TimelineEntry e = (TimelineEntry) o;
        return t == e.t
                && Objects.equals(type, e.type)
                && Objects.equals(route, e.route)
                && Objects.equals(detail, e.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(t, type, route, detail);
    }

    @Override
    public String toString() {
        return t + " " + type + " " + route + " " + detail;
    }
}
