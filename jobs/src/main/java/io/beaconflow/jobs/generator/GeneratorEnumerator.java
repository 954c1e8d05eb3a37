package io.beaconflow.jobs.generator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;

/**
 * Pushes every split to a fixed owner, {@code splitIndex % parallelism}, when that reader
 * registers, then tells it there will be no more. Push rather than pull because an unbounded split
 * never finishes: a reader must own several splits at once, or splits beyond the parallelism would
 * never be read. Splits handed back after a reader failure wait here until it registers again.
 */
final class GeneratorEnumerator implements SplitEnumerator<GeneratorSplit, GeneratorEnumState> {
    private final SplitEnumeratorContext<GeneratorSplit> context;
    private final TreeMap<Integer, GeneratorSplit> pending = new TreeMap<>();

    GeneratorEnumerator(
            SplitEnumeratorContext<GeneratorSplit> context, List<GeneratorSplit> pending) {
        this.context = context;
        for (GeneratorSplit s : pending) this.pending.put(s.index(), s);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Push-based: assignments happen in addReader.
    }

    @Override
    public void addSplitsBack(List<GeneratorSplit> splits, int subtaskId) {
        for (GeneratorSplit s : splits) pending.put(s.index(), s);
        if (context.registeredReaders().containsKey(subtaskId)) assign(subtaskId);
    }

    @Override
    public void addReader(int subtaskId) {
        assign(subtaskId);
    }

    private void assign(int subtaskId) {
        int parallelism = context.currentParallelism();
        List<GeneratorSplit> mine = new ArrayList<>();
        Iterator<Map.Entry<Integer, GeneratorSplit>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            GeneratorSplit s = it.next().getValue();
            if (s.index() % parallelism == subtaskId) {
                mine.add(s);
                it.remove();
            }
        }
        // One assignment for all of them: the reader then merges its splits in arrival order from
        // its first record on (one call per split would let the first split run ahead).
        if (!mine.isEmpty()) {
            context.assignSplits(new SplitsAssignment<>(Map.of(subtaskId, mine)));
        }
        context.signalNoMoreSplits(subtaskId);
    }

    @Override
    public GeneratorEnumState snapshotState(long checkpointId) {
        return new GeneratorEnumState(new ArrayList<>(pending.values()));
    }

    @Override
    public void close() {}
}
