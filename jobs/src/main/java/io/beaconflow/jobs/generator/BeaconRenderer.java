package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.io.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Renders a beacon as the JSON of the event contract (docs/rum-events.md): a batch with its
 * envelope and events, or one stand-alone event. Client timestamps carry the session's clock skew;
 * {@code received_at} is the collector's. Rendering draws nothing from the random stream, so
 * skipping records (restoring a checkpointed position) needs no rendering.
 */
final class BeaconRenderer {
    /** How one event is rendered: well-formed, or with one field broken (see {@link Malformer}). */
    enum Mode {
        OK,
        STRING_TIME,
        STRING_DURATION,
        NUMERIC_ID,
        UNKNOWN_TYPE,
        NEGATIVE
    }

    private final StringBuilder sb = new StringBuilder(8192);

    /** The bytes of a well-formed beacon. */
    byte[] render(SimItem.Beacon b) {
        StringBuilder out = sb;
        out.setLength(0);
        SimSession s = b.s;
        if (b.single) {
            event(out, s, b.events[0], b, Mode.OK);
        } else {
            out.append("{\"schema_version\":1,\"sent_at\":")
                    .append(b.sent + s.skew)
                    .append(",\"received_at\":")
                    .append(b.time)
                    .append(s.envelope)
                    .append(",\"events\":[");
            for (int i = 0; i < b.events.length; i++) {
                if (i > 0) out.append(',');
                event(out, s, b.events[i], null, Mode.OK);
            }
            out.append("]}");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One event object; {@code single} non-null renders a stand-alone event with envelope. */
    void event(StringBuilder out, SimSession s, SimEvent e, SimItem.Beacon single, Mode mode) {
        out.append('{');
        if (single != null) out.append("\"schema_version\":1,");
        out.append("\"event_id\":");
        if (mode == Mode.NUMERIC_ID) {
            out.append(e.time());
        } else {
            out.append('"').append(e.id()).append('"');
        }
        out.append(",\"type\":\"")
                .append(
                        mode == Mode.UNKNOWN_TYPE
                                ? Catalog.UNKNOWN_TYPES[
                                        (int) (e.time() % Catalog.UNKNOWN_TYPES.length)]
                                : SimEvent.TYPE_NAMES[e.typeIndex()])
                .append('"');
        out.append(s.head);
        out.append(",\"view_id\":\"").append(e.viewId()).append('"');
        out.append(",\"occurred_at\":");
        if (mode == Mode.STRING_TIME) {
            out.append('"').append(Instant.ofEpochMilli(e.time() + s.skew)).append('"');
        } else {
            out.append(e.time() + s.skew);
        }
        if (single != null) {
            out.append(",\"sent_at\":").append(single.sent + s.skew);
            out.append(",\"received_at\":").append(single.time);
        }
        out.append(",\"page_url\":");
        Json.string(out, e.url());
        if (e instanceof SimEvent.PageView pv && pv.referrer() != null) {
            out.append(",\"referrer\":");
            Json.string(out, pv.referrer());
        }
        if (single != null) out.append(s.envelope);
        out.append(s.tail);
        if (e instanceof SimEvent.PageView pv) {
            pageView(out, pv);
        } else if (e instanceof SimEvent.Vital v) {
            vital(out, v, mode);
        } else if (e instanceof SimEvent.Fetch f) {
            fetch(out, f, mode);
        } else if (e instanceof SimEvent.JsError err) {
            error(out, err);
        } else {
            click(out, (SimEvent.Click) e);
        }
        out.append('}');
    }

    private static void pageView(StringBuilder out, SimEvent.PageView pv) {
        if (pv.routeChange()) {
            out.append(",\"page_view\":{\"navigation\":\"route_change\",\"route_change_ms\":");
            Json.tenths(out, pv.routeChangeMs());
            out.append('}');
            return;
        }
        out.append(",\"page_view\":{\"ttfb_ms\":");
        Json.tenths(out, pv.ttfbMs());
        out.append(",\"dom_content_loaded_ms\":");
        Json.tenths(out, pv.domContentLoadedMs());
        out.append(",\"load_ms\":");
        Json.tenths(out, pv.loadMs());
        out.append('}');
    }

    private static void vital(StringBuilder out, SimEvent.Vital v, Mode mode) {
        out.append(",\"web_vital\":{\"name\":\"").append(v.name()).append("\",\"value\":");
        if (mode == Mode.NEGATIVE) {
            out.append('-');
            Json.tenths(out, v.value() + 1);
        } else if (v.name().equals("CLS")) {
            Json.tenThousandths(out, v.value());
        } else {
            Json.tenths(out, v.value());
        }
        out.append(",\"rating\":\"").append(v.rating()).append("\"}");
    }

    private static void fetch(StringBuilder out, SimEvent.Fetch f, Mode mode) {
        out.append(",\"fetch\":{\"url\":");
        Json.string(out, f.target());
        out.append(",\"method\":\"").append(f.method()).append("\",\"status\":").append(f.status());
        out.append(",\"duration_ms\":");
        if (mode == Mode.STRING_DURATION) {
            out.append("\"fast\"");
        } else if (mode == Mode.NEGATIVE) {
            out.append('-');
            Json.tenths(out, f.durationMs() + 1);
        } else {
            Json.tenths(out, f.durationMs());
        }
        if (f.traceId() != null) {
            out.append(",\"trace_id\":\"").append(f.traceId()).append("\",\"span_id\":\"");
            out.append(f.spanId()).append('"');
        }
        out.append('}');
    }

    private static void error(StringBuilder out, SimEvent.JsError e) {
        out.append(",\"error\":{\"type\":");
        Json.string(out, e.type());
        out.append(",\"message\":");
        Json.string(out, e.message());
        if (!e.stack().isEmpty()) {
            out.append(",\"stack\":");
            Json.string(out, e.stack());
        }
        out.append('}');
    }

    private static void click(StringBuilder out, SimEvent.Click c) {
        out.append(",\"action\":{\"type\":\"click\",\"target\":");
        Json.string(out, c.target());
        if (!c.name().isEmpty()) {
            out.append(",\"name\":");
            Json.string(out, c.name());
        }
        out.append('}');
    }
}
