package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import org.junit.jupiter.api.Test;

class BulkFailureTest {
    @Test
    void aFailedItemKeepsItsStatusTypeAndReasonWithItsCauses() {
        BulkResponseItem item =
                BulkResponseItem.of(
                        b ->
                                b.operationType(OperationType.Index)
                                        .index("rum-alerts")
                                        .status(429)
                                        .error(
                                                e ->
                                                        e.type("es_rejected_execution_exception")
                                                                .reason("queue full")
                                                                .causedBy(
                                                                        c ->
                                                                                c.type("cause")
                                                                                        .reason(
                                                                                                "busy"))));
        BulkFailure f = BulkFailure.ofItem(item);
        assertThat(f.status).isEqualTo(429);
        assertThat(f.type).isEqualTo("es_rejected_execution_exception");
        assertThat(f.reason).isEqualTo("queue full; caused by cause: busy");
        assertThat(f)
                .hasToString(
                        "HTTP 429 es_rejected_execution_exception: queue full; caused by cause:"
                                + " busy");
    }
}
