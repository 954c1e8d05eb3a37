package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BulkBufferTest {
    private static ElasticsearchDocument doc(String index, String id, String json) {
        return new ElasticsearchDocument(index, id, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLaterVersionOfTheSameDocumentReplacesTheEarlierInPlace() {
        BulkBuffer buffer = new BulkBuffer();
        buffer.add(doc("rum-sessions-2026.11.02", "s1", "{\"update_seq\":1}"));
        buffer.add(doc("rum-sessions-2026.11.02", "s2", "{\"update_seq\":1}"));
        boolean replaced = buffer.add(doc("rum-sessions-2026.11.02", "s1", "{\"update_seq\":22}"));

        assertThat(replaced).isTrue();
        assertThat(buffer.size()).isEqualTo(2);
        assertThat(buffer.replacedTotal()).isEqualTo(1);
        assertThat(buffer.drain())
                .extracting(d -> d.id() + "=" + new String(d.source(), StandardCharsets.UTF_8))
                .containsExactly("s1={\"update_seq\":22}", "s2={\"update_seq\":1}");
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void theSameIdInAnotherIndexIsAnotherDocument() {
        BulkBuffer buffer = new BulkBuffer();
        buffer.add(doc("rum-metrics-2026.11.01", "x", "{}"));
        buffer.add(doc("rum-metrics-2026.11.02", "x", "{}"));
        assertThat(buffer.size()).isEqualTo(2);
    }

    @Test
    void bytesFollowAddsAndReplacementsAndFillTheBuffer() {
        BulkBuffer buffer = new BulkBuffer();
        ElasticsearchDocument small = doc("i", "a", "{}");
        ElasticsearchDocument big = doc("i", "a", "{\"x\":\"" + "y".repeat(1000) + "\"}");
        buffer.add(small);
        assertThat(buffer.bytes()).isEqualTo(BulkBuffer.sizeOf(small));
        buffer.add(big);
        assertThat(buffer.bytes()).isEqualTo(BulkBuffer.sizeOf(big));
        assertThat(buffer.isFull(10, 1024)).isTrue();
        assertThat(buffer.isFull(10, 4096)).isFalse();
        assertThat(buffer.isFull(1, 4096)).isTrue();
    }
}
