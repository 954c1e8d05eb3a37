package io.beaconflow.jobs.enrich;

import io.beaconflow.jobs.model.RumEvent;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The operator of {@link Enricher}: a {@link ProcessOperator} that also hands each watermark to the
 * enricher before forwarding it, so events held for their route or endpoint template are sent on
 * (with their own timestamps) ahead of the watermark that settled them and are never late
 * downstream. A plain {@code ProcessFunction} sees no watermarks, and the enricher is not keyed, so
 * it has no timers. After each element it lets the enricher send on what exceeds its bound on
 * waiting events ({@link Enricher#decideEarly}), with their own timestamps too.
 */
public final class EnricherOperator extends ProcessOperator<RumEvent, RumEvent> {
    private static final long serialVersionUID = 1L;

    private transient TimestampedCollector<RumEvent> released;

    public EnricherOperator(Enricher enricher) {
        super(enricher);
    }

    @Override
    public void open() throws Exception {
        super.open();
        released = new TimestampedCollector<>(output);
    }

    @Override
    public void processElement(StreamRecord<RumEvent> element) throws Exception {
        super.processElement(element);
        ((Enricher) userFunction).decideEarly(released);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        ((Enricher) userFunction).onWatermark(mark.getTimestamp(), released);
        super.processWatermark(mark);
    }

    /** Events waiting for a watermark (tests). */
    public int pendingCount() {
        return ((Enricher) userFunction).pendingCount();
    }

    /** Held events asked again at watermarks since open (tests). */
    public long heldAsked() {
        return ((Enricher) userFunction).heldAsked();
    }
}
