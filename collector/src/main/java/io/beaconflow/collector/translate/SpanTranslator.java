package io.beaconflow.collector.translate;

import static io.beaconflow.collector.translate.ContractEvents.blankToNull;
import static io.beaconflow.collector.translate.ContractEvents.cut;
import static io.beaconflow.collector.translate.ContractEvents.durationMs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.beaconflow.collector.translate.ContractEvents.Meta;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Browser spans (OpenTelemetry web instrumentations, also embedded in Faro payloads) into contract
 * events:
 *
 * <ul>
 *   <li>fetch / XHR client spans ({@code http.request.method} + {@code url.full}, or the older
 *       {@code http.method} + {@code http.url}) become {@code fetch} events with the span's trace
 *       and span id: the span id is the parent id of the {@code traceparent} the back end saw, so
 *       front-end and back-end traces join on it;
 *   <li>{@code documentLoad} spans become {@code page_view} events, timings from the span's
 *       navigation-timing events;
 *   <li>user-interaction spans ({@code event_type} attribute) become {@code action} events; one
 *       that changed the URL through the History API (renamed {@code Navigation: <path>} by the
 *       user-interaction instrumentation: a single-page app's route change) also becomes a {@code
 *       page_view} with {@code navigation: route_change} on that path, {@code route_change_ms} =
 *       the span's duration (with the zone context manager the span ends when the tasks the click
 *       started, its fetches included, are done: the new view is ready);
 *   <li>span events named {@code exception} become {@code error} events.
 * </ul>
 *
 * Everything else (documentFetch, resourceFetch, custom spans) is counted as ignored. Event ids are
 * {@code span:<trace id>:<span id>}: unique per span and identical when a payload is resent.
 */
public final class SpanTranslator {
    private SpanTranslator() {}

    /** The header a backend sends its app's backend key in (collector.yaml apps.*.backend-key). */
    public static final String BACKEND_KEY_HEADER = "x-beaconflow-backend-key";

    public static void translate(
            List<ResourceSpans> resourceSpans, Meta fallback, EdgeContext edge, Translation out) {
        // documentLoad's time to first byte is on its child documentFetch span (responseStart).
        Map<ByteString, Span> documentFetchByParent = new HashMap<>();
        Pages pages = new Pages();
        for (ResourceSpans rs : resourceSpans) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    if ("documentFetch".equals(span.getName())) {
                        documentFetchByParent.put(span.getParentSpanId(), span);
                    }
                    String kind = kindOf(span, ss.getScope().getName());
                    if ("page_view".equals(kind) || "action".equals(kind)) {
                        String url = firstString(span.getAttributesList(), "url.full", "http.url");
                        // The fetches a route change started load the new view: its route.
                        String routed = navigationUrl(span, url);
                        pages.add(span, routed != null ? routed : url);
                    }
                }
            }
        }
        for (ResourceSpans rs : resourceSpans) {
            List<KeyValue> res = rs.getResource().getAttributesList();
            String app = firstString(res, "service.name");
            if (app == null || app.startsWith("unknown_service")) {
                app = fallback.app();
            }
            String release = orElse(firstString(res, "service.version"), fallback.release());
            String env =
                    orElse(
                            firstString(
                                    res, "deployment.environment.name", "deployment.environment"),
                            fallback.environment());
            String user = orElse(firstString(res, "user.id", "enduser.id"), fallback.userId());
            Meta resourceMeta = fallback.withApp(app, release, env).withUser(user);
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                String scope = ss.getScope().getName();
                for (Span span : ss.getSpansList()) {
                    translateSpan(
                            span, scope, resourceMeta, edge, documentFetchByParent, pages, out);
                }
            }
        }
    }

    private static void translateSpan(
            Span span,
            String scope,
            Meta resourceMeta,
            EdgeContext edge,
            Map<ByteString, Span> documentFetchByParent,
            Pages pages,
            Translation out) {
        List<KeyValue> attrs = span.getAttributesList();
        String session = orElse(firstString(attrs, "session.id"), resourceMeta.sessionId());
        String user = orElse(firstString(attrs, "user.id", "enduser.id"), resourceMeta.userId());
        Meta meta = resourceMeta.withSession(session).withUser(user);
        String traceId = hex(span.getTraceId());
        String spanId = hex(span.getSpanId());
        if (span.getKind() == Span.SpanKind.SPAN_KIND_SERVER) {
            // Server spans are trusted timing data for the join with fetches: only a backend that
            // holds its app's backend key may send them (ServerSpanTranslator), never a page.
            out.reject(
                    "span "
                            + spanId
                            + ": a SERVER span needs the app's backend key (header "
                            + BACKEND_KEY_HEADER
                            + ")");
            return;
        }
        String kind = kindOf(span, scope);
        if (kind == null && !hasException(span)) {
            out.ignore();
            return;
        }
        if (meta.app() == null) {
            out.reject("span " + spanId + ": no service.name (resource attribute) and no app");
            return;
        }
        if (session == null) {
            out.reject("span " + spanId + ": no session.id attribute");
            return;
        }
        if (traceId.isEmpty() || spanId.isEmpty()) {
            out.reject("span without traceId/spanId");
            return;
        }
        long startNanos = span.getStartTimeUnixNano();
        long startMs = startNanos / 1_000_000L;
        String eventId = "span:" + traceId + ":" + spanId;
        if ("fetch".equals(kind)) {
            String url = firstString(attrs, "url.full", "http.url");
            Meta m =
                    meta.withPage(
                            orElse(pages.of(span), orElse(resourceMeta.pageUrl(), edge.referer())));
            ObjectNode e = ContractEvents.event("fetch", eventId, m, startMs);
            ObjectNode f = e.putObject("fetch");
            f.put("url", cut(url, ContractEvents.MAX_URL));
            f.put(
                    "method",
                    cut(
                            firstString(attrs, "http.request.method", "http.method"),
                            ContractEvents.MAX_METHOD));
            long status = firstLong(attrs, "http.response.status_code", "http.status_code");
            // No status code: the request never got an answer (network error, CORS, abort).
            f.put("status", status >= 0 && status <= 999 ? status : 0);
            f.put("duration_ms", Math.max(0, durationMs(spanMillis(span))));
            f.put("trace_id", traceId);
            f.put("span_id", spanId);
            out.add(e);
        } else if ("page_view".equals(kind)) {
            String url = orElse(firstString(attrs, "url.full", "http.url"), edge.referer());
            ObjectNode e = ContractEvents.event("page_view", eventId, meta.withPage(url), startMs);
            e.put("view_id", spanId);
            ObjectNode pv = e.putObject("page_view");
            Span fetch = documentFetchByParent.get(span.getSpanId());
            putSince(pv, "ttfb_ms", span, fetch == null ? span : fetch, "responseStart");
            putSince(pv, "dom_content_loaded_ms", span, span, "domContentLoadedEventEnd");
            putSince(pv, "load_ms", span, span, "loadEventEnd");
            out.add(e);
        } else if ("action".equals(kind)) {
            String page = orElse(firstString(attrs, "url.full", "http.url"), edge.referer());
            ObjectNode e = ContractEvents.event("action", eventId, meta.withPage(page), startMs);
            ObjectNode a = e.putObject("action");
            a.put("type", "click");
            String target =
                    orElse(
                            firstString(attrs, "target_xpath"),
                            firstString(attrs, "target_element"));
            a.put("target", cut(orElse(target, span.getName()), ContractEvents.MAX_TARGET));
            String element = firstString(attrs, "target_element");
            ContractEvents.putIf(a, "name", cut(element, ContractEvents.MAX_NAME));
            out.add(e);
            String routed = navigationUrl(span, page);
            if (routed != null) {
                ObjectNode v =
                        ContractEvents.event(
                                "page_view", eventId + ":view", meta.withPage(routed), startMs);
                v.put("view_id", spanId);
                ObjectNode pv = v.putObject("page_view");
                pv.put("navigation", "route_change");
                pv.put("route_change_ms", Math.max(0, durationMs(spanMillis(span))));
                out.add(v);
            }
        }
        int n = 0;
        for (Span.Event ev : span.getEventsList()) {
            if (!"exception".equals(ev.getName())) continue;
            List<KeyValue> ea = ev.getAttributesList();
            String message = orElse(firstString(ea, "exception.message"), "(no message)");
            ObjectNode e =
                    ContractEvents.event(
                            "error",
                            eventId + ":exception:" + n++,
                            meta.withPage(orElse(resourceMeta.pageUrl(), edge.referer())),
                            ev.getTimeUnixNano() > 0 ? ev.getTimeUnixNano() / 1_000_000L : startMs);
            ObjectNode err = e.putObject("error");
            ContractEvents.putIf(
                    err,
                    "type",
                    cut(firstString(ea, "exception.type"), ContractEvents.MAX_ERROR_TYPE));
            err.put("message", cut(message, ContractEvents.MAX_MESSAGE));
            ContractEvents.putIf(
                    err,
                    "stack",
                    cut(firstString(ea, "exception.stacktrace"), ContractEvents.MAX_STACK));
            out.add(e);
        }
    }

    /**
     * The page a fetch span happened on, from the spans of the same export request. OTel web's
     * fetch and XHR spans carry no page URL, and the request's {@code Referer} is cut to the origin
     * (the export is cross-origin), so every fetch would land on route {@code /}. But a fetch a
     * click started has that click's span as its parent, and the click span (like {@code
     * documentLoad}) has the page in {@code url.full}; a fetch without such a parent (an XHR while
     * the page loads) is on the page of the latest documentLoad/click span that started before it.
     * Null when the request holds neither (its click went out in an earlier request).
     */
    static final class Pages {
        private final Map<ByteString, String> bySpanId = new HashMap<>();
        private final List<Long> starts = new ArrayList<>();
        private final List<String> urls = new ArrayList<>();

        void add(Span span, String url) {
            if (url == null) return;
            bySpanId.put(span.getSpanId(), url);
            starts.add(span.getStartTimeUnixNano());
            urls.add(url);
        }

        String of(Span span) {
            String parent =
                    span.getParentSpanId().isEmpty() ? null : bySpanId.get(span.getParentSpanId());
            if (parent != null) return parent;
            String latest = null;
            long latestStart = Long.MIN_VALUE;
            for (int i = 0; i < urls.size(); i++) {
                long start = starts.get(i);
                if (start <= span.getStartTimeUnixNano() && start >= latestStart) {
                    latestStart = start;
                    latest = urls.get(i);
                }
            }
            return latest;
        }
    }

    static final String NAVIGATION_PREFIX = "Navigation: ";

    /**
     * The URL a user-interaction span navigated to, or null when it did not navigate. The span's
     * name is then {@code Navigation: } + {@code location.pathname + hash + search} after the
     * History API call (in that order, as the instrumentation writes it); the origin comes from the
     * page the click happened on.
     */
    static String navigationUrl(Span span, String pageUrl) {
        String name = span.getName();
        if (!name.startsWith(NAVIGATION_PREFIX) || pageUrl == null) return null;
        String path = name.substring(NAVIGATION_PREFIX.length()).trim();
        if (!path.startsWith("/")) return null;
        try {
            java.net.URI page = new java.net.URI(pageUrl);
            if (page.getScheme() == null || page.getRawAuthority() == null) return null;
            return page.getScheme() + "://" + page.getRawAuthority() + path;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** fetch, page_view, action, or null for a span that is none of them. */
    private static String kindOf(Span span, String scope) {
        List<KeyValue> attrs = span.getAttributesList();
        boolean http =
                firstString(attrs, "http.request.method", "http.method") != null
                        && firstString(attrs, "url.full", "http.url") != null;
        if (http && span.getKind() != Span.SpanKind.SPAN_KIND_SERVER) {
            return "fetch";
        }
        if ("documentLoad".equals(span.getName())) {
            return "page_view";
        }
        String eventType = firstString(attrs, "event_type");
        if ("click".equals(eventType)
                || (eventType == null && scope.endsWith("instrumentation-user-interaction"))) {
            return "action";
        }
        return null;
    }

    private static boolean hasException(Span span) {
        for (Span.Event ev : span.getEventsList()) {
            if ("exception".equals(ev.getName())) return true;
        }
        return false;
    }

    private static double spanMillis(Span span) {
        long d = span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
        return d <= 0 ? 0 : d / 1_000_000.0;
    }

    /** Milliseconds from {@code span}'s start to the named event of {@code in}, if it has one. */
    private static void putSince(
            ObjectNode pv, String field, Span span, Span in, String eventName) {
        for (Span.Event ev : in.getEventsList()) {
            if (eventName.equals(ev.getName()) && ev.getTimeUnixNano() > 0) {
                double ms = durationMs((ev.getTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
                if (ms >= 0) {
                    pv.put(field, ms);
                }
                return;
            }
        }
    }

    static String hex(ByteString b) {
        return b.isEmpty() ? "" : HexFormat.of().formatHex(b.toByteArray());
    }

    static String firstString(List<KeyValue> attrs, String... keys) {
        for (String key : keys) {
            for (KeyValue kv : attrs) {
                if (kv.getKey().equals(key)) {
                    String s = asString(kv.getValue());
                    if (blankToNull(s) != null) return s;
                }
            }
        }
        return null;
    }

    /** The first of the keys holding an integer (or an integer string); -1 when none does. */
    static long firstLong(List<KeyValue> attrs, String... keys) {
        for (String key : keys) {
            for (KeyValue kv : attrs) {
                if (!kv.getKey().equals(key)) continue;
                AnyValue v = kv.getValue();
                switch (v.getValueCase()) {
                    case INT_VALUE:
                        return v.getIntValue();
                    case DOUBLE_VALUE:
                        return (long) v.getDoubleValue();
                    case STRING_VALUE:
                        try {
                            return Long.parseLong(v.getStringValue().trim());
                        } catch (NumberFormatException e) {
                            return -1;
                        }
                    default:
                        return -1;
                }
            }
        }
        return -1;
    }

    private static String asString(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                return v.getStringValue();
            case INT_VALUE:
                return Long.toString(v.getIntValue());
            case DOUBLE_VALUE:
                return Double.toString(v.getDoubleValue());
            case BOOL_VALUE:
                return Boolean.toString(v.getBoolValue());
            default:
                return null;
        }
    }

    private static String orElse(String a, String b) {
        return blankToNull(a) != null ? a : b;
    }
}
