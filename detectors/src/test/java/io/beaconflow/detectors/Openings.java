package io.beaconflow.detectors;

import java.util.function.LongToIntFunction;

/**
 * How soon a detector finds a shift over seeded draws: in how many draws an alert opened, and the
 * windows it took in all, a draw where none opened counting every window it was given.
 */
record Openings(int found, int delay) {
    /**
     * Over seeds 1 to {@code seeds}; {@code firstOpening} gives a seed's draw the window (from 0)
     * whose point opens the first alert, or -1 when none of its {@code windows} does.
     */
    static Openings over(int seeds, int windows, LongToIntFunction firstOpening) {
        int found = 0;
        int delay = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            int at = firstOpening.applyAsInt(seed);
            found += at >= 0 ? 1 : 0;
            delay += at >= 0 ? at : windows;
        }
        return new Openings(found, delay);
    }
}
