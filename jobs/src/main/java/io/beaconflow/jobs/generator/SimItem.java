package io.beaconflow.jobs.generator;

/**
 * What the generator's queue holds, ordered by simulated collector time, ties by creation order
 * (the sequence number), so popping the queue is deterministic.
 */
abstract class SimItem implements Comparable<SimItem> {
    long time;
    long seq;

    @Override
    public int compareTo(SimItem o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    /** The next candidate session start of an app. */
    static final class Arrival extends SimItem {
        final SimApp app;

        Arrival(SimApp app) {
            this.app = app;
        }
    }

    /** The next page view of an open session. */
    static final class Step extends SimItem {
        final SimSession s;

        Step(SimSession s) {
            this.s = s;
        }
    }

    /** A beacon on its way; {@link #time} is when the collector receives it. */
    static final class Beacon extends SimItem {
        SimSession s;
        SimEvent[] events;
        long sent;
        boolean single;
        boolean duplicate;
        boolean late;

        /** Non-null: rendered broken this way (one event), see {@link Malformer}. */
        MalformedKind malformed;

        /** The malformation's own draw (where to cut, which field to break). */
        int param;
    }
}
