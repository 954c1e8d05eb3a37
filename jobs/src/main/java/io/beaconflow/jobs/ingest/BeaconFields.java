package io.beaconflow.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.RejectReason;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Readers of one field of a beacon's JSON: each returns the value in the type the job keeps, or
 * throws {@link Reject} naming the field (its path within the event) and the reason: missing, of
 * the wrong type, or out of range.
 */
final class BeaconFields {
    static final int MAX_ID_LENGTH = 128;
    static final String MAX_DURATION_KEY = "ingest.limits.max-duration-ms";

    private BeaconFields() {}

    static void checkSchemaVersion(JsonNode n, boolean required) {
        JsonNode v = n.get("schema_version");
        if (v == null || v.isNull()) {
            if (required) {
                throw new Reject(RejectReason.MISSING_FIELD, "schema_version is missing");
            }
            return;
        }
        if (!v.isIntegralNumber()) {
            throw new Reject(RejectReason.WRONG_TYPE, "schema_version must be an integer");
        }
        // canConvertToLong: asLong() of 2^64 + 1 is 1.
        if (!v.canConvertToLong() || v.asLong() != BeaconDecoder.SCHEMA_VERSION) {
            throw new Reject(
                    RejectReason.UNKNOWN_SCHEMA_VERSION,
                    "schema_version " + v.asText() + " is not supported (supported: 1)");
        }
    }

    static String requiredText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        if (!v.isTextual()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a string");
        }
        return v.asText();
    }

    static String requiredId(JsonNode n, String field) {
        String s = requiredText(n, field);
        if (s.isEmpty()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is empty");
        }
        if (s.length() > MAX_ID_LENGTH) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    field + " longer than " + MAX_ID_LENGTH + " characters");
        }
        return s;
    }

    static String optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a string");
        }
        return v.asText();
    }

    static long requiredMillis(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        return millis(v, field);
    }

    static long optionalMillis(JsonNode n, String field, long absent) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        return millis(v, field);
    }

    static long millis(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Reject(
                    RejectReason.WRONG_TYPE, field + " must be an integer of epoch milliseconds");
        }
        long t = v.asLong();
        if (t < 0) {
            throw new Reject(RejectReason.INVALID_VALUE, field + " is negative");
        }
        return t;
    }

    static double number(JsonNode v, String field) {
        if (!v.isNumber()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a number");
        }
        return v.asDouble();
    }

    /** A duration in [0, ingest.limits.max-duration-ms] that must be there. */
    static Double requiredDuration(
            IngestConfig.LimitsConfig limits, JsonNode n, String path, String field) {
        return requiredBounded(n, path, field, limits.maxDurationMs, MAX_DURATION_KEY);
    }

    /** A duration in [0, ingest.limits.max-duration-ms], or null when absent. */
    static Double optionalDuration(
            IngestConfig.LimitsConfig limits, JsonNode n, String path, String field) {
        return optionalBounded(n, path, field, limits.maxDurationMs, MAX_DURATION_KEY);
    }

    static Double requiredBounded(JsonNode n, String path, String field, double max, String key) {
        Double d = optionalBounded(n, path, field, max, key);
        if (d == null) {
            throw new Reject(RejectReason.MISSING_FIELD, path + " is missing");
        }
        return d;
    }

    /** A number in [0, max]; NaN, infinities and negatives are rejected with the field's name. */
    static Double optionalBounded(JsonNode n, String path, String field, double max, String key) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        double d = number(v, path);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new Reject(RejectReason.INVALID_VALUE, path + " is not a finite number");
        }
        if (d < 0) {
            throw new Reject(RejectReason.INVALID_VALUE, path + " is negative: " + d);
        }
        if (d > max) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    path + " is " + d + ", above the limit " + max + " (" + key + ")");
        }
        return d == 0 ? 0.0 : d; // -0.0 (found by the fuzz test) is read as 0
    }

    static JsonNode optionalObject(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be an object");
        }
        return v;
    }

    static JsonNode requiredObject(JsonNode n, String field) {
        JsonNode v = optionalObject(n, field);
        if (v == null) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        return v;
    }

    static Map<String, String> optionalStringMap(JsonNode n, String field) {
        JsonNode v = optionalObject(n, field);
        if (v == null) {
            return null;
        }
        Map<String, String> m = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new Reject(
                        RejectReason.WRONG_TYPE,
                        field + "." + entry.getKey() + " must be a string");
            }
            m.put(entry.getKey(), entry.getValue().asText());
        }
        return m;
    }
}
