package io.beaconflow.jobs.metrics;

import com.datadoghq.sketch.ddsketch.encoding.BinEncodingMode;
import com.datadoghq.sketch.ddsketch.encoding.Flag;
import com.datadoghq.sketch.ddsketch.encoding.Output;
import com.datadoghq.sketch.ddsketch.encoding.VarEncodingHelper;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.BinAcceptor;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A DDSketch store for the pre-aggregator's partials ({@link LocalPreAggregator}): the non-empty
 * bins as two sorted arrays (index, count), grown as bins arrive.
 *
 * <p>Why: a partial holds one subtask's values of one series in one window, mostly a handful. The
 * window's store ({@link MetricAccumulator#STORE}, a dense array over the index range) allocates,
 * zero-fills and grows its array as each new value widens the range, and that was 3 % of the
 * pipeline's CPU in the sender alone (docs/benchmarks.md, "the partials' sketches"). Here a value
 * costs a binary search and, for a new bin, a shift of the bins above it.
 *
 * <p>Exact: each bin's count is the sum of the same weights in the same order as in a dense store,
 * and {@link #encode} writes the library's sparse encoding (index deltas and counts, as {@code
 * SparseStore} does), which a dense store decodes bin for bin. So a window's sketch is the same
 * whichever store its partials used. A partial never merges into a dense store through {@link
 * Store#mergeWith}: in sketches-java 0.8.3 {@code CollapsingLowestDenseStore.mergeWith} adds its
 * own bins again when the other store is of another class; {@link MetricAccumulator} merges through
 * the encoding instead.
 *
 * <p>A busy series' partial (the app total gets hundreds of values a window from each subtask)
 * outgrows a list: past {@link #MAX_LIST} bins the bins move into a dense store ({@link
 * MetricAccumulator#STORE}) and every call goes there. Moving them is exact too: each bin keeps its
 * sum, and later values add to it as they would have.
 *
 * <p>No collapsing in the list: a partial is flushed at least once per checkpoint and at {@link
 * LocalPreAggregator#MAX_ENTRIES} entries, and the window's dense store collapses on merge as it
 * would have.
 */
final class BinListStore implements Store {
    private static final int INITIAL = 4;

    /**
     * Bins kept in the list; beyond, a dense store. A binary search over 32 bins is five
     * comparisons; a larger list costs more per value than the dense store's index arithmetic.
     */
    static final int MAX_LIST = 32;

    private int[] indexes;
    private double[] counts;
    private int size;

    /** The dense store the bins moved to, once there were more than {@link #MAX_LIST}. */
    private Store dense;

    BinListStore() {
        indexes = new int[INITIAL];
        counts = new double[INITIAL];
    }

    private BinListStore(BinListStore from) {
        if (from.dense != null) {
            dense = from.dense.copy();
        } else {
            indexes = Arrays.copyOf(from.indexes, Math.max(from.size, 1));
            counts = Arrays.copyOf(from.counts, Math.max(from.size, 1));
            size = from.size;
        }
    }

    /** Whether the bins moved to a dense store (for tests). */
    boolean isDense() {
        return dense != null;
    }

    @Override
    public void add(int index, double count) {
        if (dense != null) {
            dense.add(index, count);
            return;
        }
        if (count < 0) {
            throw new IllegalArgumentException("The count cannot be negative.");
        }
        if (count == 0) {
            return; // as DenseStore: a zero weight adds no bin
        }
        // Values come in any order, but a window's values cluster: try the last bin first.
        int at;
        if (size > 0 && indexes[size - 1] < index) {
            at = -(size + 1);
        } else {
            at = Arrays.binarySearch(indexes, 0, size, index);
        }
        if (at >= 0) {
            counts[at] += count;
            return;
        }
        int insert = -(at + 1);
        if (size == MAX_LIST) {
            dense = MetricAccumulator.STORE.get();
            for (int i = 0; i < size; i++) {
                dense.add(indexes[i], counts[i]);
            }
            dense.add(index, count);
            indexes = null;
            counts = null;
            size = 0;
            return;
        }
        if (size == indexes.length) {
            int grown = size * 2;
            indexes = Arrays.copyOf(indexes, grown);
            counts = Arrays.copyOf(counts, grown);
        }
        System.arraycopy(indexes, insert, indexes, insert + 1, size - insert);
        System.arraycopy(counts, insert, counts, insert + 1, size - insert);
        indexes[insert] = index;
        counts[insert] = count;
        size++;
    }

    @Override
    public Store copy() {
        return new BinListStore(this);
    }

    @Override
    public void clear() {
        if (dense != null) {
            dense = null;
            indexes = new int[INITIAL];
            counts = new double[INITIAL];
        }
        size = 0;
    }

    @Override
    public boolean isEmpty() {
        return dense != null ? dense.isEmpty() : size == 0;
    }

    @Override
    public double getTotalCount() {
        if (dense != null) {
            return dense.getTotalCount();
        }
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += counts[i];
        }
        return total;
    }

    @Override
    public int getMinIndex() {
        return dense != null ? dense.getMinIndex() : bin(0);
    }

    @Override
    public int getMaxIndex() {
        return dense != null ? dense.getMaxIndex() : bin(size - 1);
    }

    private int bin(int at) {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        return indexes[at];
    }

    @Override
    public void forEach(BinAcceptor acceptor) {
        if (dense != null) {
            dense.forEach(acceptor);
            return;
        }
        for (int i = 0; i < size; i++) {
            acceptor.accept(indexes[i], counts[i]);
        }
    }

    @Override
    public Iterator<Bin> getAscendingIterator() {
        return dense != null ? dense.getAscendingIterator() : bins(0, 1);
    }

    @Override
    public Iterator<Bin> getDescendingIterator() {
        return dense != null ? dense.getDescendingIterator() : bins(size - 1, -1);
    }

    /** The list's bins from position {@code first} on, {@code step} +1 or -1. */
    private Iterator<Bin> bins(int first, int step) {
        return new Iterator<>() {
            private int next = first;

            @Override
            public boolean hasNext() {
                return next >= 0 && next < size;
            }

            @Override
            public Bin next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Bin b = new Bin(indexes[next], counts[next]);
                next += step;
                return b;
            }
        };
    }

    /**
     * The sparse encoding of sketches-java: flag, bin count, then index delta and count per bin.
     */
    @Override
    public void encode(Output output, Flag.Type storeFlagType) throws IOException {
        if (dense != null) {
            dense.encode(output, storeFlagType); // the library's own choice of encoding
            return;
        }
        if (size == 0) {
            return;
        }
        BinEncodingMode.INDEX_DELTAS_AND_COUNTS.toFlag(storeFlagType).encode(output);
        VarEncodingHelper.encodeUnsignedVarLong(output, size);
        long previous = 0;
        for (int i = 0; i < size; i++) {
            VarEncodingHelper.encodeSignedVarLong(output, indexes[i] - previous);
            VarEncodingHelper.encodeVarDouble(output, counts[i]);
            previous = indexes[i];
        }
    }
}
