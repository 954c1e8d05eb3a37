package io.beaconflow.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The config kit (config/, its own tests there) as the job uses it: the shipped file's
 * elasticsearch section and a whole file's problem named with its line.
 */
class ConfigKitTest {
    /** A whole file with one problem: elasticsearch.bulk.max-actions, on line 10. */
    private static final String YAML =
            """
            # a comment
            ingest:
              limits:
                min-sample-rate: 0.5
              privacy:
                user-id-salt: s
            elasticsearch:
              hosts: [http://a:9200, http://b:9200]
              bulk:
                max-actions: 0
            """;

    @Test
    void theShippedFileLoadsItsElasticsearchSectionAsTheDocumentedDefaults() throws Exception {
        Path shipped = Path.of("..", "flink-conf", "beaconflow.yaml");
        BeaconflowConfig c =
                BeaconflowConfig.parse(
                        Files.readString(shipped),
                        shipped.toString(),
                        Map.of("BEACONFLOW_USER_ID_SALT", "kit-test-salt")::get);
        assertThat(c.elasticsearch).isEqualTo(ElasticsearchSinkConfig.DEFAULTS);
        assertThat(c.elasticsearch.bulk().maxBytes()).isEqualTo(5_242_880L);
    }

    @Test
    void aWholeFileNamesTheLineOfAnElasticsearchProblem() {
        assertThatThrownBy(() -> BeaconflowConfig.parse(YAML, "job.yaml", name -> null))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "job.yaml line 10: elasticsearch.bulk.max-actions: is 0, below 1. Fix: use"
                                + " 1 or more");
    }
}
