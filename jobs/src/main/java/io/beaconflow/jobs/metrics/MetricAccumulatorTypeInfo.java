package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Type information for {@link MetricAccumulator}: always {@link MetricAccumulatorSerializer}. */
public final class MetricAccumulatorTypeInfo extends SerializerTypeInfo<MetricAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final MetricAccumulatorTypeInfo INSTANCE = new MetricAccumulatorTypeInfo();

    private MetricAccumulatorTypeInfo() {
        super(
                MetricAccumulator.class,
                MetricAccumulatorSerializer.INSTANCE,
                "MetricAccumulator(DDSketch)");
    }

    /** The factory named by {@code @TypeInfo} on {@link MetricAccumulator}. */
    public static final class Factory extends TypeInfoFactory<MetricAccumulator> {
        @Override
        public TypeInformation<MetricAccumulator> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
