package io.beaconflow.jobs.io.webhook;

import static io.beaconflow.jobs.io.webhook.Notifications.T0;
import static io.beaconflow.jobs.io.webhook.Notifications.opened;
import static io.beaconflow.jobs.io.webhook.Notifications.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

/** The committable, the writer state and the writer's dedupe. */
class NotificationStateTest {
    @Test
    void aBatchSurvivesTheCommittableSerializerWithNullsLongTextsAndFieldOrder() throws Exception {
        Notification big = opened("a1", T0);
        big.text = "é".repeat(70_000); // beyond writeUTF's 64 KiB
        Notification sparse = new Notification();
        sparse.idempotencyKey = "a2:opened:0";
        sparse.fields = null;
        NotificationBatch batch =
                new NotificationBatch(List.of(big, resolved("a1", 2, T0), sparse));
        NotificationBatch.Serializer ser = new NotificationBatch.Serializer();

        NotificationBatch back = ser.deserialize(ser.getVersion(), ser.serialize(batch));

        assertThat(back.notifications).hasSize(3);
        assertThat(back.notifications.get(0)).isEqualTo(big);
        assertThat(back.notifications.get(0).fields.keySet())
                .containsExactlyElementsOf(big.fields.keySet());
        assertThat(back.notifications.get(1)).isEqualTo(resolved("a1", 2, T0));
        assertThat(back.notifications.get(2).title).isNull();
        assertThat(back.notifications.get(2).fields).isEmpty();
    }

    @Test
    void releasedKeysKeepTheNewestUpToCapacityAndSurviveTheStateSerializer() throws Exception {
        ReleasedKeys keys = new ReleasedKeys(3);
        for (String k : List.of("k1", "k2", "k3", "k4")) keys.add(k);
        ReleasedKeys.Serializer ser = new ReleasedKeys.Serializer();

        ReleasedKeys.State back =
                ser.deserialize(
                        ser.getVersion(), ser.serialize(new ReleasedKeys.State(keys.toList())));

        assertThat(keys.contains("k1")).isFalse();
        assertThat(back.keys).containsExactly("k2", "k3", "k4");
    }

    @Test
    void theWriterDropsAReplayedKeyAndHandsEachCheckpointItsOwnBatch() {
        SimpleCounter dropped = new SimpleCounter();
        WebhookNotifierSink.NotifierWriter writer =
                new WebhookNotifierSink.NotifierWriter(new ReleasedKeys(100), false, dropped);

        writer.write(opened("a1", T0), null);
        writer.write(opened("a1", T0), null);
        List<NotificationBatch> first = List.copyOf(writer.prepareCommit());
        writer.write(resolved("a1", 1, T0 + 60_000), null);
        writer.write(opened("a1", T0), null);
        List<NotificationBatch> second = List.copyOf(writer.prepareCommit());

        assertThat(first).hasSize(1);
        assertThat(first.get(0).notifications)
                .extracting(n -> n.idempotencyKey)
                .containsExactly("a1:opened:0");
        assertThat(second.get(0).notifications)
                .extracting(n -> n.idempotencyKey)
                .containsExactly("a1:resolved:1");
        assertThat(writer.prepareCommit()).isEmpty();
        assertThat(dropped.getCount()).isEqualTo(2);
        assertThat(writer.snapshotState(7).get(0).keys)
                .containsExactly("a1:opened:0", "a1:resolved:1");
    }

    @Test
    void aWriterRestoredFromStateStillDropsKeysReleasedBeforeTheRestart() {
        SimpleCounter dropped = new SimpleCounter();
        ReleasedKeys restored = new ReleasedKeys(100);
        restored.addAll(List.of("a1:opened:0"));
        WebhookNotifierSink.NotifierWriter writer =
                new WebhookNotifierSink.NotifierWriter(restored, false, dropped);

        writer.write(opened("a1", T0), null);

        assertThat(writer.prepareCommit()).isEmpty();
        assertThat(dropped.getCount()).isEqualTo(1);
    }

    @Test
    void notificationIsAFlinkPojoSoItNeverFallsBackToKryo() {
        TypeInformation<Notification> type = TypeInformation.of(Notification.class);

        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl serializers = new SerializerConfigImpl();
        serializers.setGenericTypes(false);
        // Throws if any field (the fields map included) would need Kryo.
        assertThat(type.createSerializer(serializers)).isNotNull();
    }
}
