package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.traces.ServerSpanDecoder;
import io.beaconflow.jobs.traces.ServerSpanRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Synthetic RUM traffic as a Flink Source (FLIP-27): {@code config.splits} independent {@link
 * TrafficGenerator} partitions, bounded ({@code duration}) or unbounded, paced by {@code speed}.
 * Each {@link RawBeacon} is decoded inside the reader with the given {@link RawBeaconDecoder}; the
 * produced type is the decoder's, given as {@link TypeInformation}.
 *
 * <p>Output is a function of (config, seed) only: the split layout is fixed by the config, so the
 * job's parallelism changes who reads a split, never what it contains. Checkpoints store each
 * split's position; restore regenerates the split from its seed and skips that many records (chosen
 * over snapshotting the simulation because the state is a few numbers and skipping does not render
 * JSON: {@code GeneratorThroughput} in the tests measures both).
 */
public final class GeneratorSource<T>
        implements Source<T, GeneratorSplit, GeneratorEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final GeneratorConfig config;
    private final long seed;
    private final RawBeaconDecoder<T> decoder;
    private final TypeInformation<T> producedType;
    private final Records records;

    /** What a generator source emits per split. */
    public enum Records {
        /** The browser beacons ({@link TrafficGenerator}). */
        BEACONS,
        /** The backends' SERVER spans of the same traffic ({@link ServerSpanTraffic}). */
        SERVER_SPANS;

        GeneratedRecords open(GeneratorConfig config, long seed, GeneratorSplit split) {
            return this == BEACONS
                    ? new TrafficGenerator(config, seed, split.index(), split.count())
                    : new ServerSpanTraffic(config, seed, split.index(), split.count());
        }
    }

    public GeneratorSource(
            GeneratorConfig config,
            long seed,
            RawBeaconDecoder<T> decoder,
            TypeInformation<T> producedType) {
        this(config, seed, decoder, producedType, Records.BEACONS);
    }

    public GeneratorSource(
            GeneratorConfig config,
            long seed,
            RawBeaconDecoder<T> decoder,
            TypeInformation<T> producedType,
            Records records) {
        this.config = Objects.requireNonNull(config, "config");
        this.seed = seed;
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.producedType = Objects.requireNonNull(producedType, "producedType");
        this.records = Objects.requireNonNull(records, "records");
        config.validate();
    }

    /**
     * The server spans of the same (config, seed) traffic, decoded as the server-span Kafka source
     * decodes the collector's records ({@link ServerSpanDecoder}): what the demo and evaluate feed
     * {@code BeaconflowPipeline#withServerSpans} when {@code traces.enabled}.
     */
    public static GeneratorSource<ServerSpanRecord> serverSpans(
            GeneratorConfig config, long seed, IngestConfig ingest) {
        return new GeneratorSource<>(
                config,
                seed,
                new ServerSpanDecoder(ingest),
                TypeInformation.of(ServerSpanRecord.class),
                Records.SERVER_SPANS);
    }

    /** Whether any app has backends: without them a server-span source would stay empty. */
    public static boolean hasBackends(GeneratorConfig config) {
        for (GeneratorConfig.AppSpec app : config.apps) {
            if (app.backends != null && !app.backends.isEmpty()) return true;
        }
        return false;
    }

    /** A source of undecoded records. */
    public static GeneratorSource<RawBeacon> raw(GeneratorConfig config, long seed) {
        return new GeneratorSource<>(
                config, seed, RawBeaconDecoder.identity(), TypeInformation.of(RawBeacon.class));
    }

    /**
     * A source of records decoded as the Kafka source decodes them ({@link BeaconDecoder} with
     * {@code ingest}): what the demo, evaluate and the pipeline ITCases feed the job.
     */
    public static GeneratorSource<IngestRecord> decoded(
            GeneratorConfig config, long seed, IngestConfig ingest) {
        return new GeneratorSource<>(
                config, seed, new BeaconDecoder(ingest), TypeInformation.of(IngestRecord.class));
    }

    public GeneratorConfig config() {
        return config;
    }

    public long seed() {
        return seed;
    }

    @Override
    public Boundedness getBoundedness() {
        return config.bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<GeneratorSplit, GeneratorEnumState> createEnumerator(
            SplitEnumeratorContext<GeneratorSplit> context) {
        List<GeneratorSplit> all = new ArrayList<>();
        for (int i = 0; i < config.splits; i++) all.add(new GeneratorSplit(i, config.splits, 0));
        return new GeneratorEnumerator(context, all);
    }

    @Override
    public SplitEnumerator<GeneratorSplit, GeneratorEnumState> restoreEnumerator(
            SplitEnumeratorContext<GeneratorSplit> context, GeneratorEnumState checkpoint) {
        return new GeneratorEnumerator(context, checkpoint.pending());
    }

    @Override
    public SimpleVersionedSerializer<GeneratorSplit> getSplitSerializer() {
        return GeneratorSplit.Serializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<GeneratorEnumState> getEnumeratorCheckpointSerializer() {
        return GeneratorEnumState.Serializer.INSTANCE;
    }

    @Override
    public SourceReader<T, GeneratorSplit> createReader(SourceReaderContext readerContext) {
        return new GeneratorSourceReader<>(config, seed, decoder, PacingClock.system(), records);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }
}
