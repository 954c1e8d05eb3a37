package io.beaconflow.jobs.io.webhook;

import static io.beaconflow.jobs.io.webhook.Notifications.T0;
import static io.beaconflow.jobs.io.webhook.Notifications.opened;
import static io.beaconflow.jobs.io.webhook.Notifications.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookPayloadsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode parse(WebhookConfig.Format format, Notification n) throws Exception {
        return MAPPER.readTree(WebhookPayloads.body(format, n));
    }

    @Test
    void theGenericJsonCarriesTheKeyTheEventAndEveryFieldInOrder() throws Exception {
        JsonNode j = parse(WebhookConfig.Format.JSON, opened("a1", T0));

        assertThat(j.get("idempotency_key").asText()).isEqualTo("a1:opened:0");
        assertThat(j.get("event").asText()).isEqualTo("opened");
        assertThat(j.get("severity").asText()).isEqualTo("critical");
        assertThat(j.get("event_time").asText()).isEqualTo("2026-05-03T10:15:00Z");
        assertThat(j.get("event_time_ms").asLong()).isEqualTo(T0);
        assertThat(j.get("link").asText()).startsWith("https://kibana.example.com/");
        List<String> names = new ArrayList<>();
        j.get("fields").fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "app", "series", "metric", "expected", "observed", "root cause hint");
        assertThat(j.get("fields").get("observed").asText()).isEqualTo("7.9 %");
    }

    @Test
    void theGenericJsonLeavesOutAMissingLinkInsteadOfSendingNull() throws Exception {
        JsonNode j = parse(WebhookConfig.Format.JSON, resolved("a1", 3, T0));

        assertThat(j.has("link")).isFalse();
        assertThat(j.get("idempotency_key").asText()).isEqualTo("a1:resolved:3");
    }

    @Test
    void aSlackMessageHasFallbackTextAHeaderASectionWithFieldsAndAContextLine() throws Exception {
        JsonNode s = parse(WebhookConfig.Format.SLACK, opened("a1", T0));

        assertThat(s.get("text").asText())
                .isEqualTo(
                        ":rotating_light: Opened [CRITICAL]: shop /checkout: error rate 7.9 %"
                                + " (expected 1.2 %)");
        JsonNode blocks = s.get("blocks");
        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
        assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("plain_text");
        JsonNode section = blocks.get(1);
        assertThat(section.get("type").asText()).isEqualTo("section");
        assertThat(section.get("text").get("type").asText()).isEqualTo("mrkdwn");
        assertThat(section.get("fields")).hasSize(6);
        assertThat(section.get("fields").get(0).get("type").asText()).isEqualTo("mrkdwn");
        assertThat(section.get("fields").get(0).get("text").asText()).isEqualTo("*app*\nshop");
        JsonNode context = blocks.get(2);
        assertThat(context.get("type").asText()).isEqualTo("context");
        assertThat(context.get("elements").get(0).get("text").asText())
                .startsWith("<https://kibana.example.com/")
                .contains("|Open dashboard>")
                .contains("`a1:opened:0`");
    }

    @Test
    void aResolvedSlackMessageSaysResolvedWithACheckMark() throws Exception {
        JsonNode s = parse(WebhookConfig.Format.SLACK, resolved("a1", 3, T0));

        assertThat(s.get("text").asText()).startsWith(":white_check_mark: Resolved [CRITICAL]: ");
        assertThat(s.get("blocks").get(2).get("elements").get(0).get("text").asText())
                .doesNotContain("Open dashboard");
    }

    @Test
    void slackControlCharactersInAlertTextAreEscapedSoTheyCannotForgeLinksOrMentions()
            throws Exception {
        Notification n = opened("a1", T0);
        n.text = "p95 > 3 s & rising <!channel>";

        JsonNode s = parse(WebhookConfig.Format.SLACK, n);

        assertThat(s.get("blocks").get(1).get("text").get("text").asText())
                .isEqualTo("p95 &gt; 3 s &amp; rising &lt;!channel&gt;");
    }

    @Test
    void slackBlockKitLimitsAreRespectedForHugeTextsAndManyFields() throws Exception {
        Notification n = opened("a1", T0);
        n.title = "t".repeat(400);
        n.text = "x".repeat(5000);
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < 14; i++) fields.put("f" + i, "v".repeat(2500));
        n.fields = fields;

        JsonNode s = parse(WebhookConfig.Format.SLACK, n);

        JsonNode blocks = s.get("blocks");
        assertThat(blocks.get(0).get("text").get("text").asText()).hasSize(150).endsWith("…");
        assertThat(blocks.get(1).get("text").get("text").asText()).hasSize(3000);
        assertThat(blocks.get(1).get("fields")).hasSize(10);
        for (JsonNode f : blocks.get(1).get("fields")) {
            assertThat(f.get("text").asText()).hasSizeLessThanOrEqualTo(2000);
        }
    }

    @Test
    void truncationNeverSplitsAnEmojiInHalf() {
        String s = "a".repeat(148) + "\uD83D\uDEA8" + "tail"; // 🚨 sits at chars 148-149

        String t = WebhookPayloads.truncate(s, 150);

        assertThat(t).isEqualTo("a".repeat(148) + "…");
    }
}
