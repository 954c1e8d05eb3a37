package io.beaconflow.jobs.testing;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;

/**
 * The trunk of the domain-language event fixtures ({@code metrics/RumEvents}, {@code
 * sessions/SessionEvents}): an event as enrichment leaves it, with what every such fixture sets the
 * same way (contract version 1, received when it occurred, Chrome on a desktop in DE). Each fixture
 * adds its own release, ids and measurements on top.
 */
public final class EnrichedEvents {
    private EnrichedEvents() {}

    public static RumEvent enriched(
            EventType type, String eventId, String app, String session, long at, String route) {
        RumEvent e = new RumEvent();
        e.schemaVersion = 1;
        e.eventId = eventId;
        e.type = type;
        e.app = app;
        e.sessionId = session;
        e.occurredAt = at;
        e.receivedAt = at;
        e.eventTime = at;
        e.route = route;
        e.browser = "Chrome";
        e.country = "DE";
        e.deviceType = "desktop";
        return e;
    }
}
