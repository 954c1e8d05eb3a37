package io.beaconflow.jobs.metrics;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for {@link MetricAccumulator}: always {@link MetricAccumulatorSerializer}. Found
 * by Flink's type extraction through the {@code @TypeInfo} annotation on the class, so no code path
 * can fall back to Kryo for it.
 */
public final class MetricAccumulatorTypeInfo extends TypeInformation<MetricAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final MetricAccumulatorTypeInfo INSTANCE = new MetricAccumulatorTypeInfo();

    /** The factory named by {@code @TypeInfo} on {@link MetricAccumulator}. */
    public static final class Factory extends TypeInfoFactory<MetricAccumulator> {
        @Override
        public TypeInformation<MetricAccumulator> createTypeInfo(
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
    public Class<MetricAccumulator> getTypeClass() {
        return MetricAccumulator.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<MetricAccumulator> createSerializer(SerializerConfig config) {
        return MetricAccumulatorSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "MetricAccumulator(DDSketch)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricAccumulatorTypeInfo;
    }

    @Override
    public int hashCode() {
        return MetricAccumulatorTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof MetricAccumulatorTypeInfo;
    }
}
