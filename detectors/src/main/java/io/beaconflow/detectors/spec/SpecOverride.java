package io.beaconflow.detectors.spec;

import java.util.regex.Pattern;

/**
 * One entry of a spec file's {@code overrides:}: which series it matches (app, dimension and value
 * as globs or a value regex, metric as a glob; an absent part matches anything) and the block it
 * sets on them, applied in file order after the kind's and the metric's blocks.
 */
record SpecOverride(
        int line,
        Pattern app,
        String dimension,
        Pattern value,
        Pattern valueRegex,
        Pattern metric,
        SpecBlock set) {

    boolean matches(String app, String dimension, String dimensionValue, String metricName) {
        if (this.metric != null && !this.metric.matcher(metricName).matches()) {
            return false;
        }
        if (this.app != null && (app == null || !this.app.matcher(app).matches())) {
            return false;
        }
        if (this.dimension != null && !this.dimension.equals(dimension)) {
            return false;
        }
        if (this.value != null
                && (dimensionValue == null || !this.value.matcher(dimensionValue).matches())) {
            return false;
        }
        return valueRegex == null
                || (dimensionValue != null && valueRegex.matcher(dimensionValue).matches());
    }
}
