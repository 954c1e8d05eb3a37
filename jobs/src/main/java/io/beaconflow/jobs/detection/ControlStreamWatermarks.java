package io.beaconflow.jobs.detection;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for a control stream (spec updates): none of its own time, and never a brake on the
 * data stream it is connected to. An operator with two inputs uses the smaller watermark of the
 * two; a control source without watermarks ({@code noWatermarks()}) would pin that at the minimum
 * and stall every event-time timer and window downstream. This strategy emits {@link
 * Long#MAX_VALUE} on every periodic tick instead, so the connected operator follows the data
 * stream's watermark alone. Control records carry no timestamp that matters (they are applied on
 * arrival).
 */
public final class ControlStreamWatermarks {
    private ControlStreamWatermarks() {}

    public static <T> WatermarkStrategy<T> create() {
        WatermarkGeneratorSupplier<T> supplier = ctx -> new MaxWatermark<>();
        return WatermarkStrategy.forGenerator(supplier);
    }

    private static final class MaxWatermark<T> implements WatermarkGenerator<T> {
        private static final Watermark MAX = new Watermark(Long.MAX_VALUE);

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(MAX);
        }
    }
}
