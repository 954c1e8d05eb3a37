/**
 * Flink keyed-state plumbing every stateful operator shares ({@link
 * io.beaconflow.jobs.state.KeyedStates}). In: a runtime context, a savepoint name, the classes
 * held. Out: the state. It knows no stage and no stage's types.
 */
package io.beaconflow.jobs.state;
