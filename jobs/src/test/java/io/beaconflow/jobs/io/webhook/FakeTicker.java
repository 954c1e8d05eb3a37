package io.beaconflow.jobs.io.webhook;

import java.util.ArrayList;
import java.util.List;

/** A clock that advances only when asked to sleep, and remembers each sleep. */
final class FakeTicker implements Ticker {
    private static final long serialVersionUID = 1L;

    private long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleepNanos(long nanos) {
        sleeps.add(nanos);
        now += nanos;
    }

    synchronized void advanceMillis(long ms) {
        now += ms * 1_000_000L;
    }

    synchronized List<Long> sleepsMillis() {
        return sleeps.stream().map(n -> n / 1_000_000L).toList();
    }
}
