package io.beaconflow.jobs.io.elasticsearch;

/**
 * Elasticsearch refused the credentials (HTTP 401) or their privileges (HTTP 403). Never retried by
 * the writer: the message names the auth mode (user or API-key variable, never the secret) and the
 * fix. Flink's restart strategy still applies, so a fix made on the cluster side (create the user,
 * grant the role) is picked up by the next restart without a redeploy.
 */
public class ElasticsearchAuthException extends ElasticsearchSinkException {
    private static final long serialVersionUID = 1L;

    public ElasticsearchAuthException(String message) {
        super(message);
    }
}
