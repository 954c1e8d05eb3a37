package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.enrich.Enricher;
import io.beaconflow.jobs.enrich.EnricherOperator;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingest part of the graph: source with event-time watermarks (decoding happens in the source,
 * see {@link BeaconDecoder}) → {@link IngestRouter} (dead letters, late events) → {@link
 * Deduplicator} → {@link Enricher}. Every later stage consumes {@link Outputs#events}.
 */
public final class IngestStage {
    private IngestStage() {}

    /**
     * The three outputs of ingest.
     *
     * @param events accepted, deduplicated, enriched and scrubbed events, in event time.
     */
    public record Outputs(
            DataStream<RumEvent> events,
            DataStream<DeadLetter> deadLetters,
            DataStream<DeadLetter> lateEvents) {

        /**
         * The same events as a keyed stream by session ({@link SessionKeys#bySession()}): they are
         * partitioned that way since deduplication, so no second shuffle is needed.
         */
        public KeyedStream<RumEvent, String> eventsBySession() {
            return DataStreamUtils.reinterpretAsKeyedStream(
                    events(), SessionKeys.bySession(), Types.STRING);
        }
    }

    /** Adds the source with the ingest watermark strategy. */
    public static DataStream<IngestRecord> source(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            IngestConfig config,
            String name) {
        return env.fromSource(source, IngestWatermarks.forConfig(config), name)
                .uid("source-" + name)
                .name("source: " + name);
    }

    public static Outputs apply(DataStream<IngestRecord> records, IngestConfig config) {
        SingleOutputStreamOperator<RumEvent> routed =
                records.process(
                                new IngestRouter(
                                        config.allowedLateness,
                                        config.maxFuture,
                                        config.deadLetterPayloadBytes,
                                        config.privacy))
                        .uid("ingest-router")
                        .name("ingest: route dead letters and late events");
        SingleOutputStreamOperator<RumEvent> events =
                routed.keyBy(Deduplicator.key())
                        .transform(
                                "ingest: drop duplicate event ids",
                                routed.getType(),
                                new DeduplicatorOperator(config.dedupTtl, config.dedupCache))
                        .uid("ingest-dedup")
                        .name("ingest: drop duplicate event ids")
                        .transform(
                                "ingest: enrich and scrub",
                                routed.getType(),
                                new EnricherOperator(new Enricher(config)))
                        .uid("ingest-enrich")
                        .name("ingest: enrich and scrub");
        return new Outputs(
                events,
                routed.getSideOutput(IngestRouter.DEAD_LETTERS)
                        .union(events.getSideOutput(ProcessingErrors.TAG)),
                routed.getSideOutput(IngestRouter.LATE));
    }
}
