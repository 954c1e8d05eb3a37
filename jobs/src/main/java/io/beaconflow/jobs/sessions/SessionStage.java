package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The sessions part of the graph: enriched events → session records (updates and finals). */
public final class SessionStage {
    private SessionStage() {}

    public static SingleOutputStreamOperator<SessionRecord> apply(
            DataStream<RumEvent> events, SessionConfig config) {
        return apply(events.keyBy(SessionAssembler.key()), config);
    }

    /**
     * On a stream already keyed by {@link SessionAssembler#key()}, e.g. the ingest output, which is
     * partitioned by session since deduplication: no second shuffle.
     */
    public static SingleOutputStreamOperator<SessionRecord> apply(
            KeyedStream<RumEvent, String> bySession, SessionConfig config) {
        return apply(bySession, config, null);
    }

    /**
     * As {@link #apply(KeyedStream, SessionConfig)}, and with {@code arms} (comparisons on) each
     * closed session's per-arm summaries on the side output {@link SessionAssembler#SUMMARIES}.
     */
    public static SingleOutputStreamOperator<SessionRecord> apply(
            KeyedStream<RumEvent, String> bySession, SessionConfig config, ArmRules arms) {
        return bySession
                .transform(
                        "sessions: assemble",
                        TypeInformation.of(SessionRecord.class),
                        new SessionAssemblerOperator(config, arms))
                .uid("sessions")
                .name("sessions: assemble");
    }

    /**
     * Events on the route they happened on ({@link ViewRouteAssigner}): a single-page app's
     * fetches, errors, clicks and vitals sent from a later route go back to the route of the last
     * view at or before them. On a stream already keyed by session (ingest's partitioning):
     * chained, no shuffle. The result is still partitioned by session ({@link
     * #bySession(DataStream)} keys it again without a shuffle).
     *
     * @param allowedLateness {@code ingest.allowed-lateness}
     */
    public static SingleOutputStreamOperator<RumEvent> eventsOnTheirViewRoute(
            KeyedStream<RumEvent, String> bySession,
            SessionConfig config,
            Duration allowedLateness) {
        return bySession
                .transform(
                        "sessions: events on the route of their view",
                        TypeInformation.of(RumEvent.class),
                        new ViewRouteAssigner(config.gap, allowedLateness, config.stateCache))
                .uid(ViewRouteAssigner.UID);
    }

    /**
     * The output of {@link #eventsOnTheirViewRoute} as a keyed stream by session: the assigner runs
     * on ingest's partitioning by session and forwards to the same subtask, so no second shuffle is
     * needed.
     */
    public static KeyedStream<RumEvent, String> bySession(DataStream<RumEvent> onViewRoutes) {
        return DataStreamUtils.reinterpretAsKeyedStream(
                onViewRoutes, SessionAssembler.key(), Types.STRING);
    }
}
