package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class MetricTypesTest {
    @Test
    void noTypeOfTheStageFallsBackToGenericSerialization() {
        for (Class<?> c :
                new Class<?>[] {
                    SeriesSample.class, MetricAggregate.class, MetricAccumulator.class
                }) {
            assertThat(TypeInformation.of(c))
                    .as(c.getSimpleName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
        assertThat(TypeInformation.of(SeriesSample.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(MetricAggregate.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void theAccumulatorTypeIsFoundThroughItsAnnotation() {
        assertThat(TypeInformation.of(MetricAccumulator.class))
                .isEqualTo(MetricAccumulatorTypeInfo.INSTANCE);
        assertThat(MetricAccumulatorTypeInfo.INSTANCE.createSerializer(null))
                .isSameAs(MetricAccumulatorSerializer.INSTANCE);
        // The shuffle's partials keep their sketches encoded (PartialAggregateSerializer)
        assertThat(TypeInformation.of(PartialAggregate.class))
                .isEqualTo(PartialAggregateTypeInfo.INSTANCE);
        assertThat(PartialAggregateTypeInfo.INSTANCE.createSerializer(null))
                .isSameAs(PartialAggregateSerializer.INSTANCE);
    }
}
