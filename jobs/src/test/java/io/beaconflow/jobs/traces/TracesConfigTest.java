package io.beaconflow.jobs.traces;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static io.beaconflow.jobs.testing.ConfigFiles.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.testing.ConfigFiles;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TracesConfigTest {
    @Test
    void theShippedFileDocumentsEveryTracesKeyWithItsDefault() {
        BeaconflowConfig c = ConfigFiles.shipped();
        TracesConfig d = new TracesConfig();
        // Off in code (a deployment without instrumented backends has no spans), on in the
        // shipped file: the shipped generator's apps have backends, so the demo shows traces.
        assertThat(d.enabled).isFalse();
        assertThat(c.traces.enabled).isTrue();
        assertThat(c.traces.join.serverBeforeFetch).isEqualTo(d.join.serverBeforeFetch);
        assertThat(c.traces.join.serverAfterFetch).isEqualTo(d.join.serverAfterFetch);
        assertThat(c.traces.join.maxPendingPerTrace).isEqualTo(d.join.maxPendingPerTrace);
        assertThat(c.traces.attribution.baselineWindows).isEqualTo(d.attribution.baselineWindows);
        assertThat(c.traces.attribution.minJoined).isEqualTo(d.attribution.minJoined);
        assertThat(c.kafka.serverSpansTopic).isEqualTo("rum-server-spans");
    }

    @Test
    void joinBoundsAreReadAndABadOneNamesTheKeyAndTheFix() {
        BeaconflowConfig c =
                parse(
                        "traces:\n  enabled: true\n  join:\n    server-before-fetch: 5s\n"
                                + "    server-after-fetch: 1m\n");
        assertThat(c.traces.enabled).isTrue();
        assertThat(c.traces.join.serverBeforeFetch).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.traces.join.serverAfterFetch).isEqualTo(Duration.ofMinutes(1));
        assertRejected(
                "traces:\n  join:\n    server-after-fetch: 2h\n",
                "traces.join.server-after-fetch",
                "Fix: set e.g. 2m");
        assertRejected(
                "traces:\n  join:\n    max-pending-per-trace: 1\n",
                "traces.join.max-pending-per-trace");
        assertRejected(
                "traces:\n  attribution:\n    min-joined: 0\n", "traces.attribution.min-joined");
        assertRejected("kafka:\n  server-spans-topic: \"\"\n", "kafka.server-spans-topic");
    }
}
