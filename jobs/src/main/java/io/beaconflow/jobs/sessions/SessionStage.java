package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.RumEvent;
import org.apache.flink.streaming.api.datastream.DataStream;
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
        return bySession
                .process(new SessionAssembler(config))
                .uid("sessions")
                .name("sessions: assemble");
    }
}
