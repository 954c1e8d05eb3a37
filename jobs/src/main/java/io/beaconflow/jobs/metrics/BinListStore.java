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
 * <p>No collapsing: a partial is flushed at least once per checkpoint and at {@link
 * LocalPreAggregator#MAX_ENTRIES} entries, and the window's dense store collapses on merge as it
 * would have.
 */
final class BinListStore implements Store {
    private static final int INITIAL = 4;

    private int[] indexes;
    private double[] counts;
    private int size;

    BinListStore() {
        indexes = new int[INITIAL];
        counts = new double[INITIAL];
    }

    private BinListStore(BinListStore from) {
        indexes = Arrays.copyOf(from.indexes, Math.max(from.size, 1));
        counts = Arrays.copyOf(from.counts, Math.max(from.size, 1));
        size = from.size;
    }

    @Override
    public void add(int index, double count) {
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
        size = 0;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public double getTotalCount() {
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += counts[i];
        }
        return total;
    }

    @Override
    public int getMinIndex() {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        return indexes[0];
    }

    @Override
    public int getMaxIndex() {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        return indexes[size - 1];
    }

    @Override
    public void forEach(BinAcceptor acceptor) {
        for (int i = 0; i < size; i++) {
            acceptor.accept(indexes[i], counts[i]);
        }
    }

    @Override
    public Iterator<Bin> getAscendingIterator() {
        return new Iterator<>() {
            private int next = 0;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Bin next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                Bin b = new Bin(indexes[next], counts[next]);
                next++;
                return b;
            }
        };
    }

    @Override
    public Iterator<Bin> getDescendingIterator() {
        return new Iterator<>() {
            private int next = size - 1;

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public Bin next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                Bin b = new Bin(indexes[next], counts[next]);
                next--;
                return b;
            }
        };
    }

    /**
     * The sparse encoding of sketches-java: flag, bin count, then index delta and count per bin.
     */
    @Override
    public void encode(Output output, Flag.Type storeFlagType) throws IOException {
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
