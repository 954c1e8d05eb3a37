package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.RumEvent;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The sessions part of the graph: enriched events → session records (updates and finals). */
public final class SessionStage {
    private SessionStage() {}

    public static SingleOutputStreamOperator<SessionRecord> apply(
            DataStream<RumEvent> events, SessionConfig config) {
        return events.keyBy(SessionAssembler.key())
                .process(new SessionAssembler(config))
                .uid("sessions")
                .name("sessions: assemble");
    }
}
