package io.beaconflow.jobs.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Ground truth of one scheduled incident: what was injected, where and when. Tests and the demo
 * compare detector output against this.
 *
 * @param id the incident id from the incidents file
 * @param kind {@code latency_regression}, {@code error_spike}, {@code traffic_drop}, {@code
 *     api_failure}, {@code vital_regression}, {@code latency_drift}, {@code partial_outage}, {@code
 *     new_error}, {@code variant_regression} or {@code backend_slow}
 * @param app the app it hits
 * @param dimension {@code route}, {@code browser}, {@code country} or {@code release}
 * @param value the dimension value (a route is the path template from the generator config, e.g.
 *     {@code /product/{id}})
 * @param release the release rolled out at {@code startMillis}, or null
 * @param magnitude the configured magnitude (latency factor, added error probability, traffic
 *     factor, failure share, vital factor, final drift factor, share of sessions)
 * @param metrics the fields whose values the incident changes, e.g. {@code web_vital.LCP}; an
 *     api_failure names its endpoint as {@code fetch.endpoint=METHOD /path}
 * @param startMillis window start, epoch millis (inclusive), on the true (collector) clock
 * @param endMillis window end, epoch millis (exclusive)
 */
public record IncidentTruth(
        String id,
        String kind,
        String app,
        String dimension,
        String value,
        String release,
        double magnitude,
        List<String> metrics,
        long startMillis,
        long endMillis)
        implements Serializable {

    /** Metrics a latency regression multiplies. */
    public static final List<String> LATENCY_METRICS =
            List.of(
                    "page_view.ttfb_ms",
                    "page_view.dom_content_loaded_ms",
                    "page_view.load_ms",
                    "web_vital.TTFB",
                    "web_vital.FCP",
                    "web_vital.LCP",
                    "fetch.duration_ms");

    /** Metrics an error spike raises. */
    public static final List<String> ERROR_METRICS = List.of("error.count", "error.rate");

    /** Metrics a traffic drop lowers. */
    public static final List<String> TRAFFIC_METRICS =
            List.of("sessions.count", "page_view.count", "events.count");

    /** Metrics an api_failure raises (plus {@code fetch.endpoint=...} naming the endpoint). */
    public static final List<String> FETCH_ERROR_METRICS =
            List.of("fetch.status", "fetch.error_rate");

    /** What a backend_slow moves besides the fetch duration: its server spans' duration. */
    public static final String SERVER_METRIC = "server_span.duration_ms";

    /** Prefix of the metrics entry that names an api_failure's or backend_slow's endpoint. */
    public static final String ENDPOINT_PREFIX = "fetch.endpoint=";

    /**
     * Prefix of a web vital's metric: a vital_regression's only metric is {@code web_vital.INP}.
     */
    public static final String VITAL_PREFIX = "web_vital.";

    public boolean contains(long epochMillis) {
        return epochMillis >= startMillis && epochMillis < endMillis;
    }

    /** Writes the list as a pretty JSON array with snake_case keys. */
    public static void writeJson(List<IncidentTruth> incidents, Path file) {
        try {
            Files.writeString(file, toJson(incidents));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toJson(List<IncidentTruth> incidents) {
        try {
            return new ObjectMapper()
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(incidents);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
