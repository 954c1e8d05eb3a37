package io.beaconflow.jobs;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.io.kafka.BeaconKafkaSource;
import io.beaconflow.jobs.io.kafka.DeadLetterKafkaSink;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production job: Kafka in, Kafka (dead letters, late events) and Elasticsearch out. Submit the
 * shaded jar with {@code flink run beaconflow-job.jar --config /path/beaconflow.yaml} (or {@code
 * ./beaconflow submit}); checkpointing, state backend and restarts come from the cluster's {@code
 * config.yaml}. This class only wires: the graph is {@link BeaconflowPipeline}.
 */
public final class BeaconflowJob {
    private BeaconflowJob() {}

    public static void main(String[] args) throws Exception {
        Path configFile = Path.of(option(args, "--config", "flink-conf/beaconflow.yaml"));
        String jobName = option(args, "--name", "beaconflow");
        BeaconflowConfig config = BeaconflowConfig.load(configFile);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BeaconflowPipeline.build(
                        env,
                        BeaconKafkaSource.create(config.kafka, new BeaconDecoder(config.ingest)),
                        "kafka",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .deadLetters(
                                        DeadLetterKafkaSink.create(
                                                config.kafka, config.kafka.deadLetterTopic))
                                .lateEvents(
                                        DeadLetterKafkaSink.create(
                                                config.kafka, config.kafka.lateTopic)));
        env.execute(jobName);
    }

    static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
