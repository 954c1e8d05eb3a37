package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.beaconflow.config.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
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
    private final ProcessingTimeService timers;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final RetryPolicy retry;
    private final SinkDeadLetters deadLetters;
    private final BulkBuffer buffer = new BulkBuffer();
    private final List<ElasticsearchDocument> pendingDeadLetters = new ArrayList<>();
    private final String where;
    private final AccessFailures access;
    private final IndexCreator indexCreator;

    private final Counter documentsSent;
    private final Counter bulkRequests;
    private final Counter retries;
    private final Counter permanentFailures;
    private final Counter deadLettered;
    private final Counter deadLetterFailures;
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
        this.timers = timers;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.retry = RetryPolicy.of(config);
        this.deadLetters =
                new SinkDeadLetters(
                        config.deadLetterIndex(), config.deadLetter().maxDocumentChars());
        this.where = "Elasticsearch " + String.join(",", config.hosts());
        this.access = new AccessFailures(config, credentials, where);

        this.documentsSent = metrics.counter("documentsSent");
        this.bulkRequests = metrics.counter("bulkRequests");
        this.retries = metrics.counter("retries");
        this.permanentFailures = metrics.counter("permanentFailures");
        this.deadLettered = metrics.counter("deadLettered");
        this.deadLetterFailures = metrics.counter("deadLetterFailures");
        this.indexCreator =
                new IndexCreator(
                        client,
                        config.indexPrefix(),
                        where,
                        access,
                        metrics.counter("indicesCreated"));
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
            BulkFailure failure = null;
            BulkResponse response = null;
            try {
                response = bulk(pending);
                kind = FailureKind.SUCCESS;
            } catch (ElasticsearchException | IOException e) {
                failure = BulkFailure.of(e);
                if (failure.status <= 0 && BulkFailure.isCertificateProblem(e)) {
                    throw access.tls(e);
                }
                kind = FailureKind.ofResponse(failure.status, failure.type);
            }
            if (kind == FailureKind.AUTH) {
                throw access.auth(failure.status, failure.type, failure.reason);
            }
            if (kind == FailureKind.MISSING_INDEX) {
                // The whole request (no per-item answer): make sure every target index exists.
                Set<String> indices = new LinkedHashSet<>();
                for (ElasticsearchDocument d : pending) indices.add(d.index());
                for (String index : indices) indexCreator.ensure(index, failure, createdHere);
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
                BulkFailure missing = null;
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
                            throw access.auth(
                                    item.status(), error.type(), BulkFailure.describe(error));
                        case RETRY:
                            again.add(doc);
                            retryableItems = true;
                            failure = BulkFailure.ofItem(item);
                            break;
                        case MISSING_INDEX:
                            again.add(doc);
                            missingIndices.add(doc.index());
                            missing = BulkFailure.ofItem(item);
                            break;
                        default:
                            permanent(doc, BulkFailure.ofItem(item), deadLetterBatch);
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
                for (String index : missingIndices)
                    indexCreator.ensure(index, missing, createdHere);
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

    private void permanent(ElasticsearchDocument doc, BulkFailure failure, boolean deadLetterBatch)
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

    private static boolean containsNewline(byte[] source) {
        for (byte b : source) {
            if (b == '\n' || b == '\r') return true;
        }
        return false;
    }
}
