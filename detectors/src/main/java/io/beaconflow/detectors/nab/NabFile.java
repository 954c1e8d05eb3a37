package io.beaconflow.detectors.nab;

import java.util.List;

/**
 * One NAB data file with its labelled windows resolved to row indices.
 *
 * @param relativePath path below the data folder, e.g. {@code
 *     realAdExchange/exchange-2_cpc_results.csv}
 * @param rawTimestamps timestamps as written (rows are keyed by position: timestamps may repeat)
 * @param timestampsMillis the same, read as UTC
 * @param rawValues values as written
 * @param values the values
 * @param windows anomaly windows as {@code [first row, last row]}, both inclusive
 */
public record NabFile(
        String relativePath,
        String[] rawTimestamps,
        long[] timestampsMillis,
        String[] rawValues,
        double[] values,
        List<int[]> windows) {

    public String category() {
        int slash = relativePath.indexOf('/');
        return slash < 0 ? "" : relativePath.substring(0, slash);
    }

    /** File name without the {@code .csv} extension. */
    public String baseName() {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        return name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    }

    public int rows() {
        return values.length;
    }

    /** True when row {@code i} lies inside a window. */
    public boolean inWindow(int i) {
        for (int[] w : windows) {
            if (i >= w[0] && i <= w[1]) {
                return true;
            }
        }
        return false;
    }
}
