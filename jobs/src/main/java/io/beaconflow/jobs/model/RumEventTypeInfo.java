package io.beaconflow.jobs.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for {@link RumEvent}: always {@link RumEventSerializer}. Found by Flink's type
 * extraction through the {@code @TypeInfo} annotation on the class, so no code path can fall back
 * to Kryo for it.
 */
public final class RumEventTypeInfo extends TypeInformation<RumEvent> {
    private static final long serialVersionUID = 1L;

    public static final RumEventTypeInfo INSTANCE = new RumEventTypeInfo();

    /** The factory named by {@code @TypeInfo} on {@link RumEvent}. */
    public static final class Factory extends TypeInfoFactory<RumEvent> {
        @Override
        public TypeInformation<RumEvent> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RumEvent> getTypeClass() {
        return RumEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RumEvent> createSerializer(SerializerConfig config) {
        return RumEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RumEvent(RumEventSerializer)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RumEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return RumEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof RumEventTypeInfo;
    }
}
