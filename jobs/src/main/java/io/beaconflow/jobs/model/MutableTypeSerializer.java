package io.beaconflow.jobs.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the job's hand-written serializers ({@link RumEventSerializer}, {@code
 * MetricAccumulatorSerializer}, {@code SessionStateSerializer}) share: stateless singletons of a
 * mutable type, of variable length, that never reuse an instance (a copy is always a fresh deep
 * copy, a read always a new object), and that copy serialized data by reading and writing it again
 * unless a subclass has a cheaper way. Each keeps its own format and its own snapshot class, which
 * is what a savepoint names, so the shared superclass changes nothing in state.
 */
public abstract class MutableTypeSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }
}
