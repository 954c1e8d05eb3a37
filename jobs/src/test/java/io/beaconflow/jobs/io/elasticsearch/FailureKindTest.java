package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureKindTest {
    /**
     * Each row: whether an item of a bulk response or the whole response failed, its HTTP status
     * and error type, and the kind of failure that makes.
     */
    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(
            nullValues = "null",
            textBlock =
                    """
                    # Documents that can never be indexed are permanent.
                    item,     400, document_parsing_exception,        PERMANENT
                    item,     400, mapper_parsing_exception,          PERMANENT
                    item,     400, strict_dynamic_mapping_exception,  PERMANENT
                    item,     400, illegal_argument_exception,        PERMANENT
                    item,     409, version_conflict_engine_exception, PERMANENT
                    # A missing index is never the document's fault, so it is not permanent.
                    item,     404, index_not_found_exception,         MISSING_INDEX
                    response, 404, index_not_found_exception,         MISSING_INDEX
                    item,     404, document_missing_exception,        PERMANENT
                    # Overload and server trouble are retried.
                    item,     429, es_rejected_execution_exception,   RETRY
                    item,     503, unavailable_shards_exception,      RETRY
                    item,     500, null_pointer_exception,            RETRY
                    response, 429, circuit_breaking_exception,        RETRY
                    response, 502, http_502,                          RETRY
                    response, 0,   connection_failure,                CONNECTION
                    # Security refusals stop, but a read-only block is waited out.
                    response, 401, security_exception,                AUTH
                    response, 403, security_exception,                AUTH
                    item,     403, security_exception,                AUTH
                    item,     403, cluster_block_exception,           RETRY
                    # A refused whole request is split to find the culprit.
                    response, 413, http_413,                          SPLIT
                    response, 400, illegal_argument_exception,        SPLIT
                    item,     201, null,                              SUCCESS
                    item,     200, null,                              SUCCESS
                    """)
    void aFailureIsClassifiedByWhatFailedItsStatusAndItsErrorType(
            String failed, int status, String errorType, FailureKind kind) {
        FailureKind classified =
                switch (failed) {
                    case "item" -> FailureKind.ofItem(status, errorType);
                    case "response" -> FailureKind.ofResponse(status, errorType);
                    default -> throw new IllegalArgumentException("item or response: " + failed);
                };
        assertThat(classified).isEqualTo(kind);
    }
}
