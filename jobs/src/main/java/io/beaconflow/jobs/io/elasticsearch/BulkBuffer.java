package io.beaconflow.jobs.io.elasticsearch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Documents waiting for the next bulk request, bounded by count and bytes. A second write of the
 * same index + id replaces the first in place: an index operation overwrites the whole document, so
 * only the latest version matters, the request gets smaller (sessions send early updates of the
 * same id), and one request never carries two versions of a document whose items could succeed and
 * fail out of order.
 */
final class BulkBuffer {
    /** Bytes of an action line besides index and id: {@code {"index":{"_index":"","_id":""}}\n}. */
    static final int ACTION_OVERHEAD_BYTES = 32;

    private final Map<String, ElasticsearchDocument> docs = new LinkedHashMap<>();
    private long bytes;
    private long replaced;

    /** Adds or replaces; returns true when it replaced an earlier version. */
    boolean add(ElasticsearchDocument doc) {
        ElasticsearchDocument old = docs.put(key(doc.index(), doc.id()), doc);
        bytes += sizeOf(doc);
        if (old != null) {
            bytes -= sizeOf(old);
            replaced++;
            return true;
        }
        return false;
    }

    static long sizeOf(ElasticsearchDocument doc) {
        // ids and index names are ASCII in practice; the estimate only bounds request size
        return doc.source().length
                + doc.index().length()
                + doc.id().length()
                + ACTION_OVERHEAD_BYTES;
    }

    private static String key(String index, String id) {
        return index + '\u0000' + id;
    }

    int size() {
        return docs.size();
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return docs.isEmpty();
    }

    /** Total documents that were replaced by a later version before being sent. */
    long replacedTotal() {
        return replaced;
    }

    boolean isFull(int maxActions, long maxBytes) {
        return docs.size() >= maxActions || bytes >= maxBytes;
    }

    /** Removes and returns everything, in first-write order. */
    List<ElasticsearchDocument> drain() {
        List<ElasticsearchDocument> out = new ArrayList<>(docs.values());
        docs.clear();
        bytes = 0;
        return out;
    }
}
