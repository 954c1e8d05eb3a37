package io.beaconflow.jobs.generator;

import java.util.List;
import java.util.function.Consumer;

/**
 * Groups a view's events into beacons the way an RUM SDK flushes its buffer (a batch window and a
 * size cap), and sends them with the transport's imperfections: a send delay, network latency, SDKs
 * that send one event per request, retries of the same beacon, a late final beacon, and now and
 * then a broken record ({@link Malformer}). Each beacon goes into the queue at its collector
 * arrival time.
 */
final class Batcher {
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;

    private final Rng rnd;
    private final GeneratorConfig.RealismSpec realism;
    private final long batchWindow;
    private final long maxBatchDelay;
    private final long maxLateDelay;
    private final Malformer malformer;
    private final Consumer<SimItem> enqueue;

    Batcher(
            GeneratorConfig.RealismSpec realism,
            Rng rnd,
            Malformer malformer,
            Consumer<SimItem> enqueue) {
        this.rnd = rnd;
        this.realism = realism;
        this.batchWindow = GeneratorConfig.parseDuration(realism.batchWindow);
        this.maxBatchDelay = GeneratorConfig.parseDuration(realism.maxBatchDelay);
        this.maxLateDelay = GeneratorConfig.parseDuration(realism.maxLateDelay);
        this.malformer = malformer;
        this.enqueue = enqueue;
    }

    /** Sends a view's events (in time order); the session's last view may go late. */
    void batch(SimSession s, List<SimEvent> events, boolean lastView) {
        int n = events.size();
        int i = 0;
        while (i < n) {
            long first = events.get(i).time();
            int j = i + 1;
            while (j < n
                    && j - i < realism.maxBatchEvents
                    && events.get(j).time() <= first + batchWindow) {
                j++;
            }
            SimEvent[] batch = events.subList(i, j).toArray(new SimEvent[0]);
            long lastAt = batch[batch.length - 1].time();
            long sent = lastAt + 50 + (long) (rnd.nextDouble() * maxBatchDelay);
            boolean late = false;
            if (lastView && j == n && s.late) {
                // Tab frozen or restored: the final beacon leaves long after its events.
                late = true;
                sent =
                        lastAt
                                + 10 * MINUTE
                                + (long) (rnd.nextDouble() * (maxLateDelay - 10 * MINUTE));
            }
            send(s, batch, sent, late);
            i = j;
        }
    }

    private void send(SimSession s, SimEvent[] events, long sent, boolean late) {
        long received = sent + networkLatency();
        if (rnd.nextDouble() < realism.singleEventRate) {
            for (int k = 0; k < events.length; k++) {
                SimItem.Beacon b =
                        beacon(s, new SimEvent[] {events[k]}, sent + k, received + k, late);
                b.single = true;
                maybeRetry(b);
            }
        } else {
            maybeRetry(beacon(s, events, sent, received, late));
        }
        if (rnd.nextDouble() < realism.malformedRate) {
            enqueue.accept(malformer.draw(s, events[0], sent, received));
        }
    }

    private SimItem.Beacon beacon(
            SimSession s, SimEvent[] events, long sent, long received, boolean late) {
        SimItem.Beacon b = new SimItem.Beacon();
        b.s = s;
        b.events = events;
        b.sent = sent;
        b.time = received;
        b.late = late;
        enqueue.accept(b);
        return b;
    }

    /** An SDK that did not see the response resends the same beacon: same event ids. */
    private void maybeRetry(SimItem.Beacon b) {
        if (rnd.nextDouble() < realism.duplicateRate) {
            long delay = SECOND + (long) (rnd.nextDouble() * 29 * SECOND);
            SimItem.Beacon copy = beacon(b.s, b.events, b.sent + delay, b.time + delay, b.late);
            copy.single = b.single;
            copy.duplicate = true;
        }
    }

    private long networkLatency() {
        return 5 + (long) Math.min(5000, rnd.lognormal(60, 0.7));
    }
}
