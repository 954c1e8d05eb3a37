/**
 * The {@code ./beaconflow} commands (picocli): demo, evaluate, bench, generate (in {@code
 * generator}), backtest and nab (in the {@code detectors} module). They choose sources and sinks
 * and run the graph of {@code pipeline}; they hold no stage logic.
 */
package io.beaconflow.jobs.cli;
