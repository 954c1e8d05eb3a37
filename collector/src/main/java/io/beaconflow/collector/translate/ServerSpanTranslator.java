package io.beaconflow.collector.translate;

import static io.beaconflow.collector.translate.ContractEvents.cut;
import static io.beaconflow.collector.translate.SpanTranslator.firstLong;
import static io.beaconflow.collector.translate.SpanTranslator.firstString;
import static io.beaconflow.collector.translate.SpanTranslator.hex;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;

/**
 * A backend's OTLP trace export into server-span records (docs/rum-events.md, "Server spans"): one
 * record per {@code SPAN_KIND_SERVER} span that has a parent, because only a span whose parent is a
 * browser fetch can be joined with one. Internal and client spans of the backend, and server spans
 * without a parent (no {@code traceparent} came in), are counted as ignored.
 *
 * <p>The app is not read from the payload: it is the app whose backend key the request carried (the
 * caller passes it), so one backend cannot write spans for another app. {@code service.name}
 * (resource attribute) is the backend service the slow-API alert names.
 */
public final class ServerSpanTranslator {
    private ServerSpanTranslator() {}

    public static final String TYPE = "server_span";
    public static final int MAX_SERVICE = 128;
    public static final int MAX_ROUTE = 512;

    /** Records into {@code out}'s events; refusals into its rejected list. */
    public static Translation translate(
            ExportTraceServiceRequest req, String app, EdgeContext edge) {
        Translation out = new Translation();
        for (ResourceSpans rs : req.getResourceSpansList()) {
            String service = firstString(rs.getResource().getAttributesList(), "service.name");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    if (span.getKind() != Span.SpanKind.SPAN_KIND_SERVER
                            || span.getParentSpanId().isEmpty()) {
                        out.ignore();
                        continue;
                    }
                    String spanId = hex(span.getSpanId());
                    if (service == null || service.isBlank()) {
                        out.reject("span " + spanId + ": no service.name (resource attribute)");
                        continue;
                    }
                    if (span.getTraceId().size() != 16 || span.getSpanId().size() != 8) {
                        out.reject("span " + spanId + ": traceId/spanId of the wrong length");
                        continue;
                    }
                    if (span.getStartTimeUnixNano() <= 0
                            || span.getEndTimeUnixNano() < span.getStartTimeUnixNano()) {
                        out.reject("span " + spanId + ": no start time, or end before start");
                        continue;
                    }
                    out.add(record(span, app, service, edge));
                }
            }
        }
        return out;
    }

    static ObjectNode record(Span span, String app, String service, EdgeContext edge) {
        List<KeyValue> attrs = span.getAttributesList();
        ObjectNode r = ContractEvents.JSON.createObjectNode();
        r.put("type", TYPE);
        r.put("schema_version", ContractEvents.SCHEMA_VERSION);
        r.put("app", app);
        r.put("service", cut(service, MAX_SERVICE));
        r.put("trace_id", hex(span.getTraceId()));
        r.put("span_id", hex(span.getSpanId()));
        r.put("parent_span_id", hex(span.getParentSpanId()));
        ContractEvents.putIf(
                r,
                "method",
                cut(
                        firstString(attrs, "http.request.method", "http.method"),
                        ContractEvents.MAX_METHOD));
        // http.route is the template the framework matched (/api/products/{id}); without it the
        // span's name is usually "GET /api/products/{id}" too; the raw path is the last resort.
        String route = firstString(attrs, "http.route");
        if (route == null) route = firstString(attrs, "url.path", "http.target");
        ContractEvents.putIf(r, "route", cut(route, MAX_ROUTE));
        long status = firstLong(attrs, "http.response.status_code", "http.status_code");
        if (status >= 100 && status <= 999) r.put("status", status);
        r.put("error", span.getStatus().getCodeValue() == 2);
        // Nanoseconds would overflow a JSON double; ms with a fraction keep sub-ms durations.
        r.put("start_ms", span.getStartTimeUnixNano() / 1_000_000L);
        r.put(
                "duration_ms",
                ContractEvents.durationMs(
                        (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6));
        r.put("received_at", edge.receivedAt());
        return r;
    }
}
