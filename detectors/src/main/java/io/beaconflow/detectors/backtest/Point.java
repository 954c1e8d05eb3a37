package io.beaconflow.detectors.backtest;

/**
 * One recorded observation.
 *
 * @param line 1-based line in the source file (for messages)
 * @param timestampMillis event time
 * @param value observed value (NaN when the cell was empty)
 * @param denominator window volume, or NaN when the file has no third column
 */
public record Point(int line, long timestampMillis, double value, double denominator) {}
