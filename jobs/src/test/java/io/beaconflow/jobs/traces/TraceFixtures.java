package io.beaconflow.jobs.traces;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;

/** Domain-language builders for the trace tests. */
final class TraceFixtures {
    private TraceFixtures() {}

    static final long T0 = 1_790_000_040_000L; // a minute boundary: 2026-09-21T14:14:00Z
    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String OTHER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    static RumEvent fetch(String traceId, String spanId, long at, double clientMs) {
        RumEvent e = new RumEvent();
        e.type = EventType.FETCH;
        e.app = "shop-web";
        e.eventId = "span:" + traceId + ":" + spanId;
        e.sessionId = "s1";
        e.eventTime = at;
        e.receivedAt = at + 1000;
        e.fetchMethod = "POST";
        e.fetchUrl = "https://shop.example/api/checkout";
        e.endpoint = "POST /api/checkout";
        e.fetchStatus = 200;
        e.fetchDurationMs = clientMs;
        e.route = "/checkout";
        e.traceId = traceId;
        e.spanId = spanId;
        return e;
    }

    static ServerSpan serverSpan(String traceId, String parent, long start, double serverMs) {
        ServerSpan s = new ServerSpan();
        s.app = "shop-web";
        s.service = "shop-api";
        s.traceId = traceId;
        s.spanId = "ffff" + parent.substring(4);
        s.parentSpanId = parent;
        s.method = "POST";
        s.route = "/api/checkout";
        s.status = 200;
        s.startMs = start;
        s.durationMs = serverMs;
        s.receivedAt = start + 2000;
        return s;
    }
}
