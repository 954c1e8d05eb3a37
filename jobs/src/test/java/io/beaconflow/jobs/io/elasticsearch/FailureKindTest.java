package io.beaconflow.jobs.io.elasticsearch;

import static io.beaconflow.jobs.io.elasticsearch.FailureKind.AUTH;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.CONNECTION;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.MISSING_INDEX;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.PERMANENT;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.RETRY;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.SPLIT;
import static io.beaconflow.jobs.io.elasticsearch.FailureKind.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureKindTest {
    @Test
    void documentsThatCanNeverBeIndexedArePermanent() {
        assertThat(FailureKind.ofItem(400, "document_parsing_exception")).isEqualTo(PERMANENT);
        assertThat(FailureKind.ofItem(400, "mapper_parsing_exception")).isEqualTo(PERMANENT);
        assertThat(FailureKind.ofItem(400, "strict_dynamic_mapping_exception"))
                .isEqualTo(PERMANENT);
        assertThat(FailureKind.ofItem(400, "illegal_argument_exception")).isEqualTo(PERMANENT);
        assertThat(FailureKind.ofItem(409, "version_conflict_engine_exception"))
                .isEqualTo(PERMANENT);
    }

    @Test
    void aMissingIndexIsNeverTheDocumentsFaultSoItIsNotPermanent() {
        assertThat(FailureKind.ofItem(404, "index_not_found_exception")).isEqualTo(MISSING_INDEX);
        assertThat(FailureKind.ofResponse(404, "index_not_found_exception"))
                .isEqualTo(MISSING_INDEX);
        assertThat(FailureKind.ofItem(404, "document_missing_exception")).isEqualTo(PERMANENT);
    }

    @Test
    void overloadAndServerTroubleAreRetried() {
        assertThat(FailureKind.ofItem(429, "es_rejected_execution_exception")).isEqualTo(RETRY);
        assertThat(FailureKind.ofItem(503, "unavailable_shards_exception")).isEqualTo(RETRY);
        assertThat(FailureKind.ofItem(500, "null_pointer_exception")).isEqualTo(RETRY);
        assertThat(FailureKind.ofResponse(429, "circuit_breaking_exception")).isEqualTo(RETRY);
        assertThat(FailureKind.ofResponse(502, "http_502")).isEqualTo(RETRY);
        assertThat(FailureKind.ofResponse(0, "connection_failure")).isEqualTo(CONNECTION);
    }

    @Test
    void securityRefusalsStopButAReadOnlyBlockIsWaitedOut() {
        assertThat(FailureKind.ofResponse(401, "security_exception")).isEqualTo(AUTH);
        assertThat(FailureKind.ofResponse(403, "security_exception")).isEqualTo(AUTH);
        assertThat(FailureKind.ofItem(403, "security_exception")).isEqualTo(AUTH);
        assertThat(FailureKind.ofItem(403, "cluster_block_exception")).isEqualTo(RETRY);
    }

    @Test
    void aRefusedWholeRequestIsSplitToFindTheCulprit() {
        assertThat(FailureKind.ofResponse(413, "http_413")).isEqualTo(SPLIT);
        assertThat(FailureKind.ofResponse(400, "illegal_argument_exception")).isEqualTo(SPLIT);
        assertThat(FailureKind.ofItem(201, null)).isEqualTo(SUCCESS);
        assertThat(FailureKind.ofItem(200, null)).isEqualTo(SUCCESS);
    }
}
