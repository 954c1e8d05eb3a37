package io.beaconflow.jobs.io.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dead-letter document for a document Elasticsearch refused for good. Same index and shape as
 * the ingest stage's {@link io.beaconflow.jobs.model.DeadLetter} (reason, detail, position, source,
 * payload, payload_bytes, truncated), plus what a sink failure needs: error_type, error_reason,
 * error_status, original_index, original_id. The id is derived from the original index and id, so a
 * replay overwrites the same dead letter.
 */
final class SinkDeadLetters {
    /** The {@code reason} code of sink rejections (ingest uses the RejectReason names). */
    static final String REASON = "SINK_REJECTED";

    static final String SOURCE = "elasticsearch-sink";

    private final String index;
    private final int maxChars;
    private final ObjectMapper json = Json.newOutputMapper();

    SinkDeadLetters(String index, int maxChars) {
        this.index = index;
        this.maxChars = maxChars;
    }

    ElasticsearchDocument of(
            ElasticsearchDocument rejected, int status, String errorType, String errorReason) {
        String original = new String(rejected.source(), StandardCharsets.UTF_8);
        String payload = truncate(original, maxChars);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("reason", REASON);
        doc.put("detail", errorType + ": " + errorReason);
        doc.put("position", rejected.index() + "/" + rejected.id());
        doc.put("source", SOURCE);
        doc.put("batch_index", -1);
        doc.put("error_type", errorType);
        doc.put("error_reason", errorReason);
        doc.put("error_status", status);
        doc.put("original_index", rejected.index());
        doc.put("original_id", rejected.id());
        doc.put("payload", payload);
        doc.put("payload_bytes", rejected.source().length);
        doc.put("truncated", payload.length() < original.length());
        try {
            return new ElasticsearchDocument(
                    index, idFor(rejected.index(), rejected.id()), json.writeValueAsBytes(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a dead letter", e);
        }
    }

    /** {@code sink-<index>-<id>}, or a SHA-256 of both when that is longer than ES allows. */
    static String idFor(String originalIndex, String originalId) {
        String id = "sink-" + originalIndex + "-" + originalId;
        if (id.getBytes(StandardCharsets.UTF_8).length <= ElasticsearchDocument.MAX_ID_BYTES) {
            return id;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h =
                    sha.digest(
                            (originalIndex + '\u0000' + originalId)
                                    .getBytes(StandardCharsets.UTF_8));
            return "sink-" + HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code max} chars, never splitting a surrogate pair. */
    static String truncate(String s, int max) {
        if (s.length() <= max) return s;
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }
}
