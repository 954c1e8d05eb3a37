/**
 * Stage 2d, experiments and releases compared. <b>In:</b> the final window accumulators of the
 * {@code variant} and {@code release} series (a side output of the metrics stage). <b>Out:</b>
 * {@link io.beaconflow.jobs.compare.Comparison} documents per arm and metric (variant against its
 * control, release against the previous one) for the {@code rum-comparisons} index, with the test,
 * effect, interval and verdict. Statistics are plain Java ({@link
 * io.beaconflow.jobs.compare.TwoProportions}, {@link io.beaconflow.jobs.compare.RankTest}, {@link
 * io.beaconflow.jobs.compare.Holm}); settings: {@code comparisons:}. See {@link
 * io.beaconflow.jobs.compare.ComparisonStage}.
 */
package io.beaconflow.jobs.compare;
