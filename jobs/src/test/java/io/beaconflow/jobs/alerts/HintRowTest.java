package io.beaconflow.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.ScoredAggregate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class HintRowTest {
    static ScoredAggregate scored(int updateSeq, boolean withScore) {
        ScoredAggregate r = AlertManagerTest.scoredRow("browser", "Safari", 1, 200, 0.27, 0.02);
        r.updateSeq = updateSeq;
        if (!withScore) r.scores.clear();
        return r;
    }

    @Test
    void theHintsReadFirstVersionsWithAScoreOnly() {
        assertThat(HintRow.read(scored(0, true))).isTrue();
        assertThat(HintRow.read(scored(1, true))).as("a late update").isFalse();
        assertThat(HintRow.read(scored(0, false))).as("no metric scored").isFalse();
    }

    @Test
    void carriesTheKeyTheTimerTimeAndTheDigest() {
        ScoredAggregate row = scored(0, true);
        HintRow h = HintRow.of(row);
        assertThat(h.app).isEqualTo("shop");
        assertThat(h.windowEnd - h.digest.windowStart).isEqualTo(60_000);
        assertThat(h.windowEnd).isEqualTo(row.windowEnd);
        assertThat(h.digest.dimension).isEqualTo("browser");
        assertThat(h.digest.dimensionValue).isEqualTo("Safari");
        assertThat(h.digest.windowStart).isEqualTo(row.windowStart);
        assertThat(h.digest.scores).containsOnlyKeys("error_rate");
        assertThat(h.digest.scores.get("error_rate").value).isEqualTo(0.27);
    }

    @Test
    void isAFlinkPojoThatRoundTripsAndIsSmallerThanTheRow() throws Exception {
        TypeInformation<HintRow> info = TypeInformation.of(HintRow.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<HintRow> hints = info.createSerializer(new SerializerConfigImpl());
        TypeSerializer<ScoredAggregate> rows =
                TypeInformation.of(ScoredAggregate.class)
                        .createSerializer(new SerializerConfigImpl());
        ScoredAggregate row = scored(0, true);
        DataOutputSerializer out = new DataOutputSerializer(256);
        hints.serialize(HintRow.of(row), out);
        int hintBytes = out.length();
        HintRow back = hints.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        HintRow sent = HintRow.of(row);
        // Flink's map serializer reads a HashMap back; the hints only look metrics up.
        assertThat(back).usingRecursiveComparison().ignoringFields("digest.scores").isEqualTo(sent);
        assertThat(new java.util.TreeMap<>(back.digest.scores))
                .usingRecursiveComparison()
                .isEqualTo(sent.digest.scores);
        out.clear();
        rows.serialize(row, out);
        assertThat(hintBytes).isLessThan(out.length());
    }
}
