package io.beaconflow.collector.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.ContractEvents;
import io.beaconflow.collector.translate.EdgeContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs the events of one request into batch records of at most {@code maxRecordBytes} (the job
 * rejects larger records as OVERSIZED). Nearly every request fits one record; a larger one is split
 * between events, each part with the same envelope. An event that alone exceeds the limit is
 * refused here, where it can still be answered, rather than dead-lettered by the job.
 */
public final class Records {
    private Records() {}

    public record Packed(List<byte[]> records, int oversizedEvents) {}

    public static Packed pack(EdgeContext edge, List<ObjectNode> events, int maxRecordBytes) {
        try {
            byte[] whole =
                    ContractEvents.JSON.writeValueAsBytes(ContractEvents.batch(edge, events));
            if (whole.length <= maxRecordBytes) {
                return new Packed(List.of(whole), 0);
            }
            int envelope =
                    ContractEvents.JSON.writeValueAsBytes(ContractEvents.batch(edge, List.of()))
                            .length;
            List<byte[]> out = new ArrayList<>();
            List<ObjectNode> chunk = new ArrayList<>();
            int size = envelope;
            int oversized = 0;
            for (ObjectNode e : events) {
                int len = ContractEvents.JSON.writeValueAsBytes(e).length + 1;
                if (envelope + len > maxRecordBytes) {
                    oversized++;
                    continue;
                }
                if (size + len > maxRecordBytes) {
                    out.add(
                            ContractEvents.JSON.writeValueAsBytes(
                                    ContractEvents.batch(edge, chunk)));
                    chunk = new ArrayList<>();
                    size = envelope;
                }
                chunk.add(e);
                size += len;
            }
            if (!chunk.isEmpty()) {
                out.add(ContractEvents.JSON.writeValueAsBytes(ContractEvents.batch(edge, chunk)));
            }
            return new Packed(out, oversized);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Jackson tree always serializes", e);
        }
    }
}
