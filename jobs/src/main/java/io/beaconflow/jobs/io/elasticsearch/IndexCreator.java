package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink writer's answer to index_not_found: creates an index the job's templates own (template
 * first), and fails with the fix for any other missing index. A missing index is never the
 * documents' fault, so they are sent again, never dead-lettered.
 */
final class IndexCreator {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    private final ElasticsearchClient client;
    private final String indexPrefix;
    private final String where;
    private final AccessFailures access;
    private final Counter indicesCreated;

    IndexCreator(
            ElasticsearchClient client,
            String indexPrefix,
            String where,
            AccessFailures access,
            Counter indicesCreated) {
        this.client = client;
        this.indexPrefix = indexPrefix;
        this.where = where;
        this.access = access;
        this.indicesCreated = indicesCreated;
    }

    /**
     * Makes {@code index} exist after Elasticsearch answered index_not_found for it. Only an index
     * one of the job's templates owns is created (after installing that template, in case it was
     * missing, so the index gets the right mappings); creating an index explicitly works even where
     * auto-creation is off. Anything else is a configuration error: fail with the fix.
     */
    void ensure(String index, BulkFailure failure, Set<String> createdHere) throws IOException {
        if (!createdHere.add(index)) {
            throw new ElasticsearchSinkException(
                    where
                            + ": index "
                            + index
                            + " is still missing right after the sink created it ("
                            + failure
                            + "). Something deletes it as soon as it exists (an ILM delete phase"
                            + " younger than the data, a cleanup job). Fix: stop that for "
                            + index
                            + "; the job restarts from its last checkpoint and loses nothing.");
        }
        IndexTemplates.Template owner = IndexTemplates.owning(indexPrefix, index);
        if (owner == null) {
            throw new ElasticsearchSinkException(
                    where
                            + ": index "
                            + index
                            + " does not exist and Elasticsearch will not create it on write ("
                            + failure
                            + "; action.auto_create_index, or an index template with"
                            + " allow_auto_create: false). It matches none of the job's index"
                            + " templates, so the sink will not create it with mappings nobody"
                            + " chose. Fix: create "
                            + index
                            + " (or allow its auto-creation), or write to the job's own indices"
                            + " (elasticsearch.index-prefix + rum-*). The job restarts from its"
                            + " last checkpoint and loses nothing.");
        }
        try {
            IndexTemplates.install(client, List.of(owner));
        } catch (IOException e) {
            // Installing needs manage_index_templates, which a locked-down user may lack while
            // the template is already there: try to create the index anyway.
            LOG.warn(
                    "{}: could not check or install index template {} before creating {}: {}",
                    where,
                    owner.name(),
                    index,
                    BulkFailure.rootMessage(e));
        }
        try {
            IndexTemplates.lowLevel(client).performRequest(new Request("PUT", "/" + index));
            indicesCreated.inc();
            LOG.info(
                    "{}: created index {} (template {}), which Elasticsearch does not"
                            + " auto-create ({})",
                    where,
                    index,
                    owner.name(),
                    failure);
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusCode();
            String body = bodyOf(e);
            if (status == 400 && body.contains("resource_already_exists_exception")) {
                return; // another subtask (or sink) created it first
            }
            if (status == 401 || status == 403) {
                throw access.auth(status, "security_exception", "creating index " + index);
            }
            throw new ElasticsearchSinkException(
                    where
                            + ": index "
                            + index
                            + " does not exist ("
                            + failure
                            + ") and creating it failed with HTTP "
                            + status
                            + ": "
                            + body
                            + ". Fix: create it by hand (PUT /"
                            + index
                            + ") so the template "
                            + owner.name()
                            + " applies. The job restarts from its last checkpoint and loses"
                            + " nothing.",
                    e);
        }
    }

    private static String bodyOf(ResponseException e) {
        try {
            var entity = e.getResponse().getEntity();
            String body = entity == null ? "" : EntityUtils.toString(entity);
            return body.length() <= 500 ? body : body.substring(0, 500) + "...";
        } catch (IOException | ParseException | RuntimeException ex) {
            return e.getMessage();
        }
    }
}
