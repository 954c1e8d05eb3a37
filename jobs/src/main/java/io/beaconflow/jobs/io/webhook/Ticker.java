package io.beaconflow.jobs.io.webhook;

import java.io.Serializable;

/**
 * The notifier's processing-time clock: backoff and the rate limit are about the receiver's wall
 * clock, not event time. A parameter so tests advance time instead of sleeping.
 */
public interface Ticker extends Serializable {
    /** Monotonic nanoseconds. */
    long nanoTime();

    /** Waits {@code nanos} (tests: just advances {@link #nanoTime}). */
    void sleepNanos(long nanos) throws InterruptedException;

    /** The real clock. */
    Ticker SYSTEM = SystemTicker.INSTANCE;

    /** An enum so the singleton stays one after Java serialization. */
    enum SystemTicker implements Ticker {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
        }
    }
}
