package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;

/**
 * What the {@link AlertManager} harness tests share: the operator as the job wires it (findings on
 * the first input, scored rows' {@link HintRow}s on the second, both keyed by app; one-minute
 * windows), feeding a finding at its own time, the alerts out, and closing the harness after each
 * test.
 */
abstract class AlertManagerHarness {
    static final long T0 = Instant.parse("2026-11-02T09:00:00Z").toEpochMilli();
    static final long M = 60_000;

    /** The harness of the running test, closed after it. */
    KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> h;

    /** An open harness on a fresh {@link AlertManager}, on the heap or on RocksDB. */
    static KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> open(
            AlertingConfig config, boolean rocksDb) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new AlertManagerOperator(new AlertManager(config, Duration.ofMinutes(1))),
                        f -> f.app,
                        row -> row.app,
                        Types.STRING);
        if (rocksDb) r.setStateBackend(new EmbeddedRocksDBStateBackend());
        r.open();
        return r;
    }

    /**
     * A finding of {@code kind} on {@code series} ({@code app|dimension|value}) and {@code metric},
     * keyed by both, over the windows from {@code firstWindowStart} to {@code lastWindowEnd} and
     * emitted at the last one's end; tests add what their kind carries.
     */
    static Finding finding(
            String kind, String series, String metric, long firstWindowStart, long lastWindowEnd) {
        String[] p = series.split("\\|");
        Finding f = new Finding();
        f.kind = kind;
        f.app = p[0];
        f.series = series;
        f.dimension = p[1];
        f.dimensionValue = p[2];
        f.metric = metric;
        f.key = series + "|" + metric;
        f.firstWindowStart = firstWindowStart;
        f.lastWindowEnd = lastWindowEnd;
        f.at = lastWindowEnd - 1;
        return f;
    }

    @AfterEach
    void closeHarness() throws Exception {
        if (h != null) h.close();
    }

    /** A finding, at its own event time. */
    void feed(Finding f) throws Exception {
        h.processElement1(f, f.at);
    }

    List<Alert> alerts() {
        return h.extractOutputValues();
    }
}
