package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.state.StateBackends;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * Runs {@link AlertManager} as {@code connect(...).process(function)} would, and tells it whether
 * its kept rows iterate in window order (on RocksDB), so that expiring the oldest window's rows
 * reads only those. Same uid ("alerts"), states and timers as the plain operator: savepoints
 * restore either way.
 */
public class AlertManagerOperator extends KeyedCoProcessOperator<String, Finding, HintRow, Alert> {
    private static final long serialVersionUID = 1L;

    public AlertManagerOperator(AlertManager function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open();
        ((AlertManager) userFunction)
                .rowsInWindowOrder(StateBackends.isRocksDb(getKeyedStateBackend()));
    }
}
