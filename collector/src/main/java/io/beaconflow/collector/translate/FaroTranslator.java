package io.beaconflow.collector.translate;

import static io.beaconflow.collector.translate.ContractEvents.blankToNull;
import static io.beaconflow.collector.translate.ContractEvents.cut;
import static io.beaconflow.collector.translate.ContractEvents.durationMs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.ContractEvents.Meta;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Grafana Faro web SDK payloads (its JSON transport, the body Grafana Alloy's {@code faro.receiver}
 * takes on {@code POST /collect}) into contract events:
 *
 * <ul>
 *   <li>{@code faro.performance.navigation} events: {@code page_view} (TTFB, load duration);
 *   <li>{@code faro.navigation} events with {@code sameDocument} true (the web SDK's
 *       NavigationInstrumentation: a click or key press that changed the URL without loading a
 *       document, i.e. a single-page app's route change): {@code page_view} with {@code navigation:
 *       route_change} on {@code toUrl}, {@code route_change_ms} = its {@code duration} (interaction
 *       until requests and DOM mutations settled);
 *   <li>{@code measurements} of type {@code web-vitals}: one {@code web_vital} each, id from the
 *       web-vitals library's metric id;
 *   <li>{@code traces}: OTLP spans, translated by {@link SpanTranslator} (fetch / XHR with trace
 *       and span id). Faro's own {@code faro.tracing.*} events repeat those spans and are ignored,
 *       so a request is counted once;
 *   <li>{@code exceptions}: {@code error} with type, message and a stack built from the frames;
 *   <li>{@code faro.user.action}: {@code action}, target {@code [data-faro-user-action-name="…"]}
 *       (the attribute that named the action; Faro sends no selector);
 *   <li>other events pushed with {@code faro.api.pushEvent}: {@code custom};
 *   <li>{@code session_start} / {@code session_resume}: no event of their own; the session id
 *       (meta, else the {@code x-faro-session-id} header) is on every event.
 * </ul>
 *
 * Resource timings, logs and Faro-internal events are ignored (counted). See docs/rum-events.md,
 * "Collector translation".
 */
public final class FaroTranslator {
    private FaroTranslator() {}

    /** Events that carry no information the contract has a place for, or that repeat spans. */
    private static final Set<String> IGNORED_EVENTS =
            Set.of(
                    "faro.performance.resource",
                    "faro.tracing.fetch",
                    "faro.tracing.xml-http-request",
                    "session_start",
                    "session_resume",
                    "session_extend",
                    "view_changed",
                    "route_change");

    /**
     * Faro's NavigationInstrumentation (2.12) ends a navigation when nothing happened for this long
     * ({@code ActivityWindowTracker}, follow-up 100 ms) and pushes {@code faro.navigation} then.
     */
    static final long NAVIGATION_FOLLOW_UP_MS = 100;

    private static final String[] VITALS = {"lcp", "inp", "cls", "fcp", "ttfb"};

    public static Translation translate(JsonNode root, EdgeContext edge, String sessionHeader)
            throws BadPayloadException {
        if (root == null || !root.isObject()) {
            throw new BadPayloadException("a Faro payload must be a JSON object");
        }
        JsonNode metaNode = root.path("meta");
        JsonNode appNode = metaNode.path("app");
        String app = text(appNode, "name");
        if (app == null) {
            throw new BadPayloadException("meta.app.name is missing");
        }
        String session = text(metaNode.path("session"), "id");
        if (session == null) {
            session = blankToNull(sessionHeader);
        }
        if (session == null) {
            throw new BadPayloadException(
                    "no session: meta.session.id and the x-faro-session-id header are missing");
        }
        String release = text(appNode, "version");
        if (release == null) release = text(appNode, "release");
        String page = text(metaNode.path("page"), "url");
        if (page == null) page = edge.referer();
        Meta meta =
                new Meta(
                        app,
                        release,
                        text(appNode, "environment"),
                        session,
                        text(metaNode.path("user"), "id"),
                        page);
        Translation out = new Translation();
        for (JsonNode ev : root.path("events")) {
            event(ev, meta, out);
        }
        for (JsonNode m : root.path("measurements")) {
            measurement(m, meta, out);
        }
        for (JsonNode ex : root.path("exceptions")) {
            exception(ex, meta, out);
        }
        for (JsonNode ignoredLog : root.path("logs")) {
            out.ignore();
        }
        JsonNode traces = root.get("traces");
        if (traces != null && traces.isObject()) {
            ExportTraceServiceRequest req = OtlpJson.parse(traces);
            SpanTranslator.translate(req.getResourceSpansList(), meta, edge, out);
        }
        return out;
    }

    private static void event(JsonNode ev, Meta meta, Translation out) {
        String name = text(ev, "name");
        if (name == null) {
            out.reject("event without name");
            return;
        }
        JsonNode attrs = ev.path("attributes");
        long at = millis(ev.path("timestamp"));
        if (at < 0) {
            out.reject("event " + name + ": timestamp missing or not ISO-8601");
            return;
        }
        if (name.equals("faro.performance.navigation")) {
            String navId = text(attrs, "faroNavigationId");
            String url = text(attrs, "name");
            Meta m = url == null ? meta : meta.withPage(url);
            String id =
                    navId != null
                            ? Ids.direct("nav", meta.sessionId(), navId)
                            : Ids.hashed("nav", meta.sessionId(), ev.toString());
            ObjectNode e = ContractEvents.event("page_view", id, m, at);
            ContractEvents.putIf(e, "view_id", cut(navId, ContractEvents.MAX_ID));
            ObjectNode pv = e.putObject("page_view");
            // Faro's ttfb is responseStart - max(activationStart, 0); its duration is the
            // navigation entry's duration (loadEventEnd - startTime). DOMContentLoaded has no
            // absolute time in the payload, so dom_content_loaded_ms stays absent.
            putNumber(pv, "ttfb_ms", attrs.path("ttfb"));
            putNumber(pv, "load_ms", attrs.path("duration"));
            out.add(e);
        } else if (name.equals("faro.user.action")) {
            String actionName = text(attrs, "userActionName");
            if (actionName == null) actionName = text(ev.path("action"), "name");
            if (actionName == null) {
                out.reject("faro.user.action without userActionName");
                return;
            }
            String actionId = text(ev.path("action"), "id");
            String id =
                    actionId != null
                            ? Ids.direct("act", meta.sessionId(), actionId)
                            : Ids.hashed("act", meta.sessionId(), ev.toString());
            long start = parseLong(text(attrs, "userActionStartTime"), at);
            ObjectNode e = ContractEvents.event("action", id, meta, start);
            ObjectNode a = e.putObject("action");
            a.put("type", "click");
            a.put(
                    "target",
                    cut(
                            "[data-faro-user-action-name=\""
                                    + actionName.replace("\\", "\\\\").replace("\"", "\\\"")
                                    + "\"]",
                            ContractEvents.MAX_TARGET));
            a.put("name", cut(actionName, ContractEvents.MAX_NAME));
            out.add(e);
        } else if (name.equals("faro.navigation")) {
            routeChange(ev, attrs, at, meta, out);
        } else if (IGNORED_EVENTS.contains(name) || name.startsWith("faro.")) {
            out.ignore();
        } else {
            ObjectNode e =
                    ContractEvents.event(
                            "custom", Ids.hashed("evt", meta.sessionId(), ev.toString()), meta, at);
            ObjectNode c = e.putObject("custom");
            c.put("name", cut(name, 128));
            if (attrs.isObject() && attrs.size() > 0) {
                ObjectNode a = c.putObject("attributes");
                Iterator<Map.Entry<String, JsonNode>> it = attrs.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getValue().isValueNode()) {
                        a.put(cut(f.getKey(), 128), cut(f.getValue().asText(), 1024));
                    }
                }
            }
            out.add(e);
        }
    }

    /**
     * A single-page app's route change. Faro's {@code view_changed} (from {@code setView}) and
     * faro-react's {@code route_change} describe the same change when an app also uses them, so
     * only this event makes views (docs/DISCUSSION.md, "Single-page apps"). Faro pushes it when the
     * activity settled: its ActivityWindowTracker ends a navigation {@value
     * #NAVIGATION_FOLLOW_UP_MS} ms after the last request, DOM or URL change (its follow-up timer),
     * and {@code duration} runs from the pointerdown / keydown to that last change, so the view
     * started {@code duration} + {@value #NAVIGATION_FOLLOW_UP_MS} ms before the timestamp. Without
     * the follow-up the view would start after the fetches its own render made (by 88–96 ms in the
     * captured SPA visit), and they would count on the previous route.
     */
    private static void routeChange(
            JsonNode ev, JsonNode attrs, long at, Meta meta, Translation out) {
        if (!"true".equals(text(attrs, "sameDocument"))) {
            // A cross-document navigation loads a page: faro.performance.navigation has it.
            out.ignore();
            return;
        }
        String toUrl = text(attrs, "toUrl");
        if (toUrl == null) {
            out.reject("faro.navigation without toUrl");
            return;
        }
        String id = Ids.hashed("spa", meta.sessionId(), ev.toString());
        double duration = -1;
        String d = text(attrs, "duration");
        if (d != null) {
            try {
                duration = durationMs(Double.parseDouble(d));
            } catch (NumberFormatException e) {
                duration = -1;
            }
        }
        long start = duration >= 0 ? at - Math.round(duration) - NAVIGATION_FOLLOW_UP_MS : at;
        ObjectNode e = ContractEvents.event("page_view", id, meta.withPage(toUrl), start);
        e.put("view_id", id);
        ObjectNode pv = e.putObject("page_view");
        pv.put("navigation", "route_change");
        if (duration >= 0) {
            pv.put("route_change_ms", duration);
        }
        out.add(e);
    }

    private static void measurement(JsonNode m, Meta meta, Translation out) {
        String type = text(m, "type");
        if (!"web-vitals".equals(type)) {
            out.ignore();
            return;
        }
        long at = millis(m.path("timestamp"));
        if (at < 0) {
            out.reject("web-vitals measurement: timestamp missing or not ISO-8601");
            return;
        }
        JsonNode values = m.path("values");
        JsonNode ctx = m.path("context");
        for (String vital : VITALS) {
            JsonNode v = values.get(vital);
            if (v == null || !v.isNumber()) continue;
            double value = durationMs(v.asDouble());
            if (value < 0) {
                out.reject("web vital " + vital + ": negative or not finite");
                continue;
            }
            String name = vital.toUpperCase(Locale.ROOT);
            String metricId = text(ctx, "id");
            String id =
                    metricId != null
                            ? Ids.direct("wv", meta.sessionId(), name, metricId)
                            : Ids.hashed("wv", meta.sessionId(), name, m.toString());
            ObjectNode e = ContractEvents.event("web_vital", id, meta, at);
            ContractEvents.putIf(
                    e, "view_id", cut(text(ctx, "navigation_entry_id"), ContractEvents.MAX_ID));
            ObjectNode wv = e.putObject("web_vital");
            wv.put("name", name);
            wv.put("value", value);
            String rating = text(ctx, "rating");
            if ("good".equals(rating)
                    || "needs-improvement".equals(rating)
                    || "poor".equals(rating)) {
                wv.put("rating", rating);
            }
            out.add(e);
        }
    }

    private static void exception(JsonNode ex, Meta meta, Translation out) {
        long at = millis(ex.path("timestamp"));
        if (at < 0) {
            out.reject("exception: timestamp missing or not ISO-8601");
            return;
        }
        String type = text(ex, "type");
        String value = text(ex, "value");
        StringBuilder stack = new StringBuilder();
        stack.append(type == null ? "Error" : type).append(": ").append(value == null ? "" : value);
        for (JsonNode f : ex.path("stacktrace").path("frames")) {
            stack.append("\n    at ");
            String fn = text(f, "function");
            String file = text(f, "filename");
            String loc =
                    (file == null ? "<anonymous>" : file)
                            + (f.has("lineno") ? ":" + f.path("lineno").asInt() : "")
                            + (f.has("colno") ? ":" + f.path("colno").asInt() : "");
            stack.append(fn == null ? loc : fn + " (" + loc + ")");
        }
        // No id in the SDK's exception: its identity is its content and time, so a resent payload
        // maps to the same id and two throws of the same error at different times do not.
        String id = Ids.hashed("err", meta.sessionId(), ex.toString());
        ObjectNode e = ContractEvents.event("error", id, meta, at);
        ObjectNode err = e.putObject("error");
        ContractEvents.putIf(err, "type", cut(type, ContractEvents.MAX_ERROR_TYPE));
        err.put("message", cut(value == null ? "(no message)" : value, ContractEvents.MAX_MESSAGE));
        err.put("stack", cut(stack.toString(), ContractEvents.MAX_STACK));
        out.add(e);
    }

    private static void putNumber(ObjectNode n, String field, JsonNode v) {
        double d;
        if (v.isNumber()) {
            d = v.asDouble();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                return;
            }
        } else {
            return;
        }
        double ms = durationMs(d);
        if (ms >= 0) {
            n.put(field, ms);
        }
    }

    static long millis(JsonNode ts) {
        if (ts.isNumber()) return ts.asLong();
        if (!ts.isTextual()) return -1;
        try {
            return Instant.parse(ts.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    private static long parseLong(String s, long fallback) {
        if (s == null) return fallback;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) return null;
        return blankToNull(v.asText());
    }
}
