/**
 * Stage 2d, experiments and releases compared. <b>In:</b> the events on their view route, keyed by
 * session, summed per session and arm (io.beaconflow.jobs.sessions.SessionArms, in the session
 * assembler): the session is the unit an experiment randomizes, so it is the unit tested.
 * <b>Out:</b> {@link io.beaconflow.jobs.compare.Comparison} documents per arm and metric (variant
 * against its control, release against the previous one) for the {@code rum-comparisons} index,
 * with the test, effect, interval and verdict. Statistics are plain Java ({@link
 * io.beaconflow.jobs.compare.TwoProportions}, {@link io.beaconflow.jobs.compare.RankTest}, {@link
 * io.beaconflow.jobs.compare.Holm}, {@link io.beaconflow.jobs.compare.ArmComparison}); settings:
 * {@code comparisons:}. See {@link io.beaconflow.jobs.compare.ComparisonStage}.
 */
package io.beaconflow.jobs.compare;
