package io.beaconflow.jobs.io.webhook;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;

/**
 * Sends {@link Notification}s to a webhook <b>after the checkpoint that contains them
 * completes</b>, so a restart from a checkpoint does not re-send what an earlier run delivered and
 * does not lose what it had not.
 *
 * <p>How (Flink Sink V2 two-phase commit):
 *
 * <ol>
 *   <li>The writer buffers notifications; at each checkpoint ({@code prepareCommit}, before the
 *       barrier) it hands them over as one {@link NotificationBatch} committable. Flink keeps
 *       committables in the committer's checkpointed state.
 *   <li>When the checkpoint completes, the committer POSTs each notification ({@link
 *       WebhookSender}: rate limit, retries, backoff). A failure before that point restores the
 *       committable from the checkpoint and delivers it once after the restart: no loss.
 *   <li>A failure after a delivery but before the next checkpoint completes restores the same
 *       committable again: Flink cannot know the POST happened. Without a {@link DeliveryLog} the
 *       notification is re-sent with the <b>same</b> {@code Idempotency-Key}, for the receiver to
 *       dedupe; with {@code delivery-log} set the committer finds the marker and skips it.
 * </ol>
 *
 * <p>Duplicates from upstream (the alerting stage re-emitting a transition after its own restore)
 * are dropped by the writer, which keeps the last {@code dedup-keys} idempotency keys it released
 * in its checkpointed state ({@link ReleasedKeys}).
 *
 * <p>Nothing is dropped: a notification the receiver refuses for good, or does not take within
 * {@code max-retries}, fails the job ({@link WebhookDeliveryException}, naming the host, the
 * notification and the fix) and is delivered after the restart from the committable Flink kept.
 *
 * <p>Deliveries run on the committer's task thread: retries, backoff and rate-limit waits delay
 * that task's next records and checkpoint barriers by as long as they last (bounded by {@code
 * max-retries} × {@code max-backoff} per failing notification). Notifications are rare, so this is
 * simpler and easier to reason about than an async pipeline; run the sink at parallelism 1 so the
 * rate limit is global and the dedupe sees every key.
 */
public class WebhookNotifierSink
        implements Sink<Notification>,
                SupportsCommitter<NotificationBatch>,
                SupportsWriterState<Notification, ReleasedKeys.State> {
    private static final long serialVersionUID = 1L;

    private final WebhookConfig config;
    private final Ticker ticker;

    public WebhookNotifierSink(WebhookConfig config) {
        this(config, Ticker.SYSTEM);
    }

    /** With an explicit clock (tests). */
    public WebhookNotifierSink(WebhookConfig config, Ticker ticker) {
        config.validate("notifications.webhook (given to WebhookNotifierSink)");
        this.config = config;
        this.ticker = ticker;
    }

    @Override
    public SinkWriter<Notification> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<Notification, ReleasedKeys.State> restoreWriter(
            WriterInitContext context, Collection<ReleasedKeys.State> recovered) {
        ReleasedKeys keys = new ReleasedKeys(config.dedupKeys);
        for (ReleasedKeys.State s : recovered) {
            keys.addAll(s.keys);
        }
        return new NotifierWriter(
                keys,
                context.isObjectReuseEnabled(),
                context.metricGroup().counter("notificationsDeduplicated"));
    }

    @Override
    public SimpleVersionedSerializer<ReleasedKeys.State> getWriterStateSerializer() {
        return new ReleasedKeys.Serializer();
    }

    @Override
    public Committer<NotificationBatch> createCommitter(CommitterInitContext context)
            throws IOException {
        DeliveryLog log =
                config.deliveryLog == null
                        ? DeliveryLog.none()
                        : DeliveryLog.onFileSystem(config.deliveryLog, config.deliveryLogRetention);
        return new NotifierCommitter(
                new WebhookSender(
                        config, ticker, log, WebhookSender.Metrics.on(context.metricGroup())),
                log);
    }

    @Override
    public SimpleVersionedSerializer<NotificationBatch> getCommittableSerializer() {
        return new NotificationBatch.Serializer();
    }

    /** Buffers between checkpoints and drops keys it has already released. */
    static final class NotifierWriter
            implements CommittingSinkWriter<Notification, NotificationBatch>,
                    StatefulSinkWriter<Notification, ReleasedKeys.State> {
        private final ReleasedKeys released;
        private final boolean copyInput;
        private final Counter deduplicated;
        private final List<Notification> buffer = new ArrayList<>();

        NotifierWriter(ReleasedKeys released, boolean copyInput, Counter deduplicated) {
            this.released = released;
            this.copyInput = copyInput;
            this.deduplicated = deduplicated;
        }

        @Override
        public void write(Notification n, Context context) {
            if (n.idempotencyKey == null || n.idempotencyKey.isEmpty()) {
                throw new IllegalArgumentException(
                        "notification without idempotency key: "
                                + n
                                + "; set it deterministically, e.g. Notification.keyOf(alertId,"
                                + " transition, updateSeq)");
            }
            // Remembered on arrival: the buffer always becomes a committable before the state
            // snapshot (prepareCommit runs first), so state and committables agree.
            if (!released.add(n.idempotencyKey)) {
                deduplicated.inc();
                return;
            }
            buffer.add(copyInput ? n.copy() : n);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public Collection<NotificationBatch> prepareCommit() {
            if (buffer.isEmpty()) return List.of();
            NotificationBatch batch = new NotificationBatch(buffer);
            buffer.clear();
            return List.of(batch);
        }

        @Override
        public List<ReleasedKeys.State> snapshotState(long checkpointId) {
            return List.of(new ReleasedKeys.State(released.toList()));
        }

        @Override
        public void close() {}
    }

    /**
     * Delivers each batch in order. A notification that cannot be delivered throws out of {@link
     * #commit}, failing the job; its batch stays in the committer's checkpointed state, so the
     * restart delivers it (notifications delivered before it in the batch go again with the same
     * key, or are skipped with a delivery log).
     */
    static final class NotifierCommitter implements Committer<NotificationBatch> {
        private final WebhookSender sender;
        private final DeliveryLog log;

        NotifierCommitter(WebhookSender sender, DeliveryLog log) {
            this.sender = sender;
            this.log = log;
        }

        @Override
        public void commit(Collection<CommitRequest<NotificationBatch>> requests)
                throws IOException, InterruptedException {
            for (CommitRequest<NotificationBatch> request : requests) {
                int already = 0;
                List<Notification> batch = request.getCommittable().notifications;
                for (Notification n : batch) {
                    if (sender.deliver(n) == WebhookSender.Outcome.ALREADY_DELIVERED) {
                        already++;
                    }
                }
                if (already == batch.size()) {
                    request.signalAlreadyCommitted();
                }
            }
        }

        @Override
        public void close() throws Exception {
            log.close();
        }
    }
}
