package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.beaconflow.jobs.config.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers documents and sends them as bulk requests, one at a time, from the task thread.
 *
 * <ul>
 *   <li>A request goes out when the buffer reaches {@code bulk.max-actions} or {@code
 *       bulk.max-bytes} (inside {@link #write}: the task blocks meanwhile, which is the
 *       backpressure), when the oldest buffered document has waited {@code bulk.flush-interval} (a
 *       processing-time timer), and on {@link #flush} (every checkpoint and end of input), which
 *       returns only when everything buffered is acknowledged: at-least-once.
 *   <li>Failures are classified by {@link FailureKind}: retryable ones are retried with {@link
 *       RetryPolicy}'s backoff (only the failed items of a partial failure); documents that can
 *       never be indexed go to the dead-letter index; authentication errors fail the task with a
 *       message that names the auth mode and the fix.
 *   <li>A missing index that Elasticsearch will not auto-create is created by the writer when one
 *       of the job's templates owns it (after installing that template), then the documents are
 *       sent again; any other missing index fails the task as a configuration error. A missing
 *       index is never the documents' fault, so they are not dead-lettered.
 *   <li>Nothing is dropped: a document that can be written neither to its index nor to the
 *       dead-letter index fails the task (checkpoint and job) with a message naming the index, the
 *       reason and the fix. The job restarts from the last checkpoint, whose replay overwrites the
 *       same ids, so the failure loses nothing.
 * </ul>
 *
 * <p>Sending synchronously keeps it simple and correct: the task thread is the only thread, a
 * document's versions are sent in order, and the checkpoint barrier waits for {@link #flush}.
 */
final class ElasticsearchSinkWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    /** Sleeps between retries; {@link Thread#sleep} in production. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final ElasticsearchSinkConfig config;
    private final DocumentEmitter<T> emitter;
    private final ElasticsearchClient client;
    private final ElasticsearchSinkConfig.Credentials credentials;
    private final ProcessingTimeService timers;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final RetryPolicy retry;
    private final SinkDeadLetters deadLetters;
    private final BulkBuffer buffer = new BulkBuffer();
    private final List<ElasticsearchDocument> pendingDeadLetters = new ArrayList<>();
    private final String where;

    private final Counter documentsSent;
    private final Counter bulkRequests;
    private final Counter retries;
    private final Counter permanentFailures;
    private final Counter deadLettered;
    private final Counter deadLetterFailures;
    private final Counter indicesCreated;
    private final Counter bytesSent;
    private volatile long lastBulkLatencyMs;

    private boolean timerPending;
    private boolean closed;

    ElasticsearchSinkWriter(
            ElasticsearchSinkConfig config,
            DocumentEmitter<T> emitter,
            ElasticsearchClient client,
            ElasticsearchSinkConfig.Credentials credentials,
            ProcessingTimeService timers,
            SinkWriterMetricGroup metrics,
            LongSupplier nanoClock,
            Sleeper sleeper) {
        this.config = config;
        this.emitter = emitter;
        this.client = client;
        this.credentials = credentials;
        this.timers = timers;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.retry = RetryPolicy.of(config);
        this.deadLetters =
                new SinkDeadLetters(
                        config.deadLetterIndex(), config.deadLetter().maxDocumentChars());
        this.where = "Elasticsearch " + String.join(",", config.hosts());

        this.documentsSent = metrics.counter("documentsSent");
        this.bulkRequests = metrics.counter("bulkRequests");
        this.retries = metrics.counter("retries");
        this.permanentFailures = metrics.counter("permanentFailures");
        this.deadLettered = metrics.counter("deadLettered");
        this.deadLetterFailures = metrics.counter("deadLetterFailures");
        this.indicesCreated = metrics.counter("indicesCreated");
        this.bytesSent = metrics.getNumBytesSendCounter();
        metrics.gauge("bulkLatencyMs", () -> lastBulkLatencyMs);
        metrics.gauge("bufferedDocuments", buffer::size);
        metrics.gauge("documentsReplacedInBuffer", buffer::replacedTotal);
        metrics.setCurrentSendTimeGauge(() -> lastBulkLatencyMs);
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        ElasticsearchDocument doc;
        try {
            doc = emitter.emit(element);
        } catch (Exception e) {
            // A bug in the emitter, not bad data from outside: fail loudly.
            throw new IOException("the document emitter failed on an element: " + e, e);
        }
        if (containsNewline(doc.source())) {
            // The bulk API is newline-delimited: such a document would break the whole request.
            permanentFailures.inc();
            pendingDeadLetters.add(
                    deadLetters.of(
                            doc,
                            400,
                            "invalid_document",
                            "the source contains a raw newline; bulk requests need single-line"
                                    + " JSON"));
        } else {
            buffer.add(doc);
        }
        if (buffer.isFull(config.bulk().maxActions(), config.bulk().maxBytes())
                || pendingDeadLetters.size() >= config.bulk().maxActions()) {
            sendBuffered();
        } else if (!timerPending) {
            timerPending = true;
            timers.registerTimer(
                    timers.getCurrentProcessingTime() + config.bulk().flushInterval().toMillis(),
                    this::onTimer);
        }
    }

    private void onTimer(long time) throws IOException, InterruptedException {
        timerPending = false;
        if (!closed) sendBuffered();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        sendBuffered();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        // Nothing is sent here: Flink calls flush(true) at end of input; on cancel or failure,
        // the buffered documents are replayed from the last checkpoint.
        ElasticsearchClients.close(client);
    }

    private void sendBuffered() throws IOException, InterruptedException {
        if (!buffer.isEmpty()) send(buffer.drain(), false);
        while (!pendingDeadLetters.isEmpty()) {
            List<ElasticsearchDocument> dl = new ArrayList<>(pendingDeadLetters);
            pendingDeadLetters.clear();
            send(dl, true);
        }
    }

    /**
     * Sends {@code docs} until every one is indexed or dead-lettered; throws (failing the task)
     * when the retry budget is spent or a dead letter is refused for good.
     */
    private void send(List<ElasticsearchDocument> docs, boolean deadLetterBatch)
            throws IOException, InterruptedException {
        List<ElasticsearchDocument> pending = docs;
        // Indices this call created: a second index_not_found for one of them is not retried.
        Set<String> createdHere = new HashSet<>();
        int answeredRetries = 0;
        int attempt = 0;
        long firstFailureNanos = 0;
        String lastError = null;
        while (!pending.isEmpty()) {
            FailureKind kind;
            Failure failure = null;
            BulkResponse response = null;
            try {
                response = bulk(pending);
                kind = FailureKind.SUCCESS;
            } catch (ElasticsearchException | IOException e) {
                failure = Failure.of(e);
                if (failure.status <= 0 && isCertificateProblem(e)) {
                    throw tlsFailure(e);
                }
                kind = FailureKind.ofResponse(failure.status, failure.type);
            }
            if (kind == FailureKind.AUTH) {
                throw authFailure(failure.status, failure.type, failure.reason);
            }
            if (kind == FailureKind.MISSING_INDEX) {
                // The whole request (no per-item answer): make sure every target index exists.
                Set<String> indices = new LinkedHashSet<>();
                for (ElasticsearchDocument d : pending) indices.add(d.index());
                for (String index : indices) ensureIndex(index, failure, createdHere);
                continue;
            }
            if (kind == FailureKind.SPLIT) {
                if (pending.size() == 1) {
                    permanent(pending.get(0), failure, deadLetterBatch);
                } else {
                    // A 413 or a request-level 4xx: halve until the culprit stands alone.
                    int half = pending.size() / 2;
                    send(new ArrayList<>(pending.subList(0, half)), deadLetterBatch);
                    send(new ArrayList<>(pending.subList(half, pending.size())), deadLetterBatch);
                }
                pending = List.of();
            } else if (kind == FailureKind.SUCCESS) {
                List<ElasticsearchDocument> again = new ArrayList<>();
                Set<String> missingIndices = new LinkedHashSet<>();
                Failure missing = null;
                boolean retryableItems = false;
                List<BulkResponseItem> items = response.items();
                for (int i = 0; i < items.size(); i++) {
                    BulkResponseItem item = items.get(i);
                    ElasticsearchDocument doc = pending.get(i);
                    ErrorCause error = item.error();
                    FailureKind itemKind =
                            FailureKind.ofItem(item.status(), error == null ? null : error.type());
                    switch (itemKind) {
                        case SUCCESS:
                            if (deadLetterBatch) {
                                deadLettered.inc();
                            } else {
                                documentsSent.inc();
                            }
                            break;
                        case AUTH:
                            throw authFailure(item.status(), error.type(), describe(error));
                        case RETRY:
                            again.add(doc);
                            retryableItems = true;
                            failure = new Failure(item.status(), error.type(), describe(error));
                            break;
                        case MISSING_INDEX:
                            again.add(doc);
                            missingIndices.add(doc.index());
                            missing = new Failure(item.status(), error.type(), describe(error));
                            break;
                        default:
                            permanent(
                                    doc,
                                    new Failure(item.status(), error.type(), describe(error)),
                                    deadLetterBatch);
                    }
                }
                if (attempt > 0 && again.isEmpty()) {
                    LOG.info(
                            "{} accepted the retried documents after {} retries over {}",
                            where,
                            attempt,
                            Durations.format(
                                    Duration.ofNanos(nanoClock.getAsLong() - firstFailureNanos)));
                }
                for (String index : missingIndices) ensureIndex(index, missing, createdHere);
                pending = again;
                // Only missing indices, now created: send again at once (no backoff, no budget).
                if (!retryableItems) continue;
                kind = FailureKind.RETRY;
            }
            if (pending.isEmpty()) return;

            // RETRY (whole request or some items) or CONNECTION
            long now = nanoClock.getAsLong();
            if (attempt == 0) firstFailureNanos = now;
            long elapsedMs = (now - firstFailureNanos) / 1_000_000;
            lastError = failure.toString();
            if (!retry.mayRetry(kind, answeredRetries, elapsedMs)) {
                throw new ElasticsearchSinkException(
                        "gave up sending "
                                + pending.size()
                                + " documents to "
                                + where
                                + " after "
                                + attempt
                                + " retries over "
                                + Durations.format(Duration.ofMillis(elapsedMs))
                                + " (retry.max-retries="
                                + retry.maxRetries()
                                + " for answered failures, retry.max-duration="
                                + Durations.format(Duration.ofMillis(retry.maxRetryDurationMs()))
                                + "); last error: "
                                + lastError
                                + ". Flink restarts from the last checkpoint; the replay"
                                + " overwrites the same document ids.");
            }
            attempt++;
            if (kind == FailureKind.RETRY) answeredRetries++;
            long delay = retry.delayMillis(attempt);
            if (attempt == 1 || attempt % 10 == 0) {
                LOG.warn(
                        "{}: {} ({} documents); retry {} in {} ms",
                        where,
                        lastError,
                        pending.size(),
                        attempt,
                        delay);
            } else {
                LOG.debug("{}: {}; retry {} in {} ms", where, lastError, attempt, delay);
            }
            retries.inc();
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to retry " + where);
            }
        }
    }

    private BulkResponse bulk(List<ElasticsearchDocument> docs) throws IOException {
        BulkRequest.Builder request = new BulkRequest.Builder();
        long bytes = 0;
        for (ElasticsearchDocument doc : docs) {
            BinaryData source = BinaryData.of(doc.source(), ContentType.APPLICATION_JSON);
            request.operations(
                    op -> op.index(ix -> ix.index(doc.index()).id(doc.id()).document(source)));
            bytes += BulkBuffer.sizeOf(doc);
        }
        long start = nanoClock.getAsLong();
        bulkRequests.inc();
        try {
            return client.bulk(request.build());
        } finally {
            lastBulkLatencyMs = (nanoClock.getAsLong() - start) / 1_000_000;
            bytesSent.inc(bytes);
        }
    }

    private void permanent(ElasticsearchDocument doc, Failure failure, boolean deadLetterBatch)
            throws ElasticsearchSinkException {
        if (deadLetterBatch) {
            // The record can be written nowhere: stop rather than drop it. The replay after the
            // restart brings it back, so a fix on the cluster side loses nothing.
            deadLetterFailures.inc();
            throw new ElasticsearchSinkException(
                    where
                            + " refused the dead letter "
                            + doc.id()
                            + " in index "
                            + doc.index()
                            + " for good ("
                            + failure
                            + "), after refusing the document itself. The record can be written"
                            + " nowhere, so the sink stops instead of dropping it. Fix: give "
                            + doc.index()
                            + " the mapping of the index template "
                            + config.index("rum-deadletter")
                            + " (docker/elasticsearch/templates/rum-deadletter.json; check GET "
                            + doc.index()
                            + "/_mapping, delete or reindex a wrongly mapped index), or set"
                            + " elasticsearch.dead-letter.index to an index that takes it. The"
                            + " job restarts from its last checkpoint and loses nothing.");
        }
        permanentFailures.inc();
        LOG.debug("{} refused {} for good: {}; dead-lettering it", where, doc, failure);
        pendingDeadLetters.add(deadLetters.of(doc, failure.status, failure.type, failure.reason));
    }

    /**
     * Makes {@code index} exist after Elasticsearch answered index_not_found for it. Only an index
     * one of the job's templates owns is created (after installing that template, in case it was
     * missing, so the index gets the right mappings); creating an index explicitly works even where
     * auto-creation is off. Anything else is a configuration error: fail with the fix.
     */
    private void ensureIndex(String index, Failure failure, Set<String> createdHere)
            throws IOException {
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
        IndexTemplates.Template owner = IndexTemplates.owning(config.indexPrefix(), index);
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
                    rootMessage(e));
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
                throw authFailure(status, "security_exception", "creating index " + index);
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

    private ElasticsearchAuthException authFailure(int status, String type, String reason) {
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

    private IOException tlsFailure(Exception e) {
        return new ElasticsearchSinkException(
                where
                        + ": the TLS handshake failed ("
                        + rootMessage(e)
                        + "). Fix: set elasticsearch.ca-cert to the PEM file of the CA that signed"
                        + " the cluster's HTTP certificate"
                        + (config.verifyHostname()
                                ? ", and use a host name the certificate names (or set"
                                        + " elasticsearch.verify-hostname: false on a test"
                                        + " cluster)"
                                : ""),
                e);
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

    private static String rootMessage(Throwable e) {
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

    private static boolean containsNewline(byte[] source) {
        for (byte b : source) {
            if (b == '\n' || b == '\r') return true;
        }
        return false;
    }

    /** A failed request or item: HTTP status (0 = no answer), error type, reason. */
    static final class Failure {
        final int status;
        final String type;
        final String reason;

        Failure(int status, String type, String reason) {
            this.status = status;
            this.type = type;
            this.reason = reason;
        }

        static Failure of(Exception e) {
            if (e instanceof ElasticsearchException) {
                ElasticsearchException ee = (ElasticsearchException) e;
                ErrorCause error = ee.error();
                return new Failure(
                        ee.status(),
                        error == null ? "http_" + ee.status() : error.type(),
                        error == null ? ee.getMessage() : describe(error));
            }
            if (e instanceof TransportException && ((TransportException) e).statusCode() > 0) {
                int status = ((TransportException) e).statusCode();
                return new Failure(status, "http_" + status, e.getMessage());
            }
            if (e instanceof ResponseException) {
                int status = ((ResponseException) e).getResponse().getStatusCode();
                return new Failure(status, "http_" + status, e.getMessage());
            }
            return new Failure(0, "connection_failure", rootMessage(e));
        }

        @Override
        public String toString() {
            return status > 0
                    ? "HTTP " + status + " " + type + ": " + reason
                    : "no answer (" + reason + ")";
        }
    }
}
