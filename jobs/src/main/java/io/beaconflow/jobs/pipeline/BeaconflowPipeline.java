package io.beaconflow.jobs.pipeline;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.ingest.IngestStage;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.MetricStage;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.sessions.SessionStage;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole Beaconflow graph, built from an injected source; {@link #sinkTo(Sinks)} attaches the
 * injected sinks. {@code main} methods only choose the source and sinks (generator + NDJSON files
 * in the demo, Kafka + Elasticsearch in production, bounded sources + collecting sinks in tests),
 * so one graph runs everywhere.
 */
public final class BeaconflowPipeline {
    private final IngestStage.Outputs ingest;
    private final DataStream<SessionRecord> sessions;
    private final DataStream<MetricAggregate> metrics;

    private BeaconflowPipeline(
            IngestStage.Outputs ingest,
            DataStream<SessionRecord> sessions,
            DataStream<MetricAggregate> metrics) {
        this.ingest = ingest;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /** Builds the graph on {@code env} reading {@code source}, named {@code sourceName}. */
    public static BeaconflowPipeline build(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            String sourceName,
            BeaconflowConfig config) {
        DataStream<IngestRecord> records =
                IngestStage.source(env, source, config.ingest, sourceName);
        IngestStage.Outputs ingest = IngestStage.apply(records, config.ingest);
        DataStream<SessionRecord> sessions =
                SessionStage.apply(ingest.eventsBySession(), config.sessions);
        DataStream<MetricAggregate> metrics = MetricStage.apply(ingest.events, config.metrics);
        return new BeaconflowPipeline(ingest, sessions, metrics);
    }

    public DataStream<RumEvent> events() {
        return ingest.events;
    }

    public DataStream<DeadLetter> deadLetters() {
        return ingest.deadLetters;
    }

    public DataStream<DeadLetter> lateEvents() {
        return ingest.lateEvents;
    }

    /** Session records: early updates while open, then the closed record (same document id). */
    public DataStream<SessionRecord> sessions() {
        return sessions;
    }

    /** One-minute aggregates per series (app total and app × dimension value). */
    public DataStream<MetricAggregate> metrics() {
        return metrics;
    }

    /** Where each output goes; a null sink leaves that output unconnected. */
    public static final class Sinks {
        public final List<Sink<DeadLetter>> deadLetters = new ArrayList<>();
        public final List<Sink<DeadLetter>> lateEvents = new ArrayList<>();
        public Sink<RumEvent> events;
        public Sink<MetricAggregate> metrics;
        public Sink<SessionRecord> sessions;

        public Sinks sessions(Sink<SessionRecord> s) {
            this.sessions = s;
            return this;
        }

        public Sinks metrics(Sink<MetricAggregate> s) {
            this.metrics = s;
            return this;
        }

        /** Adds a dead-letter sink (several allowed, e.g. a Kafka topic and an index). */
        public Sinks deadLetters(Sink<DeadLetter> s) {
            this.deadLetters.add(s);
            return this;
        }

        public Sinks lateEvents(Sink<DeadLetter> s) {
            this.lateEvents.add(s);
            return this;
        }

        public Sinks events(Sink<RumEvent> s) {
            this.events = s;
            return this;
        }
    }

    public BeaconflowPipeline sinkTo(Sinks sinks) {
        for (int i = 0; i < sinks.deadLetters.size(); i++) {
            deadLetters()
                    .sinkTo(sinks.deadLetters.get(i))
                    .uid(i == 0 ? "sink-dead-letters" : "sink-dead-letters-" + i)
                    .name("sink: dead letters");
        }
        for (int i = 0; i < sinks.lateEvents.size(); i++) {
            lateEvents()
                    .sinkTo(sinks.lateEvents.get(i))
                    .uid(i == 0 ? "sink-late" : "sink-late-" + i)
                    .name("sink: late events");
        }
        if (sinks.sessions != null) {
            sessions().sinkTo(sinks.sessions).uid("sink-sessions").name("sink: sessions");
        }
        if (sinks.metrics != null) {
            metrics().sinkTo(sinks.metrics).uid("sink-metrics").name("sink: metric aggregates");
        }
        if (sinks.events != null) {
            events().sinkTo(sinks.events).uid("sink-events").name("sink: enriched events");
        }
        return this;
    }
}
