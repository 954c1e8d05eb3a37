package io.beaconflow.jobs.io.elasticsearch;

/**
 * What the sink does with a failed bulk request or bulk item. The rule: retry only what can succeed
 * later without anyone changing the data; dead-letter what never will; stop on credentials, which
 * only a person can fix.
 */
public enum FailureKind {
    /** Indexed. */
    SUCCESS,
    /**
     * Overload or a sick cluster (HTTP 429, 5xx, 408, a cluster block): the same request can
     * succeed later. Retried with exponential backoff, at most {@code retry.max-retries} times.
     */
    RETRY,
    /**
     * No answer at all (connection refused or reset, timeout): the cluster is down or unreachable.
     * Retried until {@code retry.max-duration} has passed.
     */
    CONNECTION,
    /**
     * HTTP 404 {@code index_not_found_exception}: the target index does not exist and Elasticsearch
     * would not create it on write ({@code action.auto_create_index}, or a template's {@code
     * allow_auto_create: false}). Not the document's fault, so never dead-lettered: the writer
     * creates an index the job owns (one of its templates matches) and retries; any other index is
     * a configuration error that fails the job.
     */
    MISSING_INDEX,
    /**
     * The document itself is wrong (mapping error, strict mapping, illegal argument, other 4xx):
     * sending it again gives the same answer, so it goes to the dead-letter index.
     */
    PERMANENT,
    /**
     * The whole request was refused with a 4xx that is not about credentials (413 too large, a
     * malformed line): split the batch to isolate the culprit; one document alone is {@link
     * #PERMANENT}.
     */
    SPLIT,
    /** 401/403 security errors: wrong or missing credentials or privileges. Fail, never retry. */
    AUTH;

    /** One item of a bulk response. */
    public static FailureKind ofItem(int status, String errorType) {
        if (status >= 200 && status < 300) return SUCCESS;
        return ofStatus(status, errorType, PERMANENT);
    }

    /** A whole bulk request that got an HTTP error status. */
    public static FailureKind ofResponse(int status, String errorType) {
        if (status >= 200 && status < 300) return SUCCESS;
        return ofStatus(status, errorType, SPLIT);
    }

    private static FailureKind ofStatus(
            int status, String errorType, FailureKind otherClientError) {
        if (status == 401) return AUTH;
        if (status == 403) {
            // A read-only block (disk flood stage on older clusters, or an operator's block) is
            // 403 too, but it is lifted without touching the job: retry it.
            return "cluster_block_exception".equals(errorType) ? RETRY : AUTH;
        }
        if (status == 429 || status == 408 || status >= 500) return RETRY;
        if (status == 404 && "index_not_found_exception".equals(errorType)) return MISSING_INDEX;
        if (status <= 0) return CONNECTION;
        return otherClientError;
    }
}
