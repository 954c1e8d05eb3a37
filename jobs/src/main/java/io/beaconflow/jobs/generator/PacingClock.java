package io.beaconflow.jobs.generator;

/**
 * The only wall clock in the generator, used for one thing: pacing a source whose speed factor is
 * not {@code max}, so simulated time advances at {@code speed} simulated seconds per wall second.
 * Nothing it returns ever reaches a record. Tests pass a manual clock.
 */
@FunctionalInterface
public interface PacingClock {
    /** Monotonic wall time in nanoseconds (any origin). */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static PacingClock system() {
        return System::nanoTime;
    }
}
