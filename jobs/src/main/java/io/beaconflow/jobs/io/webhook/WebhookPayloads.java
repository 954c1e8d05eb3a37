package io.beaconflow.jobs.io.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Request bodies for a {@link Notification}.
 *
 * <p>{@link #json}: one flat object, stable field names in snake_case, for any receiver
 * (PagerDuty-style routers, chat bridges, scripts):
 *
 * <pre>{@code
 * {"idempotency_key": "a1:opened:0", "event": "opened", "title": "…", "text": "…",
 *  "severity": "critical", "event_time": "2026-05-03T10:15:00Z", "event_time_ms": 1777803300000,
 *  "link": "https://…", "fields": {"app": "shop", "metric": "error_rate", …}}
 * }</pre>
 *
 * <p>{@link #slack}: Slack incoming-webhook format: {@code text} (the notification fallback shown
 * in push notifications) plus {@code blocks}: a header, a section with the summary and up to ten
 * fields, and a context line with the link and the idempotency key. Slack's Block Kit limits are
 * applied by truncation (header 150 characters, section text 3000, at most 10 fields of 2000) so a
 * long root-cause hint cannot make Slack reject the whole message with a 400, and {@code &}, {@code
 * <}, {@code >} are escaped as Slack's mrkdwn requires.
 */
public final class WebhookPayloads {
    static final int SLACK_HEADER_MAX = 150;
    static final int SLACK_SECTION_TEXT_MAX = 3000;
    static final int SLACK_FIELDS_MAX = 10;
    static final int SLACK_FIELD_TEXT_MAX = 2000;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebhookPayloads() {}

    public static byte[] body(WebhookConfig.Format format, Notification n) {
        ObjectNode node = format == WebhookConfig.Format.SLACK ? slack(n) : json(n);
        try {
            return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    public static ObjectNode json(Notification n) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("idempotency_key", n.idempotencyKey);
        o.put("event", n.event);
        o.put("title", n.title);
        o.put("text", n.text);
        if (n.severity != null) o.put("severity", n.severity);
        o.put("event_time", Instant.ofEpochMilli(n.eventTime).toString());
        o.put("event_time_ms", n.eventTime);
        if (n.link != null) o.put("link", n.link);
        ObjectNode f = o.putObject("fields");
        if (n.fields != null) {
            for (Map.Entry<String, String> e : n.fields.entrySet()) {
                f.put(e.getKey(), e.getValue());
            }
        }
        return o;
    }

    public static ObjectNode slack(Notification n) {
        String icon =
                Notification.RESOLVED.equals(n.event) ? ":white_check_mark:" : ":rotating_light:";
        String state = Notification.RESOLVED.equals(n.event) ? "Resolved" : "Opened";
        String severity =
                n.severity == null ? "" : " [" + n.severity.toUpperCase(Locale.ROOT) + "]";
        String headline = state + severity + ": " + nullToEmpty(n.title);

        ObjectNode o = MAPPER.createObjectNode();
        // The fallback text: what push notifications and old clients show.
        o.put("text", icon + " " + escape(headline));
        ArrayNode blocks = o.putArray("blocks");

        ObjectNode header = blocks.addObject();
        header.put("type", "header");
        ObjectNode headerText = header.putObject("text");
        headerText.put("type", "plain_text");
        headerText.put("text", truncate(headline, SLACK_HEADER_MAX));
        headerText.put("emoji", true);

        ObjectNode section = blocks.addObject();
        section.put("type", "section");
        String summary = n.text == null || n.text.isBlank() ? headline : n.text;
        ObjectNode sectionText = section.putObject("text");
        sectionText.put("type", "mrkdwn");
        sectionText.put("text", truncate(escape(summary), SLACK_SECTION_TEXT_MAX));
        if (n.fields != null && !n.fields.isEmpty()) {
            ArrayNode fields = section.putArray("fields");
            for (Map.Entry<String, String> e : n.fields.entrySet()) {
                if (fields.size() == SLACK_FIELDS_MAX) break;
                ObjectNode field = fields.addObject();
                field.put("type", "mrkdwn");
                field.put(
                        "text",
                        truncate(
                                "*"
                                        + escape(e.getKey())
                                        + "*\n"
                                        + escape(nullToEmpty(e.getValue())),
                                SLACK_FIELD_TEXT_MAX));
            }
        }

        ObjectNode context = blocks.addObject();
        context.put("type", "context");
        ArrayNode elements = context.putArray("elements");
        StringBuilder line = new StringBuilder();
        if (n.link != null && !n.link.isBlank()) {
            // Inside <url|label> only the label is escaped; the URL must stay as given.
            line.append('<').append(n.link.replace(">", "%3E").replace("|", "%7C"));
            line.append("|Open dashboard> · ");
        }
        line.append(Instant.ofEpochMilli(n.eventTime)).append(" · key `");
        line.append(escape(nullToEmpty(n.idempotencyKey))).append('`');
        ObjectNode el = elements.addObject();
        el.put("type", "mrkdwn");
        el.put("text", truncate(line.toString(), SLACK_FIELD_TEXT_MAX));
        return o;
    }

    /** Slack mrkdwn control characters; everything else is shown as written. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String truncate(String s, int max) {
        if (s.length() <= max) return s;
        int end = max - 1;
        // Never cut a surrogate pair in half: Slack rejects the lone half as invalid text.
        if (Character.isHighSurrogate(s.charAt(end - 1))) end--;
        return s.substring(0, end) + "…";
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
