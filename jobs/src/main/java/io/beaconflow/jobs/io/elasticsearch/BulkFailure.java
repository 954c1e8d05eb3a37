package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A failed bulk request or item: HTTP status (0 = no answer), error type, reason; and how the
 * writer reads a failure out of the client's exceptions.
 */
final class BulkFailure {
    final int status;
    final String type;
    final String reason;

    BulkFailure(int status, String type, String reason) {
        this.status = status;
        this.type = type;
        this.reason = reason;
    }

    /** A failed item of a bulk response (one with an error). */
    static BulkFailure ofItem(BulkResponseItem item) {
        ErrorCause error = item.error();
        return new BulkFailure(item.status(), error.type(), describe(error));
    }

    static BulkFailure of(Exception e) {
        if (e instanceof ElasticsearchException) {
            ElasticsearchException ee = (ElasticsearchException) e;
            ErrorCause error = ee.error();
            return new BulkFailure(
                    ee.status(),
                    error == null ? "http_" + ee.status() : error.type(),
                    error == null ? ee.getMessage() : describe(error));
        }
        if (e instanceof TransportException && ((TransportException) e).statusCode() > 0) {
            int status = ((TransportException) e).statusCode();
            return new BulkFailure(status, "http_" + status, e.getMessage());
        }
        if (e instanceof ResponseException) {
            int status = ((ResponseException) e).getResponse().getStatusCode();
            return new BulkFailure(status, "http_" + status, e.getMessage());
        }
        return new BulkFailure(0, "connection_failure", rootMessage(e));
    }

    @Override
    public String toString() {
        return status > 0
                ? "HTTP " + status + " " + type + ": " + reason
                : "no answer (" + reason + ")";
    }

    static boolean isCertificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException
                    || t instanceof CertPathValidatorException
                    || t instanceof SSLPeerUnverifiedException
                    || t.getClass().getName().endsWith("SunCertPathBuilderException")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** {@code reason; caused by: type: reason} for an item error. */
    static String describe(ErrorCause error) {
        if (error == null) return "no error detail";
        StringBuilder sb = new StringBuilder(String.valueOf(error.reason()));
        ErrorCause cause = error.causedBy();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.causedBy()) {
            sb.append("; caused by ").append(cause.type()).append(": ").append(cause.reason());
        }
        return sb.toString();
    }
}
