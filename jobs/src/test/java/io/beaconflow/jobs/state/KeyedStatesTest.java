package io.beaconflow.jobs.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.DetectorState;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.junit.jupiter.api.Test;

/**
 * A state declared through {@link KeyedStates} has the name and the serializers the operators
 * declared by hand before: a savepoint taken before restores into it.
 */
class KeyedStatesTest {

    private static TypeSerializer<?> serializer(TypeInformation<?> type) {
        return type.createSerializer(new SerializerConfigImpl());
    }

    @Test
    void basicValuesKeepTheirBasicTypes() {
        for (var c : new Class<?>[] {Long.class, String.class, Double.class, Boolean.class}) {
            ValueStateDescriptor<?> d = KeyedStates.valueDescriptor("x", c);
            assertThat(d.getName()).isEqualTo("x");
            assertThat(d.getType()).isEqualTo(ValueStateDescriptor.Type.VALUE);
        }
        assertThat(TypeInformation.of(Long.class)).isEqualTo(Types.LONG);
        assertThat(TypeInformation.of(String.class)).isEqualTo(Types.STRING);
        assertThat(TypeInformation.of(Double.class)).isEqualTo(Types.DOUBLE);
        assertThat(TypeInformation.of(Boolean.class)).isEqualTo(Types.BOOLEAN);
        assertThat(TypeInformation.of(Integer.class)).isEqualTo(Types.INT);
    }

    @Test
    void aMapOfPojosHasTheSameSerializersAsTheDescriptorWrittenOut() {
        MapStateDescriptor<String, DetectorState> before =
                new MapStateDescriptor<>(
                        "detector-state", Types.STRING, TypeInformation.of(DetectorState.class));
        MapStateDescriptor<String, DetectorState> now =
                KeyedStates.mapDescriptor("detector-state", String.class, DetectorState.class);
        assertThat(now).isEqualTo(before);
        ExecutionConfig config = new ExecutionConfig();
        before.initializeSerializerUnlessSet(config);
        now.initializeSerializerUnlessSet(config);
        assertThat(now.getSerializer()).isEqualTo(before.getSerializer());
        assertThat(serializer(TypeInformation.of(DetectorState.class)))
                .isInstanceOf(PojoSerializer.class);
    }

    @Test
    void aValueOfAPojoIsItsPojoType() {
        ValueStateDescriptor<DetectorState> now =
                KeyedStates.valueDescriptor("frustration-detector-state", DetectorState.class);
        ValueStateDescriptor<DetectorState> before =
                new ValueStateDescriptor<>(
                        "frustration-detector-state", TypeInformation.of(DetectorState.class));
        ExecutionConfig config = new ExecutionConfig();
        before.initializeSerializerUnlessSet(config);
        now.initializeSerializerUnlessSet(config);
        assertThat(now.getSerializer()).isEqualTo(before.getSerializer());
    }
}
