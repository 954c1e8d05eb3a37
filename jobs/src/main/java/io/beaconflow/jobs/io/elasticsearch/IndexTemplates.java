package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the composable index templates of docker/elasticsearch/templates (bundled in the job jar
 * under {@code elasticsearch/templates/}) when the job starts. Idempotent and versioned: a template
 * is written only when the cluster has none of that name or an older {@code version}; an equal
 * version is left alone, and a newer one (installed by a newer job) is never downgraded.
 *
 * <p>Sent as raw JSON through the low-level client so the file's bytes reach Elasticsearch as
 * written (no round trip through the typed request model).
 *
 * <p>With an index prefix ({@code elasticsearch.index-prefix}) the job writes {@code
 * <prefix>rum-sessions-*} and so on, which the bundled templates' {@code index_patterns} do not
 * match: {@link #installAll(ElasticsearchClient, String)} installs prefixed copies instead ({@link
 * Template#withPrefix}), under prefixed names, by the same versioned rule.
 */
public final class IndexTemplates {
    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplates.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The bundled templates, by name (the file name without {@code .json}). */
    public static final List<String> NAMES =
            List.of(
                    "rum-sessions",
                    "rum-metrics",
                    "rum-alerts",
                    "rum-deadletter",
                    "rum-error-groups",
                    "rum-late",
                    "rum-fetch-timings",
                    "rum-endpoint-timings");

    /** What {@link #install} did with one template. */
    public enum Outcome {
        CREATED,
        UPGRADED,
        UNCHANGED,
        /** The cluster's copy is newer than ours: kept, so an older job cannot downgrade it. */
        KEPT_NEWER
    }

    /** One template: name, its {@code version} field, and the body of the PUT request. */
    public static final class Template {
        private final String name;
        private final long version;
        private final String json;

        private Template(String name, long version, String json) {
            this.name = name;
            this.version = version;
            this.json = json;
        }

        /**
         * Parses a template body; it must have a numeric top-level {@code version} (the install
         * rule depends on it).
         */
        public static Template of(String name, String json) {
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "index template " + name + " is not valid JSON: " + e.getMessage(), e);
            }
            JsonNode v = node == null ? null : node.get("version");
            if (v == null || !v.canConvertToLong()) {
                throw new IllegalArgumentException(
                        "index template "
                                + name
                                + " has no numeric top-level \"version\". Fix: add \"version\": 1"
                                + " and raise it on every change, so installs upgrade it");
            }
            return new Template(name, v.asLong(), json);
        }

        public String name() {
            return name;
        }

        public long version() {
            return version;
        }

        public String json() {
            return json;
        }

        /** The {@code index_patterns} of this template ({@code *} is the only wildcard). */
        public List<String> indexPatterns() {
            List<String> out = new ArrayList<>();
            try {
                JSON.readTree(json).path("index_patterns").forEach(p -> out.add(p.asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e); // parsed once already in of()
            }
            return out;
        }

        /** Whether one of {@link #indexPatterns()} matches {@code index}. */
        public boolean matches(String index) {
            for (String pattern : indexPatterns()) {
                if (globMatches(pattern, index)) return true;
            }
            return false;
        }

        /**
         * This template for indices named {@code prefix + name}: named {@code prefix + name()},
         * every {@code index_patterns} entry prefixed, same version (so the install rule works per
         * prefixed name), {@code priority} one higher so an index of a prefixed run is never
         * matched by the unprefixed template set at equal priority (Elasticsearch refuses two
         * overlapping templates of one priority, and a prefix such as {@code rum-metrics-x-} would
         * overlap), {@code _meta.index_prefix} recording the prefix. An empty prefix returns this
         * template.
         */
        public Template withPrefix(String prefix) {
            if (prefix == null || prefix.isEmpty()) return this;
            ObjectNode body;
            try {
                body = (ObjectNode) JSON.readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // parsed once already in of()
            }
            JsonNode patterns = body.path("index_patterns");
            if (!patterns.isArray() || patterns.isEmpty()) {
                throw new IllegalArgumentException(
                        "index template " + name + " has no index_patterns array to prefix");
            }
            ArrayNode prefixed = body.putArray("index_patterns");
            for (JsonNode p : patterns) prefixed.add(prefix + p.asText());
            body.put("priority", body.path("priority").asLong(0) + 1);
            JsonNode meta = body.path("_meta");
            ObjectNode m = meta.isObject() ? (ObjectNode) meta : body.putObject("_meta");
            m.put("index_prefix", prefix);
            return new Template(prefix + name, version, body.toString());
        }
    }

    private IndexTemplates() {}

    /** The templates bundled in the jar. */
    public static List<Template> bundled() {
        List<Template> out = new ArrayList<>();
        for (String name : NAMES) {
            String resource = "elasticsearch/templates/" + name + ".json";
            try (InputStream in =
                    IndexTemplates.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(
                            resource
                                    + " is not on the classpath. Fix: build the jobs module with"
                                    + " Maven (jobs/pom.xml copies docker/elasticsearch/templates)");
                }
                out.add(Template.of(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The bundled templates for indices with {@code prefix} in front ({@code ""}: as bundled). */
    public static List<Template> bundled(String prefix) {
        List<Template> out = new ArrayList<>();
        for (Template t : bundled()) out.add(t.withPrefix(prefix));
        return out;
    }

    /**
     * The bundled template (for indices with {@code prefix} in front) whose patterns match {@code
     * index}, or null: null means the index is not one the job owns, and the sink must not create
     * it with mappings nobody chose.
     */
    public static Template owning(String prefix, String index) {
        for (Template t : bundled(prefix)) {
            if (t.matches(index)) return t;
        }
        return null;
    }

    /** Elasticsearch's simple wildcard match: {@code *} matches any run of characters. */
    static boolean globMatches(String pattern, String s) {
        int star = pattern.indexOf('*');
        if (star < 0) return pattern.equals(s);
        String head = pattern.substring(0, star);
        if (!s.startsWith(head)) return false;
        String rest = pattern.substring(star + 1);
        for (int i = head.length(); i <= s.length(); i++) {
            if (globMatches(rest, s.substring(i))) return true;
        }
        return false;
    }

    /** Installs every bundled template that is missing or older. */
    public static Map<String, Outcome> installAll(ElasticsearchClient client) throws IOException {
        return install(client, bundled());
    }

    /**
     * Installs the bundled templates for the job's index prefix (see {@link Template#withPrefix}):
     * each one missing or older under its prefixed name; idempotent like {@link
     * #installAll(ElasticsearchClient)}.
     */
    public static Map<String, Outcome> installAll(ElasticsearchClient client, String prefix)
            throws IOException {
        return install(client, bundled(prefix));
    }

    public static Map<String, Outcome> install(ElasticsearchClient client, List<Template> templates)
            throws IOException {
        Rest5Client rest = lowLevel(client);
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (Template t : templates) {
            Long existing = installedVersion(rest, t.name());
            Outcome outcome = decide(existing, t.version());
            if (outcome == Outcome.CREATED || outcome == Outcome.UPGRADED) {
                Request put = new Request("PUT", "/_index_template/" + t.name());
                put.setEntity(new StringEntity(t.json(), ContentType.APPLICATION_JSON));
                rest.performRequest(put);
            }
            if (outcome == Outcome.KEPT_NEWER) {
                LOG.warn(
                        "index template {}: the cluster has version {}, newer than this job's {};"
                                + " kept",
                        t.name(),
                        existing,
                        t.version());
            } else {
                LOG.info("index template {} version {}: {}", t.name(), t.version(), outcome);
            }
            outcomes.put(t.name(), outcome);
        }
        return outcomes;
    }

    /** The install rule, on its own so it can be tested without a cluster. */
    static Outcome decide(Long installedVersion, long bundledVersion) {
        if (installedVersion == null) return Outcome.CREATED;
        if (installedVersion < bundledVersion) return Outcome.UPGRADED;
        if (installedVersion == bundledVersion) return Outcome.UNCHANGED;
        return Outcome.KEPT_NEWER;
    }

    /**
     * The {@code version} of the installed template, null when there is none. A template without a
     * version counts as version 0 (older than any of ours).
     */
    static Long installedVersion(Rest5Client rest, String name) throws IOException {
        Request get = new Request("GET", "/_index_template/" + name);
        get.addParameter("filter_path", "index_templates.index_template.version");
        Response response;
        try {
            response = rest.performRequest(get);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusCode() == 404) return null;
            throw e;
        }
        JsonNode body;
        try {
            body = JSON.readTree(EntityUtils.toString(response.getEntity()));
        } catch (ParseException e) {
            throw new IOException("unreadable answer to GET /_index_template/" + name, e);
        }
        JsonNode list = body.path("index_templates");
        if (!list.isArray() || list.isEmpty()) return null;
        JsonNode v = list.get(0).path("index_template").path("version");
        return v.canConvertToLong() ? v.asLong() : 0L;
    }

    static Rest5Client lowLevel(ElasticsearchClient client) {
        if (client._transport() instanceof Rest5ClientTransport) {
            return ((Rest5ClientTransport) client._transport()).restClient();
        }
        throw new IllegalArgumentException(
                "IndexTemplates needs a client on the Rest5Client transport; build it with"
                        + " ElasticsearchClients.create(config)");
    }
}
