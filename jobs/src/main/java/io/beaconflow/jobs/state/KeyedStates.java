package io.beaconflow.jobs.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Keyed state by its savepoint name and the classes it holds: one line per state in each operator's
 * {@code open}, where each used to spell out its descriptor over five to seven lines.
 *
 * <p>A state's type is {@link TypeInformation#of(Class)} of the class given, which for {@code
 * Long}, {@code String}, {@code Double}, {@code Integer} and {@code Boolean} is the same basic type
 * ({@code Types.LONG}, ...) the operators declared before, and for a POJO its POJO type: the
 * serializers, and so savepoints, are unchanged ({@code KeyedStatesTest}). The name is what a
 * savepoint stores a state under; renaming one loses that state on restore.
 */
public final class KeyedStates {
    private KeyedStates() {}

    /** A keyed value. */
    public static <T> ValueState<T> value(RuntimeContext ctx, String name, Class<T> type) {
        return ctx.getState(valueDescriptor(name, type));
    }

    /** A keyed map. */
    public static <K, V> MapState<K, V> map(
            RuntimeContext ctx, String name, Class<K> key, Class<V> value) {
        return ctx.getMapState(mapDescriptor(name, key, value));
    }

    /** A keyed map whose key is not a plain class (a tuple): its type given in full. */
    public static <K, V> MapState<K, V> map(
            RuntimeContext ctx, String name, TypeInformation<K> key, Class<V> value) {
        return ctx.getMapState(new MapStateDescriptor<>(name, key, TypeInformation.of(value)));
    }

    /** A keyed list. */
    public static <T> ListState<T> list(RuntimeContext ctx, String name, Class<T> element) {
        return ctx.getListState(new ListStateDescriptor<>(name, TypeInformation.of(element)));
    }

    /** The descriptor {@link #value} registers, for tests and harnesses that read the state. */
    public static <T> ValueStateDescriptor<T> valueDescriptor(String name, Class<T> type) {
        return new ValueStateDescriptor<>(name, TypeInformation.of(type));
    }

    /** The descriptor {@link #map} registers, for tests and harnesses that read the state. */
    public static <K, V> MapStateDescriptor<K, V> mapDescriptor(
            String name, Class<K> key, Class<V> value) {
        return new MapStateDescriptor<>(name, TypeInformation.of(key), TypeInformation.of(value));
    }
}
