package io.beaconflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The operator uids of the production graph, pinned: a savepoint maps its state back to operators
 * by uid only, so a refactor that moves the building of an operator into another class must not
 * change one (SavepointResumeITCase proves the restore with the same jar; this catches a changed or
 * lost uid without a cluster). A deliberate change edits the golden file and says in
 * docs/DISCUSSION.md how an old savepoint is migrated.
 */
class OperatorUidsTest {
    private static final String SHIPPED = "../flink-conf/beaconflow.yaml";
    private static final Path GOLDEN =
            Path.of("src", "test", "resources", "operator-uids", "production.txt");

    /** Sorted, so that the order in which stages build their operators does not matter. */
    static List<String> uids(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .filter(uid -> uid != null)
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    void theProductionGraphKeepsEveryOperatorUidOfTheGoldenList() throws IOException {
        BeaconflowConfig config =
                BeaconflowJob.loadConfig(SHIPPED, Map.of("BEACONFLOW_USER_ID_SALT", "5e1d2f")::get);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BeaconflowJob.wire(env, config, config.elasticsearchSinkConfig(SHIPPED));

        List<String> found = uids(env.getStreamGraph());

        assertThat(found).as("uids of the production graph").hasSizeGreaterThan(20);
        assertThat(found).containsExactlyElementsOf(Files.readAllLines(GOLDEN));
    }
}
