package io.beaconflow.jobs.io.elasticsearch;

import java.io.IOException;

/**
 * The failures a person must fix (credentials, privileges, TLS trust): never retried, each worded
 * with the auth mode in use and the setting that fixes it.
 */
final class AccessFailures {
    private final ElasticsearchSinkConfig config;
    private final ElasticsearchSinkConfig.Credentials credentials;
    private final String where;

    AccessFailures(
            ElasticsearchSinkConfig config,
            ElasticsearchSinkConfig.Credentials credentials,
            String where) {
        this.config = config;
        this.credentials = credentials;
        this.where = where;
    }

    ElasticsearchAuthException auth(int status, String type, String reason) {
        String fix;
        if (status == 403) {
            fix =
                    "give it a role with the index privileges create_index, write and"
                            + " view_index_metadata on the rum-* indices and on "
                            + config.deadLetterIndex()
                            + " (and manage_index_templates on the cluster to install"
                            + " templates)";
        } else if (credentials.isNone()) {
            fix =
                    "the cluster has security on: set elasticsearch.username and"
                            + " elasticsearch.password-env (the NAME of an environment variable"
                            + " holding the password), or elasticsearch.api-key-env";
        } else if (config.apiKeyEnv() != null) {
            fix =
                    "check that "
                            + config.apiKeyEnv()
                            + " holds a valid, unexpired API key (the base64 'encoded' value)";
        } else {
            fix =
                    "check that user '"
                            + config.username()
                            + "' exists in the cluster and that "
                            + config.passwordEnv()
                            + " holds its current password";
        }
        return new ElasticsearchAuthException(
                where
                        + " refused "
                        + credentials.describe()
                        + " with HTTP "
                        + status
                        + " ("
                        + type
                        + ": "
                        + reason
                        + "). Not retried: this needs a person. Fix: "
                        + fix);
    }

    IOException tls(Exception e) {
        return new ElasticsearchSinkException(
                where
                        + ": the TLS handshake failed ("
                        + BulkFailure.rootMessage(e)
                        + "). Fix: set elasticsearch.ca-cert to the PEM file of the CA that signed"
                        + " the cluster's HTTP certificate"
                        + (config.verifyHostname()
                                ? ", and use a host name the certificate names (or set"
                                        + " elasticsearch.verify-hostname: false on a test"
                                        + " cluster)"
                                : ""),
                e);
    }
}
