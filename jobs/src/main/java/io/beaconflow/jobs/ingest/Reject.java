package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RejectReason;

/**
 * A rejection of a record or of one event, with its reason and a detail naming the field; {@link
 * BeaconDecoder} turns it into a dead letter. Control flow only, so no stack trace.
 */
final class Reject extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final RejectReason reason;

    Reject(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }
}
