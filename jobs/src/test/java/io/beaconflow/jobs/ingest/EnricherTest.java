package io.beaconflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.Beacons;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EnricherTest {
    static IngestConfig config(int maxRoutes) {
        IngestConfig c = new IngestConfig();
        c.routes.maxPerApp = maxRoutes;
        c.privacy.userIdSalt = "test-salt";
        return c;
    }

    static RumEvent error(String url) {
        RumEvent e = new RumEvent();
        e.app = "shop";
        e.eventId = url;
        e.type = EventType.ERROR;
        e.pageUrl = url;
        e.userAgent = Beacons.CHROME_DESKTOP;
        e.clientIp = "198.51.100.23";
        e.userId = "user-1";
        e.errorType = "TypeError";
        e.errorMessage = "x is undefined";
        return e;
    }

    static OneInputStreamOperatorTestHarness<RumEvent, RumEvent> harness(IngestConfig c)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new Enricher(c)));
    }

    @Test
    void anEventLeavesWithRouteUserAgentFingerprintAndNoPersonalData() throws Exception {
        try (var h = harness(config(10))) {
            h.open();
            h.processElement(error("https://shop.example/orders/991?email=a@b.c"), 1);
            RumEvent e = h.extractOutputValues().get(0);
            assertThat(e.route).isEqualTo("/orders/:id");
            assertThat(e.browser).isEqualTo("Chrome");
            assertThat(e.deviceType).isEqualTo("desktop");
            assertThat(e.bot).isFalse();
            assertThat(e.errorFingerprint).hasSize(16);
            assertThat(e.clientIp).isEqualTo("198.51.100.0");
            assertThat(e.pageUrl).isEqualTo("https://shop.example/orders/991?email=");
            assertThat(e.userId).hasSize(32).isNotEqualTo("user-1");
        }
    }

    @Test
    void errorTextsLeaveWithoutSecretsButKeepTheFingerprintOfTheRawText() throws Exception {
        RumEvent raw = error("https://shop.example/cb#access_token=abc");
        raw.errorMessage = "invalid login for jane.doe@example.com";
        raw.errorStack = "at submit (https://shop.example/app.js?token=t0k3n:1:2)";
        String rawFingerprint =
                io.beaconflow.jobs.enrich.ErrorFingerprint.of(
                        raw.errorType, raw.errorMessage, raw.errorStack);
        try (var h = harness(config(10))) {
            h.open();
            h.processElement(raw, 1);
            RumEvent e = h.extractOutputValues().get(0);
            assertThat(e.pageUrl).isEqualTo("https://shop.example/cb");
            assertThat(e.errorMessage).isEqualTo("invalid login for <email>");
            assertThat(e.errorStack).isEqualTo("at submit (https://shop.example/app.js?token=)");
            assertThat(e.errorFingerprint).isEqualTo(rawFingerprint);
        }
    }

    @Test
    void botsAreFlaggedAndKept() throws Exception {
        try (var h = harness(config(10))) {
            h.open();
            RumEvent e = error("/");
            e.userAgent = Beacons.GOOGLEBOT;
            h.processElement(e, 1);
            assertThat(h.extractOutputValues()).singleElement().matches(x -> x.bot);
        }
    }

    @Test
    void theRouteGuardIsCheckpointedAndRestored() throws Exception {
        try (var h = harness(config(2))) {
            h.open();
            h.processElement(error("/a"), 1);
            h.processElement(error("/b"), 2);
            h.processElement(error("/c"), 3);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.route)
                    .containsExactly("/a", "/b", "other");
            var subtaskState = h.snapshot(1, 3);
            try (var restored = harness(config(2))) {
                restored.initializeState(subtaskState);
                restored.open();
                restored.processElement(error("/b"), 4);
                restored.processElement(error("/d"), 5);
                assertThat(restored.extractOutputValues())
                        .extracting(e -> e.route)
                        .containsExactly("/b", "other");
            }
        }
    }
}
