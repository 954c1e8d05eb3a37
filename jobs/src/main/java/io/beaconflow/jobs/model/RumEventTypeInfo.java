package io.beaconflow.jobs.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Type information for {@link RumEvent}: always {@link RumEventSerializer}. */
public final class RumEventTypeInfo extends SerializerTypeInfo<RumEvent> {
    private static final long serialVersionUID = 1L;

    public static final RumEventTypeInfo INSTANCE = new RumEventTypeInfo();

    private RumEventTypeInfo() {
        super(RumEvent.class, RumEventSerializer.INSTANCE, "RumEvent(RumEventSerializer)");
    }

    /** The factory named by {@code @TypeInfo} on {@link RumEvent}. */
    public static final class Factory extends TypeInfoFactory<RumEvent> {
        @Override
        public TypeInformation<RumEvent> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
