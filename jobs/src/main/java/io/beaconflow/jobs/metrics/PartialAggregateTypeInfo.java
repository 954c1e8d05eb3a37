package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Type information for {@link PartialAggregate}: always {@link PartialAggregateSerializer}. */
public final class PartialAggregateTypeInfo extends SerializerTypeInfo<PartialAggregate> {
    private static final long serialVersionUID = 1L;

    public static final PartialAggregateTypeInfo INSTANCE = new PartialAggregateTypeInfo();

    private PartialAggregateTypeInfo() {
        super(PartialAggregate.class, PartialAggregateSerializer.INSTANCE, "PartialAggregate");
    }

    /** The factory named by {@code @TypeInfo} on {@link PartialAggregate}. */
    public static final class Factory extends TypeInfoFactory<PartialAggregate> {
        @Override
        public TypeInformation<PartialAggregate> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
