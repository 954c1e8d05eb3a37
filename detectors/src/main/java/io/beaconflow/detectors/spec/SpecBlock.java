package io.beaconflow.detectors.spec;

import java.util.Map;

/**
 * One block of settings as written in a spec file ({@code kinds.latency}, {@code metrics.lcp_p75},
 * an override's {@code set}): each dotted key with its parsed value and line, so a range problem
 * found when the block is applied names the line that set it.
 *
 * @param line where the block starts
 * @param settings by dotted key ({@code baseline.alpha}), in file order
 */
record SpecBlock(int line, Map<String, Setting> settings) {
    /** One key's parsed value and the line it was written on. */
    record Setting(SpecKeys.Key key, Object value, int line) {}
}
