/**
 * Plain-Java anomaly detectors: baselines predict the expected value and its spread, scorers decide
 * whether an observation is anomalous. No Flink types here, so the same code runs in the job, the
 * backtest CLI and the NAB harness.
 */
package io.beaconflow.detectors;
