package io.beaconflow.jobs.pipeline;

import io.beaconflow.jobs.enrich.SecretScrubber;
import io.beaconflow.jobs.model.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Dead letters as documents of the Elasticsearch dead-letter index. A dead letter is a record the
 * job refused, so nothing in it was scrubbed: its payload holds client IPs, raw user ids and URL
 * tokens exactly as the browser sent them. An index is searched by everyone with Kibana access, a
 * Kafka topic by a few operators, so by default the document keeps what is needed to count, group
 * and find the record (reason, detail, position, time, app and event id when read, sizes, and
 * {@code payload_sha256}, a SHA-256 of the payload kept in the Kafka dead letter, to spot one
 * record sent many times) and drops the payload itself, which stays in the Kafka dead-letter topic.
 * {@code elasticsearch.dead-letter.raw-payloads: true} keeps it in the index too. The detail text
 * can quote the payload (a parser message, an unknown type name): secrets in it are replaced
 * ({@link SecretScrubber}) either way.
 */
public final class DeadLetterDocuments extends RejectedRecordDocuments {
    private static final long serialVersionUID = 1L;

    /** The document: the dead letter's fields, the payload only when kept, and its hash. */
    public static class Document extends DeadLetter {
        /** SHA-256 of {@link DeadLetter#payload} as kept (UTF-8), hex; null without payload. */
        public String payloadSha256;
    }

    private final boolean rawPayloads;

    public DeadLetterDocuments(String index, boolean rawPayloads) {
        super(index);
        this.rawPayloads = rawPayloads;
    }

    @Override
    public Document of(DeadLetter d) {
        Document doc = withRecordFields(d, new Document());
        doc.detail = SecretScrubber.text(d.detail, DeadLetterDocuments::withoutQuery);
        doc.partition = d.partition;
        doc.offset = d.offset;
        doc.batchIndex = d.batchIndex;
        doc.payload = rawPayloads ? d.payload : null;
        doc.payloadSha256 = d.payload == null ? null : sha256(d.payload);
        return doc;
    }

    private static String withoutQuery(String url) {
        int cut = url.length();
        int q = url.indexOf('?');
        int h = url.indexOf('#');
        if (q >= 0) cut = q;
        if (h >= 0 && h < cut) cut = h;
        return url.substring(0, cut);
    }

    static String sha256(String s) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(64);
            for (byte x : h)
                b.append(Character.forDigit((x >> 4) & 0xF, 16))
                        .append(Character.forDigit(x & 0xF, 16));
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
