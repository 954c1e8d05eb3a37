package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DetectionConfigTest {
    @Test
    void theDefaultsAreValid() {
        DetectionConfig c = new DetectionConfig();
        c.validate("beaconflow.yaml");
        assertThat(c.windows(Duration.ofMinutes(5))).isEqualTo(5);
    }

    @Test
    void moreAnomaliesThanWindowsIsRejectedNamingTheKeyAndTheFix() {
        DetectionConfig c = new DetectionConfig();
        c.sustained.anomalies = 4;
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beaconflow.yaml")
                .hasMessageContaining("detection.sustained.windows")
                .hasMessageContaining("Fix:");
    }

    @Test
    void aBadKibanaUrlIsRejected() {
        DetectionConfig c = new DetectionConfig();
        c.alerting.kibanaUrl = "localhost:5601";
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .hasMessageContaining("detection.alerting.kibana-url")
                .hasMessageContaining("http://localhost:5601");
    }

    @Test
    void aFrustrationScoreBelowTheAnomalyLevelIsRejected() {
        DetectionConfig c = new DetectionConfig();
        c.frustration.minScore = 0.3;
        assertThatThrownBy(() -> c.validate("x.yaml"))
                .hasMessageContaining("detection.frustration.min-score");
    }
}
