package io.beaconflow.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * The check every stateful operator's harness test ends with: no keyed state entry and no
 * event-time timer is left once its keys are done, or state grows without bound on a long-running
 * job. Flink counts the entries on the keyed harnesses only, one method each, hence two overloads.
 */
public final class Harnesses {
    private Harnesses() {}

    public static void assertNothingLeft(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        assertNothingLeft(h.numKeyedStateEntries(), h);
    }

    public static void assertNothingLeft(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        assertNothingLeft(h.numKeyedStateEntries(), h);
    }

    private static void assertNothingLeft(int entries, AbstractStreamOperatorTestHarness<?> h) {
        assertThat(entries).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }
}
