package io.beaconflow.jobs.bench;

import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReader;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source over beacons already serialized and held in memory, decoded inside the source
 * like the Kafka source does: the benchmark's input, so that it measures the job and not a
 * generator or a broker. The beacons live in a JVM-wide registry, so it only works on an embedded
 * MiniCluster in the same JVM (which is what {@code ./beaconflow bench} runs).
 */
public final class MemoryBeaconSource
        implements Source<
                        IngestRecord,
                        MemoryBeaconSource.Split,
                        Collection<MemoryBeaconSource.Split>>,
                ResultTypeQueryable<IngestRecord> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, RawBeacon[]> DATA = new ConcurrentHashMap<>();
    private static final Map<String, RawBeaconDecoder<IngestRecord>> DECODERS =
            new ConcurrentHashMap<>();

    private final String dataId;
    private final int splits;

    /** Registers {@code beacons} under {@code dataId}, split into {@code splits} ranges. */
    public MemoryBeaconSource(
            String dataId,
            RawBeacon[] beacons,
            RawBeaconDecoder<IngestRecord> decoder,
            int splits) {
        DATA.put(dataId, beacons);
        DECODERS.put(dataId, decoder);
        this.dataId = dataId;
        this.splits = splits;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<IngestRecord, Split> createReader(SourceReaderContext ctx) {
        return new IteratorSourceReader<>(ctx);
    }

    @Override
    public SplitEnumerator<Split, Collection<Split>> createEnumerator(
            SplitEnumeratorContext<Split> ctx) {
        int n = DATA.get(dataId).length;
        List<Split> list = new ArrayList<>();
        for (int i = 0; i < splits; i++) {
            list.add(
                    new Split(
                            dataId,
                            i,
                            (int) ((long) n * i / splits),
                            (int) ((long) n * (i + 1) / splits)));
        }
        return new IteratorSourceEnumerator<>(ctx, list);
    }

    @Override
    public SplitEnumerator<Split, Collection<Split>> restoreEnumerator(
            SplitEnumeratorContext<Split> ctx, Collection<Split> state) {
        return new IteratorSourceEnumerator<>(ctx, state);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Collection<Split>> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            private final SplitSerializer one = new SplitSerializer();

            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Collection<Split> splits) throws IOException {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(b);
                out.writeInt(splits.size());
                for (Split s : splits) {
                    byte[] bytes = one.serialize(s);
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
                return b.toByteArray();
            }

            @Override
            public Collection<Split> deserialize(int version, byte[] serialized)
                    throws IOException {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
                int n = in.readInt();
                List<Split> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    out.add(one.deserialize(1, bytes));
                }
                return out;
            }
        };
    }

    @Override
    public TypeInformation<IngestRecord> getProducedType() {
        return TypeInformation.of(IngestRecord.class);
    }

    /** Beacons {@code [from, to)}; checkpoints resume at the next whole beacon. */
    public static final class Split implements IteratorSourceSplit<IngestRecord, Decoding> {
        final String dataId;
        final int index;
        final int from;
        final int to;

        Split(String dataId, int index, int from, int to) {
            this.dataId = dataId;
            this.index = index;
            this.from = from;
            this.to = to;
        }

        @Override
        public String splitId() {
            return dataId + "-" + index;
        }

        @Override
        public Decoding getIterator() {
            return new Decoding(DATA.get(dataId), DECODERS.get(dataId), from, to);
        }

        @Override
        public IteratorSourceSplit<IngestRecord, Decoding> getUpdatedSplitForIterator(Decoding it) {
            return new Split(dataId, index, it.next, to);
        }
    }

    /** Decodes beacon after beacon, handing out their records one by one. */
    public static final class Decoding implements Iterator<IngestRecord> {
        private final RawBeacon[] beacons;
        private final RawBeaconDecoder<IngestRecord> decoder;
        private final int to;
        private final ArrayDeque<IngestRecord> pending = new ArrayDeque<>();
        int next;

        Decoding(RawBeacon[] beacons, RawBeaconDecoder<IngestRecord> decoder, int from, int to) {
            this.beacons = beacons;
            this.decoder = decoder;
            this.next = from;
            this.to = to;
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty() && next < to) {
                decoder.decode(beacons[next++], pending::add);
            }
            return !pending.isEmpty();
        }

        @Override
        public IngestRecord next() {
            if (!hasNext()) throw new NoSuchElementException();
            return pending.poll();
        }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeUTF(s.dataId);
            out.writeInt(s.index);
            out.writeInt(s.from);
            out.writeInt(s.to);
            return b.toByteArray();
        }

        @Override
        public Split deserialize(int version, byte[] serialized) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
            return new Split(in.readUTF(), in.readInt(), in.readInt(), in.readInt());
        }
    }
}
