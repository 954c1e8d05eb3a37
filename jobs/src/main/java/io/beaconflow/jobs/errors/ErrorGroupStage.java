package io.beaconflow.jobs.errors;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Error groups from the enriched events: JS errors (bots left out) keyed by app and fingerprint
 * into {@link ErrorGroupTracker}. Main output: group versions for the {@code rum-error-groups}
 * index; side output {@link ErrorGroupTracker#FINDINGS}: spread and quiet findings for the
 * new-error alert.
 */
public final class ErrorGroupStage {
    private ErrorGroupStage() {}

    public static SingleOutputStreamOperator<ErrorGroup> apply(
            DataStream<RumEvent> events, ErrorGroupsConfig cfg, Duration window) {
        return events.filter(ErrorGroupTracker::relevant)
                .name("errors: JS errors")
                .keyBy(new ErrorGroupTracker.Key(), Types.STRING)
                .process(new ErrorGroupTracker(cfg, window), TypeInformation.of(ErrorGroup.class))
                .uid("error-groups")
                .name("errors: error groups");
    }
}
