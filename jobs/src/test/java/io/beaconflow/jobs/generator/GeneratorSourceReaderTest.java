package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.RawBeacon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;

class GeneratorSourceReaderTest {
    private static final long SEED = 7L;

    /** Collects what a reader emits, per split, the way the source operator would receive it. */
    private static final class CollectingOutput implements ReaderOutput<RawBeacon> {
        final List<RawBeacon> records = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final List<String> released = new ArrayList<>();

        @Override
        public void collect(RawBeacon record) {
            collect(record, Long.MIN_VALUE);
        }

        @Override
        public void collect(RawBeacon record, long timestamp) {
            records.add(record);
            timestamps.add(timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<RawBeacon> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            released.add(splitId);
        }
    }

    private static GeneratorConfig shortRun() {
        return GeneratedTraffic.shipped().withDuration("10m");
    }

    private static List<GeneratorSplit> allSplits(GeneratorConfig config) {
        List<GeneratorSplit> splits = new ArrayList<>();
        for (int i = 0; i < config.splits; i++) splits.add(new GeneratorSplit(i, config.splits, 0));
        return splits;
    }

    private static GeneratorSourceReader<RawBeacon> reader(GeneratorConfig config) {
        return new GeneratorSourceReader<>(
                config, SEED, RawBeaconDecoder.identity(), PacingClock.system());
    }

    private static InputStatus drain(GeneratorSourceReader<RawBeacon> r, CollectingOutput out) {
        InputStatus status;
        do {
            status = r.pollNext(out);
        } while (status == InputStatus.MORE_AVAILABLE);
        return status;
    }

    @Test
    void aReaderRestoredFromItsSerializedSnapshotEmitsTheIdenticalRemainder() throws Exception {
        GeneratorConfig config = shortRun();
        GeneratorSourceReader<RawBeacon> uninterrupted = reader(config);
        uninterrupted.addSplits(allSplits(config));
        uninterrupted.notifyNoMoreSplits();
        CollectingOutput all = new CollectingOutput();
        assertThat(drain(uninterrupted, all)).isEqualTo(InputStatus.END_OF_INPUT);
        assertThat(all.released).hasSize(config.splits);

        GeneratorSourceReader<RawBeacon> first = reader(config);
        first.addSplits(allSplits(config));
        first.notifyNoMoreSplits();
        CollectingOutput before = new CollectingOutput();
        int cut = all.records.size() / 2;
        for (int i = 0; i < cut; i++) first.pollNext(before);
        List<GeneratorSplit> restored = new ArrayList<>();
        for (GeneratorSplit s : first.snapshotState(1L)) {
            GeneratorSplit.Serializer ser = GeneratorSplit.Serializer.INSTANCE;
            restored.add(ser.deserialize(ser.getVersion(), ser.serialize(s)));
        }
        first.close();
        assertThat(restored.stream().mapToLong(GeneratorSplit::position).sum()).isEqualTo(cut);

        GeneratorSourceReader<RawBeacon> second = reader(config);
        second.addSplits(restored);
        second.notifyNoMoreSplits();
        CollectingOutput after = new CollectingOutput();
        assertThat(drain(second, after)).isEqualTo(InputStatus.END_OF_INPUT);

        List<RawBeacon> joined = new ArrayList<>(before.records);
        joined.addAll(after.records);
        assertThat(joined).isEqualTo(all.records);
        for (int i = 0; i < all.records.size(); i++) {
            assertThat(all.timestamps.get(i)).isEqualTo(all.records.get(i).receivedAt);
        }
    }

    @Test
    void aReaderWithoutSplitsWaitsUntilItIsToldThereAreNoMore() {
        GeneratorSourceReader<RawBeacon> r = reader(shortRun());
        CollectingOutput out = new CollectingOutput();
        assertThat(r.pollNext(out)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        CompletableFuture<Void> available = r.isAvailable();
        assertThat(available).isNotDone();
        r.notifyNoMoreSplits();
        assertThat(available).isDone();
        assertThat(r.pollNext(out)).isEqualTo(InputStatus.END_OF_INPUT);
    }

    @Test
    void aPacedReaderReleasesRecordsOnlyWhenTheWallClockCatchesUp() throws Exception {
        // 1000 simulated seconds per wall second: 1 simulated second = 1 wall millisecond
        GeneratorConfig config = shortRun().withSpeed("1000");
        AtomicLong wallNanos = new AtomicLong(1_000_000_000L);
        GeneratorSourceReader<RawBeacon> r =
                new GeneratorSourceReader<>(
                        config, SEED, RawBeaconDecoder.identity(), wallNanos::get);
        r.addSplits(allSplits(config));
        r.notifyNoMoreSplits();
        CollectingOutput out = new CollectingOutput();

        // The frozen clock lets out only the records due at the first record's time.
        InputStatus status = drain(r, out);
        assertThat(status).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        int released = out.records.size();
        assertThat(released).isPositive();
        long firstTime = out.records.get(0).receivedAt;
        assertThat(out.records.get(released - 1).receivedAt).isEqualTo(firstTime);
        // However often it is polled, nothing more comes out while the wall clock stands still
        // (the availability future is completed by the scheduler, so a caller never spins).
        for (int i = 0; i < 3; i++) {
            r.isAvailable().get(10, TimeUnit.SECONDS);
            assertThat(r.pollNext(out)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        }
        assertThat(out.records).hasSize(released);

        // Advance the wall clock by 60 simulated seconds' worth (60 ms).
        wallNanos.addAndGet(60_000_000L);
        r.isAvailable().get(10, TimeUnit.SECONDS);
        drain(r, out);
        assertThat(out.records.size()).isGreaterThan(released);
        assertThat(out.records.get(out.records.size() - 1).receivedAt)
                .isLessThanOrEqualTo(firstTime + 60_000);
        r.close();
    }

    @Test
    void splitAndEnumeratorStateSurviveTheirSerializers() throws Exception {
        GeneratorSplit split = new GeneratorSplit(2, 4, 12_345L);
        GeneratorSplit.Serializer splits = GeneratorSplit.Serializer.INSTANCE;
        assertThat(splits.deserialize(1, splits.serialize(split))).isEqualTo(split);
        GeneratorEnumState state =
                new GeneratorEnumState(List.of(split, new GeneratorSplit(3, 4, 0)));
        GeneratorEnumState.Serializer states = GeneratorEnumState.Serializer.INSTANCE;
        assertThat(states.deserialize(1, states.serialize(state))).isEqualTo(state);
    }
}
