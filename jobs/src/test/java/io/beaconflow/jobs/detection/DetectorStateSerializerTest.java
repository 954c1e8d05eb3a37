package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.spec.DetectorSpecs;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DetectorStateSerializerTest {
    private static final DetectorStateSerializer SER = DetectorStateSerializer.INSTANCE;

    private static final TypeSerializer<DetectorState> POJO =
            TypeInformation.of(DetectorState.class).createSerializer(new SerializerConfigImpl());

    private static byte[] bytes(TypeSerializer<DetectorState> ser, DetectorState s)
            throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        ser.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    private static DetectorState read(TypeSerializer<DetectorState> ser, byte[] b)
            throws Exception {
        DataInputDeserializer in = new DataInputDeserializer(b);
        DetectorState s = ser.deserialize(in);
        assertThat(in.available()).as("bytes left after the state").isZero();
        return s;
    }

    /** Every public instance field of DetectorState, so a new field cannot be forgotten. */
    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : DetectorState.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) out.add(f);
        }
        return out;
    }

    /** Each field set to a random value; arrays null, all zeros or random (NaN, -0.0 included). */
    private static DetectorState random(Random r) throws Exception {
        DetectorState s = new DetectorState();
        double[] specials = {Double.NaN, -0.0, Double.NEGATIVE_INFINITY, 0.0, 1e300, -1e-300};
        for (Field f : fields()) {
            Class<?> t = f.getType();
            int kind = r.nextInt(3);
            int n = r.nextInt(200);
            if (t == long.class) {
                f.setLong(s, r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(1000) - 10);
            } else if (t == int.class) {
                f.setInt(s, r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(100) - 3);
            } else if (t == double.class) {
                f.setDouble(
                        s,
                        r.nextInt(4) == 0
                                ? specials[r.nextInt(specials.length)]
                                : r.nextGaussian());
            } else if (t == boolean.class) {
                f.setBoolean(s, r.nextBoolean());
            } else if (t == double[].class) {
                double[] a = kind == 0 ? null : new double[n];
                for (int i = 0; kind == 2 && i < n; i++) {
                    a[i] =
                            r.nextInt(5) == 0
                                    ? specials[r.nextInt(specials.length)]
                                    : r.nextGaussian();
                }
                f.set(s, a);
            } else if (t == long[].class) {
                long[] a = kind == 0 ? null : new long[n];
                boolean small = r.nextBoolean();
                for (int i = 0; kind == 2 && i < n; i++) {
                    a[i] = small ? r.nextInt(5000) - 100 : r.nextLong();
                }
                f.set(s, a);
            } else {
                throw new AssertionError("a field of a type the test does not fill: " + f);
            }
        }
        return s;
    }

    private static void assertSame(DetectorState expected, DetectorState actual) throws Exception {
        for (Field f : fields()) {
            Object e = f.get(expected);
            Object a = f.get(actual);
            if (e instanceof double[] d) {
                assertThat(Arrays.equals(d, (double[]) a)).as(f.getName()).isTrue();
            } else if (e instanceof long[] l) {
                assertThat((long[]) a).as(f.getName()).isEqualTo(l);
            } else if (e instanceof Double d) {
                assertThat(Double.doubleToRawLongBits((Double) a))
                        .as(f.getName())
                        .isEqualTo(Double.doubleToRawLongBits(d));
            } else {
                assertThat(a).as(f.getName()).isEqualTo(e);
            }
        }
    }

    @Test
    void everyFieldRoundTripsAndCopies() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            DetectorState s = random(r);
            assertSame(s, read(SER, bytes(SER, s)));
            DetectorState c = SER.copy(s);
            assertSame(s, c);
            if (s.slotMean != null && s.slotMean.length > 0) {
                assertThat(c.slotMean).isNotSameAs(s.slotMean);
            }
        }
        assertSame(new DetectorState(), read(SER, bytes(SER, new DetectorState())));
    }

    /** A detector's state after two days of points on the shipped specs, for sizes and bytes. */
    private static DetectorState trained(String metric, long seed) throws Exception {
        DetectorSpecs specs =
                DetectorSpecs.load(Path.of("..", "flink-conf", "detectors", "defaults.yaml"));
        DetectorSpec spec = specs.resolve("shop-web", "country", "FR", metric);
        Detector d = new Detector(spec);
        DetectorState s = d.newState();
        Random r = new Random(seed);
        long t0 = 1_793_606_400_000L;
        for (int i = 0; i < 2 * 1440; i++) {
            double day = 1 + 0.5 * Math.sin(2 * Math.PI * i / 1440.0);
            double value;
            double denominator;
            switch (metric) {
                case "page_views" -> {
                    value = Math.max(0, Math.round(40 * day + 6 * r.nextGaussian()));
                    denominator = Double.NaN;
                }
                case "error_rate" -> {
                    denominator = Math.max(1, Math.round(40 * day));
                    value = Math.min(1, Math.max(0, 0.02 + 0.02 * r.nextGaussian()));
                }
                default -> {
                    denominator = Math.max(1, Math.round(30 * day));
                    value = 2000 * Math.exp(0.2 * r.nextGaussian());
                }
            }
            d.update(s, t0 + i * 60_000L, value, denominator, r.nextLong(), Double.NaN);
        }
        return s;
    }

    @Test
    void trainedStatesRoundTripAndAreSmallerThanPojos() throws Exception {
        for (String metric : List.of("page_views", "error_rate", "load_p75", "load_p50")) {
            DetectorState s = trained(metric, 3);
            byte[] compact = bytes(SER, s);
            byte[] pojo = bytes(POJO, s);
            assertSame(s, read(SER, compact));
            assertSame(read(POJO, pojo), read(SER, compact));
            assertThat(compact.length).as(metric).isLessThan(pojo.length);
        }
        // The throughput kind's 168 hour-of-week slots: counts and periods as varints.
        assertThat(bytes(SER, trained("page_views", 3)).length)
                .isLessThan(bytes(POJO, trained("page_views", 3)).length / 2);
    }

    /** The format's bytes for one fixed state; a change needs a new format version. */
    @Test
    void formatOneBytesArePinned() throws Exception {
        // A state from java.util.Random (the same values on every JVM), not a trained one: the
        // detector's maths may differ in the last bit between platforms, the format may not.
        byte[] b = bytes(SER, random(new Random(42)));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        assertThat(b.length + " " + sha)
                .isEqualTo("4307 b84207d377615b160905a6b96f36694459ac62861bdfb5f6ac3f080b00a2fd53");
    }

    @Test
    void aPojoSnapshotMigratesAndItsOwnIsCompatibleAsIs() {
        var own = SER.snapshotConfiguration();
        assertThat(
                        own.resolveSchemaCompatibility(POJO.snapshotConfiguration())
                                .isCompatibleAfterMigration())
                .isTrue();
        assertThat(own.resolveSchemaCompatibility(SER.snapshotConfiguration()).isCompatibleAsIs())
                .isTrue();
    }

    /** Puts the element's state (first call) or emits the stored state (later calls). */
    private static final class Keep
            extends KeyedProcessFunction<String, DetectorState, DetectorState> {
        private final ValueStateDescriptor<DetectorState> descriptor;
        private transient ValueState<DetectorState> state;

        Keep(ValueStateDescriptor<DetectorState> descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            state = getRuntimeContext().getState(descriptor);
        }

        @Override
        public void processElement(DetectorState in, Context ctx, Collector<DetectorState> out)
                throws Exception {
            if (state.value() == null) {
                state.update(in);
            } else {
                out.collect(state.value());
            }
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DetectorState, DetectorState>
            harness(ValueStateDescriptor<DetectorState> d, boolean rocksDb) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Keep(d)), s -> "k", Types.STRING);
        if (rocksDb) h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /** A savepoint's POJO-serialized state restores into the compact serializer, unchanged. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStateWrittenAsPojoRestoresIntoTheCompactSerializer(boolean rocksDb) throws Exception {
        DetectorState s = trained("error_rate", 5);
        OperatorSubtaskState snapshot;
        try (var before =
                harness(
                        new ValueStateDescriptor<>("x", TypeInformation.of(DetectorState.class)),
                        rocksDb)) {
            before.open();
            before.processElement(s, 0);
            snapshot = before.snapshot(1, 1);
        }
        try (var after =
                harness(
                        new ValueStateDescriptor<>("x", DetectorStateSerializer.INSTANCE),
                        rocksDb)) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(new DetectorState(), 1);
            assertThat(after.extractOutputValues()).hasSize(1);
            assertSame(s, after.extractOutputValues().get(0));
        }
    }
}
