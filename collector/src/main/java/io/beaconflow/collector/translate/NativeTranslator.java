package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The native contract ({@code POST /rum}): one event or a batch, as docs/rum-events.md defines. The
 * events pass through unchanged except for the edge fields ({@link ContractEvents#EDGE_FIELDS}): a
 * browser's own {@code received_at}, {@code client_ip}, {@code country} or {@code user_agent} is
 * removed, and the collector's envelope supplies them. A client-sent {@code sent_at} stays: with
 * the collector's {@code received_at} it is what corrects the browser's clock skew. Field-level
 * validation is the job's (BeaconDecoder), so there is one definition of a valid event; the
 * collector only needs {@code app} (per-app key and origin checks) and a JSON object per event.
 */
public final class NativeTranslator {
    private NativeTranslator() {}

    public static Translation translate(JsonNode root) throws BadPayloadException {
        if (root == null || !root.isObject()) {
            throw new BadPayloadException("a beacon must be a JSON object (an event or a batch)");
        }
        Translation out = new Translation();
        JsonNode events = root.get("events");
        if (events == null) {
            ObjectNode e = ((ObjectNode) root).deepCopy();
            e.remove("schema_version");
            add(e, root.path("sent_at"), out);
            return out;
        }
        if (!events.isArray()) {
            throw new BadPayloadException("events must be an array");
        }
        if (events.isEmpty()) {
            throw new BadPayloadException("events is empty");
        }
        for (JsonNode ev : events) {
            if (!ev.isObject()) {
                out.reject("an event must be a JSON object");
                continue;
            }
            add(((ObjectNode) ev).deepCopy(), root.path("sent_at"), out);
        }
        return out;
    }

    private static void add(ObjectNode e, JsonNode batchSentAt, Translation out) {
        for (String f : ContractEvents.EDGE_FIELDS) {
            e.remove(f);
        }
        // The batch's sent_at belongs to every event that has none: the envelope the collector
        // writes is its own, so the value moves down into the events.
        if (!e.has("sent_at") && batchSentAt.isIntegralNumber()) {
            e.set("sent_at", batchSentAt);
        }
        JsonNode app = e.get("app");
        if (app == null || !app.isTextual() || app.asText().isBlank()) {
            out.reject("event without app");
            return;
        }
        out.add(e);
    }
}
