package io.beaconflow.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RumEventSerializerTest {
    private static final RumEventSerializer S = RumEventSerializer.INSTANCE;

    /** Every instance field of RumEvent, as declared (a new field is picked up here). */
    static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : RumEvent.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) out.add(f);
        }
        return out;
    }

    /**
     * A value for a field, distinct per field and seed; fails on a type this test does not know.
     */
    static Object valueFor(Field f, Random r) {
        Class<?> t = f.getType();
        if (t == String.class) return f.getName() + "-" + r.nextInt(1_000_000) + "-ü€😀";
        if (t == int.class || t == Integer.class) return r.nextInt(1000) + 1;
        if (t == long.class) return r.nextLong();
        if (t == double.class || t == Double.class) return r.nextDouble() * 1000 + 0.5;
        if (t == boolean.class) return true;
        if (t == EventType.class) {
            return EventType.values()[r.nextInt(EventType.values().length)];
        }
        if (t == Map.class) {
            Map<String, String> m = new HashMap<>();
            m.put(f.getName() + "-k", "v" + r.nextInt(100));
            m.put("nullable", null);
            m.put("", "empty key");
            return m;
        }
        throw new AssertionError(
                "RumEventSerializerTest does not know how to fill "
                        + f
                        + ": add the type here and the field to RumEventSerializer");
    }

    private static RumEvent roundTrip(RumEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        S.serialize(e, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        RumEvent back = S.deserialize(in);
        assertThat(in.available()).as("bytes left after deserialize").isZero();
        return back;
    }

    private static void assertSameFields(RumEvent expected, RumEvent actual) throws Exception {
        for (Field f : fields()) {
            assertThat(f.get(actual)).as(f.getName()).isEqualTo(f.get(expected));
        }
    }

    @Test
    void everyDeclaredFieldSurvivesARoundTripAndACopy() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            Random r = new Random(seed);
            RumEvent e = new RumEvent();
            for (Field f : fields()) f.set(e, valueFor(f, r));
            assertSameFields(e, roundTrip(e));
            RumEvent c = S.copy(e);
            assertSameFields(e, c);
            for (Field f : fields()) {
                if (f.getType() == Map.class) {
                    assertThat(f.get(c)).as(f.getName() + " is copied").isNotSameAs(f.get(e));
                }
            }
        }
    }

    @Test
    void eachReferenceFieldAloneKeepsItsPlace() throws Exception {
        // One field set at a time: a mask bit mapped to the wrong field would move the value.
        Random r = new Random(1);
        for (Field f : fields()) {
            if (f.getType().isPrimitive()) continue;
            RumEvent e = new RumEvent();
            e.sentAt = 0;
            e.sampleRate = 0;
            f.set(e, valueFor(f, r));
            assertSameFields(e, roundTrip(e));
        }
    }

    @Test
    void mapsKeepTheirOrderAndASortedMapStaysSorted() throws Exception {
        RumEvent e = new RumEvent();
        e.experiments = new java.util.TreeMap<>(Map.of("b", "1", "a", "2", "c", "3"));
        e.customAttributes = new java.util.LinkedHashMap<>();
        e.customAttributes.put("z", "1");
        e.customAttributes.put("y", "2");
        assertThat(S.copy(e).experiments).isInstanceOf(java.util.TreeMap.class);
        assertThat(roundTrip(e).experiments.keySet()).containsExactly("a", "b", "c");
        assertThat(roundTrip(e).customAttributes.keySet()).containsExactly("z", "y");
        assertThat(S.copy(e).customAttributes.keySet()).containsExactly("z", "y");
    }

    @Test
    void asciiAndOtherStringsAreKeptCharForChar() throws Exception {
        String[] texts = {
            "",
            "a",
            "/product/:id?x=1",
            "\u007f",
            "\u0080",
            "ä",
            "日本",
            "😀",
            "\ud800 lone high",
            "lone low \udc00",
            "x".repeat(70_000),
            "ä".repeat(40_000)
        };
        for (String t : texts) {
            RumEvent e = new RumEvent();
            e.errorMessage = t;
            e.experiments = new java.util.LinkedHashMap<>();
            e.experiments.put(t, t);
            RumEvent back = roundTrip(e);
            assertThat(back.errorMessage).isEqualTo(t);
            assertThat(back.experiments).containsEntry(t, t);
        }
    }

    @Test
    void anEmptyEventAndDefaultsRoundTrip() throws Exception {
        assertSameFields(new RumEvent(), roundTrip(new RumEvent()));
    }

    @Test
    void streamsOfEventsReadBackInOrderThroughTheStreamCopy() throws Exception {
        Random r = new Random(3);
        List<RumEvent> events = new ArrayList<>();
        DataOutputSerializer out = new DataOutputSerializer(1024);
        for (int i = 0; i < 50; i++) {
            RumEvent e = new RumEvent();
            for (Field f : fields()) {
                if (r.nextBoolean()) f.set(e, valueFor(f, r));
            }
            events.add(e);
            S.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        DataOutputSerializer copied = new DataOutputSerializer(1024);
        for (int i = 0; i < events.size(); i++) S.copy(in, copied);
        DataInputDeserializer back = new DataInputDeserializer(copied.getCopyOfBuffer());
        for (RumEvent e : events) assertSameFields(e, S.deserialize(back));
    }

    @Test
    void flinkUsesThisSerializerForTheEventAndInsideIngestRecord() {
        TypeInformation<RumEvent> info = TypeInformation.of(RumEvent.class);
        assertThat(info).isInstanceOf(RumEventTypeInfo.class);
        TypeSerializer<RumEvent> serializer = info.createSerializer(new SerializerConfigImpl());
        assertThat(serializer).isSameAs(S);
        TypeInformation<IngestRecord> record = TypeInformation.of(IngestRecord.class);
        assertThat(record).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<IngestRecord> pojo = (PojoTypeInfo<IngestRecord>) record;
        assertThat(pojo.getTypeAt(pojo.getFieldIndex("event")))
                .isInstanceOf(RumEventTypeInfo.class);
    }
}
