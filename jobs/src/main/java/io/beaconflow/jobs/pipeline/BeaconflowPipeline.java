package io.beaconflow.jobs.pipeline;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.compare.Comparison;
import io.beaconflow.jobs.compare.ComparisonStage;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ControlStreamWatermarks;
import io.beaconflow.jobs.detection.DetectionConfig;
import io.beaconflow.jobs.detection.DetectionStage;
import io.beaconflow.jobs.detection.RouteActivity;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.detection.SpecFileSource;
import io.beaconflow.jobs.detection.SpecKafkaSource;
import io.beaconflow.jobs.detection.SpecRejection;
import io.beaconflow.jobs.detection.SpecUpdate;
import io.beaconflow.jobs.errors.ErrorGroup;
import io.beaconflow.jobs.errors.ErrorGroupStage;
import io.beaconflow.jobs.errors.ErrorGroupTracker;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.ingest.IngestStage;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.MetricStage;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionAssembler;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.sessions.SessionStage;
import io.beaconflow.jobs.traces.EndpointTiming;
import io.beaconflow.jobs.traces.FetchTiming;
import io.beaconflow.jobs.traces.ServerSpanRecord;
import io.beaconflow.jobs.traces.TraceJoinStage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole Beaconflow graph, built from an injected source; {@link #sinkTo(Sinks)} attaches the
 * injected sinks. {@code main} methods only choose the source and sinks (generator + NDJSON files
 * in the demo, Kafka + Elasticsearch in production, bounded sources + collecting sinks in tests),
 * so one graph runs everywhere.
 */
public final class BeaconflowPipeline {
    private final IngestStage.Outputs ingest;

    /** The accepted events on the route of their view (ViewRouteAssigner), what stages read. */
    private final DataStream<RumEvent> onViewRoutes;

    private final DataStream<DeadLetter> deadLetters;
    private final DataStream<SessionRecord> sessions;
    private final DetectionChain.Outputs detection;
    private final DataStream<ErrorGroup> errorGroups;
    private DataStream<ErrorWindowCount> errorWindowCounts;
    private final DataStream<MetricAggregate> unscored;

    /** Experiments and releases compared; null in the detection-only graph or when disabled. */
    private DataStream<Comparison> comparisons;

    /** Front-end ↔ back-end correlation; null until {@link #withServerSpans} adds its source. */
    private TraceJoinStage.Outputs traces;

    /** With traces: the alerts after the slow-API verdict (TraceJoinStage#attributeAlerts). */
    private DataStream<Alert> attributedAlerts;

    private BeaconflowPipeline(
            IngestStage.Outputs ingest,
            DataStream<RumEvent> onViewRoutes,
            DataStream<DeadLetter> deadLetters,
            DataStream<SessionRecord> sessions,
            DataStream<MetricAggregate> unscored,
            DetectionChain.Outputs detection,
            DataStream<ErrorGroup> errorGroups) {
        this.ingest = ingest;
        this.onViewRoutes = onViewRoutes;
        this.unscored = unscored;
        this.deadLetters = deadLetters;
        this.sessions = sessions;
        this.detection = detection;
        this.errorGroups = errorGroups;
    }

    /** Builds the graph on {@code env} reading {@code source}, named {@code sourceName}. */
    public static BeaconflowPipeline build(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            String sourceName,
            BeaconflowConfig config) {
        return build(env, source, sourceName, config, true);
    }

    /**
     * The graph without the session stage: ingest, metrics, detection and alerts, the same
     * operators as {@link #build}. For {@code ./beaconflow evaluate}, which only needs the alerts
     * and runs many simulated days; {@link #sessions()} is then unavailable.
     */
    public static BeaconflowPipeline buildForDetection(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            String sourceName,
            BeaconflowConfig config) {
        return build(env, source, sourceName, config, false);
    }

    private static BeaconflowPipeline build(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            String sourceName,
            BeaconflowConfig config,
            boolean withSessions) {
        DataStream<IngestRecord> records =
                IngestStage.source(env, source, config.ingest, sourceName);
        IngestStage.Outputs ingest = IngestStage.apply(records, config.ingest);
        // A single-page app's batched fetches, errors and clicks go back to the route they were
        // made on (docs/DISCUSSION.md, "SPA fetches on the route they were made on") before
        // anything reports them per route: metrics, sessions, error groups, rage clicks and the
        // trace join all read this stream. Only the enriched-events output keeps them as sent.
        SingleOutputStreamOperator<RumEvent> onViewRoutes =
                SessionStage.eventsOnTheirViewRoute(
                        ingest.eventsBySession(), config.sessions, config.ingest.allowedLateness);
        // Operators are part of the job as soon as they are built, sink or not: leaving the
        // session stage out is what saves its work.
        SingleOutputStreamOperator<SessionRecord> sessions =
                withSessions
                        ? SessionStage.apply(
                                SessionStage.bySession(onViewRoutes),
                                config.sessions,
                                // The comparisons' per-session summaries come from the sessions
                                // themselves (SessionArms): no second per-event keyed operator.
                                ArmRules.of(config.metrics, config.comparisons))
                        : null;
        List<DataStream<DeadLetter>> metricErrors = new ArrayList<>();
        SingleOutputStreamOperator<MetricAggregate> metrics =
                MetricStage.apply(onViewRoutes, config.metrics, metricErrors::add);
        // Rejected at ingest, plus events a later per-event stage failed on (PROCESSING_ERROR):
        // one output, so every input is accounted for in one place.
        DataStream<DeadLetter> deadLetters =
                sessions == null
                        ? ingest.deadLetters().union(metricErrors.get(0))
                        : ingest.deadLetters()
                                .union(
                                        sessions.getSideOutput(ProcessingErrors.TAG),
                                        metricErrors.get(0));
        SingleOutputStreamOperator<ErrorGroup> errorGroups =
                ErrorGroupStage.apply(onViewRoutes, config.errors, config.metrics.window);
        DetectionChain.Outputs detection =
                DetectionChain.apply(
                        metrics,
                        onViewRoutes,
                        specUpdates(env, source.getBoundedness(), config),
                        config.detection,
                        errorGroups.getSideOutput(ErrorGroupTracker.FINDINGS),
                        config.errors.newError,
                        errorGroups.getSideOutput(ErrorGroupTracker.WINDOW_COUNTS));
        BeaconflowPipeline pipeline =
                new BeaconflowPipeline(
                        ingest,
                        onViewRoutes,
                        deadLetters,
                        sessions,
                        metrics,
                        detection,
                        errorGroups);
        pipeline.errorWindowCounts = errorGroups.getSideOutput(ErrorGroupTracker.WINDOW_COUNTS);
        if (withSessions && config.comparisons.enabled) {
            pipeline.comparisons =
                    ComparisonStage.apply(
                            sessions.getSideOutput(SessionAssembler.SUMMARIES),
                            config.comparisons,
                            config.metrics);
        }
        return pipeline;
    }

    /**
     * The detector-spec control stream: a compacted Kafka topic when {@code detection.specs-topic}
     * is set, else the spec file, watched for changes (read once when the data source is bounded,
     * so a bounded job can finish). Its watermarks never hold back event time.
     */
    public static DataStream<SpecUpdate> specUpdates(
            StreamExecutionEnvironment env, Boundedness boundedness, BeaconflowConfig config) {
        DetectionConfig cfg = config.detection;
        if (cfg.specsTopic != null && !cfg.specsTopic.isBlank()) {
            return env.fromSource(
                            SpecKafkaSource.create(
                                    config.kafka.bootstrapServers,
                                    cfg.specsTopic,
                                    config.kafka.groupId + "-specs",
                                    config.kafka.properties),
                            ControlStreamWatermarks.create(),
                            "detector specs")
                    .setParallelism(1)
                    .uid("source-detector-specs-kafka")
                    .name("source: detector specs topic " + cfg.specsTopic);
        }
        if (boundedness == Boundedness.BOUNDED) {
            return env.fromSource(
                            SpecFileSource.bounded(Path.of(cfg.specsFile)),
                            ControlStreamWatermarks.create(),
                            "detector specs")
                    .setParallelism(1)
                    .uid("source-detector-specs")
                    .name("source: detector specs (read once)");
        }
        return DetectionStage.specUpdates(env, cfg);
    }

    /**
     * The accepted, enriched events as the SDK sent them (a single-page app's batched events on the
     * route they were sent from): the enriched-events output.
     */
    public DataStream<RumEvent> events() {
        return ingest.events();
    }

    /**
     * The same events on the route of their view ({@code ViewRouteAssigner}), each leaving once the
     * watermark reaches it: what metrics, sessions, error groups, rage clicks and traces read.
     */
    public DataStream<RumEvent> eventsOnViewRoutes() {
        return onViewRoutes;
    }

    /**
     * Adds the optional second source, backend server spans ({@link TraceJoinStage}): the fetches
     * of {@link #events()} are joined with them; the spans' dead letters and late spans join {@link
     * #deadLetters()} and {@link #lateEvents()}. Call once, before {@link #sinkTo}.
     */
    public BeaconflowPipeline withServerSpans(
            Source<ServerSpanRecord, ?, ?> source, String sourceName, BeaconflowConfig config) {
        if (traces != null) {
            throw new IllegalStateException("withServerSpans was already called");
        }
        StreamExecutionEnvironment env = ingest.events().getExecutionEnvironment();
        traces =
                TraceJoinStage.apply(
                        TraceJoinStage.source(env, source, config, sourceName),
                        onViewRoutes,
                        config);
        attributedAlerts =
                TraceJoinStage.attributeAlerts(
                        detection.alerts(), traces.endpointTimings(), config);
        return this;
    }

    /** Fetches joined with their server span: client, server and network time per fetch. */
    public DataStream<FetchTiming> fetchTimings() {
        return tracesOrFail().fetchTimings();
    }

    /** Per endpoint and window: server vs client time percentiles, joined and unmatched counts. */
    public DataStream<EndpointTiming> endpointTimings() {
        return tracesOrFail().endpointTimings();
    }

    private TraceJoinStage.Outputs tracesOrFail() {
        if (traces == null) {
            throw new IllegalStateException("no server-span source: call withServerSpans first");
        }
        return traces;
    }

    /** Rejected records and events, with the reason; see docs/rum-events.md. */
    public DataStream<DeadLetter> deadLetters() {
        return traces == null ? deadLetters : deadLetters.union(traces.deadLetters());
    }

    public DataStream<DeadLetter> lateEvents() {
        return traces == null ? ingest.lateEvents() : ingest.lateEvents().union(traces.lateSpans());
    }

    /** Session records: early updates while open, then the closed record (same document id). */
    public DataStream<SessionRecord> sessions() {
        if (sessions == null) {
            throw new IllegalStateException(
                    "built with buildForDetection: no session stage; use build for sessions");
        }
        return sessions;
    }

    /**
     * One-minute aggregates per series (app total and app × dimension value), with the detectors'
     * expected value, band and score per configured metric.
     */
    public DataStream<ScoredAggregate> metrics() {
        return detection.scored();
    }

    /**
     * Error groups by app and fingerprint: a new version per window in which the group changed;
     * later versions overwrite by {@link ErrorGroup#id}.
     */
    public DataStream<ErrorGroup> errorGroups() {
        return errorGroups;
    }

    /**
     * The metric rows as the metrics stage emits them, before scoring: with {@link
     * #routeActivity()} everything detection reads (evaluate's --cache records them).
     */
    public DataStream<MetricAggregate> unscoredMetrics() {
        return unscored;
    }

    /**
     * Each error group's sessions hit for the first time, per window: the error-surge detector's
     * input (evaluate's --cache records it).
     */
    public DataStream<ErrorWindowCount> errorWindowCounts() {
        return errorWindowCounts;
    }

    /** Page views and rage-click bursts per route and window, the frustration detector's input. */
    public DataStream<RouteActivity> routeActivity() {
        return detection.frustration();
    }

    /** Alert versions (open, updated, resolved); later versions overwrite by alert id. */
    public DataStream<Alert> alerts() {
        return attributedAlerts != null ? attributedAlerts : detection.alerts();
    }

    /** Opened and resolved transitions, for the webhook. */
    public DataStream<Notification> notifications() {
        return detection.notifications();
    }

    /** Detector spec updates that were rejected, with the reason (the previous spec stays). */
    public DataStream<SpecRejection> rejectedSpecs() {
        return detection.rejectedSpecs();
    }

    /** Experiments and releases compared ({@code rum-comparisons}). */
    public DataStream<Comparison> comparisons() {
        if (comparisons == null) {
            throw new IllegalStateException(
                    "no comparisons in this graph (comparisons.enabled false, or detection only)");
        }
        return comparisons;
    }

    /** Where each output goes; a null sink leaves that output unconnected. */
    public static final class Sinks {
        public final List<Sink<DeadLetter>> deadLetters = new ArrayList<>();
        public final List<Sink<DeadLetter>> lateEvents = new ArrayList<>();
        public Sink<RumEvent> events;
        public Sink<ScoredAggregate> metrics;
        public Sink<SessionRecord> sessions;
        public Sink<Alert> alerts;
        public Sink<Notification> notifications;
        public Sink<SpecRejection> rejectedSpecs;
        public Sink<ErrorGroup> errorGroups;
        public Sink<Comparison> comparisons;

        /** Ignored when the graph has no comparisons ({@code comparisons.enabled: false}). */
        public Sinks comparisons(Sink<Comparison> s) {
            this.comparisons = s;
            return this;
        }

        public Sink<FetchTiming> fetchTimings;
        public Sink<EndpointTiming> endpointTimings;

        /** Only with {@link #withServerSpans}. */
        public Sinks fetchTimings(Sink<FetchTiming> s) {
            this.fetchTimings = s;
            return this;
        }

        /** Only with {@link #withServerSpans}. */
        public Sinks endpointTimings(Sink<EndpointTiming> s) {
            this.endpointTimings = s;
            return this;
        }

        public Sinks errorGroups(Sink<ErrorGroup> s) {
            this.errorGroups = s;
            return this;
        }

        public Sinks alerts(Sink<Alert> s) {
            this.alerts = s;
            return this;
        }

        /** Runs at parallelism 1: the rate limit and the delivery dedupe are per instance. */
        public Sinks notifications(Sink<Notification> s) {
            this.notifications = s;
            return this;
        }

        public Sinks rejectedSpecs(Sink<SpecRejection> s) {
            this.rejectedSpecs = s;
            return this;
        }

        public Sinks sessions(Sink<SessionRecord> s) {
            this.sessions = s;
            return this;
        }

        public Sinks metrics(Sink<ScoredAggregate> s) {
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
        if (sinks.alerts != null) {
            alerts().sinkTo(sinks.alerts).uid("sink-alerts").name("sink: alerts");
        }
        if (sinks.notifications != null) {
            notifications()
                    .sinkTo(sinks.notifications)
                    .setParallelism(1)
                    .uid("sink-notifications")
                    .name("sink: webhook notifications");
        }
        if (sinks.rejectedSpecs != null) {
            rejectedSpecs()
                    .sinkTo(sinks.rejectedSpecs)
                    .uid("sink-rejected-specs")
                    .name("sink: rejected detector specs");
        }
        if (sinks.errorGroups != null) {
            errorGroups()
                    .sinkTo(sinks.errorGroups)
                    .uid("sink-error-groups")
                    .name("sink: error groups");
        }
        if (sinks.comparisons != null && comparisons != null) {
            comparisons.sinkTo(sinks.comparisons).uid("sink-comparisons").name("sink: comparisons");
        }
        if (sinks.events != null) {
            events().sinkTo(sinks.events).uid("sink-events").name("sink: enriched events");
        }
        if (sinks.fetchTimings != null) {
            fetchTimings()
                    .sinkTo(sinks.fetchTimings)
                    .uid("sink-fetch-timings")
                    .name("sink: fetch timings");
        }
        if (sinks.endpointTimings != null) {
            endpointTimings()
                    .sinkTo(sinks.endpointTimings)
                    .uid("sink-endpoint-timings")
                    .name("sink: endpoint timings");
        }
        return this;
    }
}
