package io.beaconflow.jobs.cluster;

import io.beaconflow.jobs.generator.GenerationStats;
import io.beaconflow.jobs.generator.MalformedKind;
import io.beaconflow.jobs.model.RejectReason;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the job must output for the traffic a test produced, computed from the generator's own
 * ground truth ({@link GenerationStats}), never from the job's code: every malformed record is one
 * dead letter with the reason its kind implies, every late event one late record.
 *
 * <p>Elasticsearch outputs (sessions, metrics, alerts) and webhook notifications come from an
 * uninterrupted reference run over the same input ({@link ReferenceRun}): maps from document id
 * (idempotency key) to the expected document (request body); {@link FoundOutputs} reads the same
 * ids back and {@link OutputCheck#byId} compares them. Dead letters in Elasticsearch are compared
 * with the generator's truth, like the Kafka ones.
 */
final class ExpectedOutputs {
    final GenerationStats generated;
    final Map<RejectReason, Long> deadLettersByReason;
    final long deadLetters;
    final long lateEvents;

    /** The reference run's outputs, or null when the test checks only the Kafka outputs. */
    final ReferenceRun.Result reference;

    private ExpectedOutputs(GenerationStats generated, ReferenceRun.Result reference) {
        this.generated = generated;
        this.reference = reference;
        this.deadLettersByReason = new EnumMap<>(RejectReason.class);
        generated
                .malformedByKind()
                .forEach((kind, n) -> deadLettersByReason.merge(reasonFor(kind), n, Long::sum));
        this.deadLetters = generated.malformedRecords();
        this.lateEvents = generated.lateEvents();
    }

    static ExpectedOutputs from(GenerationStats generated) {
        return new ExpectedOutputs(generated, null);
    }

    static ExpectedOutputs from(GenerationStats generated, ReferenceRun.Result reference) {
        return new ExpectedOutputs(generated, reference);
    }

    /** The reject reason each injected kind of damage must produce (docs/rum-events.md). */
    static RejectReason reasonFor(MalformedKind kind) {
        return switch (kind) {
            case NOT_JSON, TRUNCATED_JSON -> RejectReason.NOT_JSON;
            case INVALID_UTF8 -> RejectReason.INVALID_UTF8;
            case WRONG_FIELD_TYPES -> RejectReason.WRONG_TYPE;
            case UNKNOWN_EVENT_TYPE -> RejectReason.UNKNOWN_EVENT_TYPE;
            case NEGATIVE_DURATION -> RejectReason.INVALID_VALUE;
        };
    }
}
