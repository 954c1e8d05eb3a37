package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.deref;
import static io.beaconflow.jobs.sessions.StateCodec.readOptional;
import static io.beaconflow.jobs.sessions.StateCodec.readString;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.readVarLong;
import static io.beaconflow.jobs.sessions.StateCodec.ref;
import static io.beaconflow.jobs.sessions.StateCodec.unzigzag;
import static io.beaconflow.jobs.sessions.StateCodec.writeOptional;
import static io.beaconflow.jobs.sessions.StateCodec.writeString;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarLong;
import static io.beaconflow.jobs.sessions.StateCodec.zigzag;

import io.beaconflow.jobs.model.MutableTypeSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A compact serializer for {@link SessionState}: Flink's POJO serializer writes a null flag per
 * field, fixed-width ints and longs, and every timeline route again (about 700 bytes for a typical
 * session); this one writes varints, zig-zag offsets from {@link SessionState#base}, each
 * route/detail string once per session, and 32-hex-digit trace ids as 16 bytes (about 250 bytes).
 *
 * <p>Format 1, in order: the version byte (so a later format can still read this one); times,
 * update sequence, flags (dirty, bot, sampled) and the sample rate when not 1; the dimensions
 * ({@link SessionDimensions}); the counts, the click counts last; the string dictionary of routes
 * and details with the landing and exit routes; then the sections of {@link SessionVitals}, {@link
 * SessionTimeline}, {@link SessionTraces} and the click tail ({@link SessionClicks}). The encodings
 * (varints, zig-zag, strings) are {@link StateCodec}'s. {@code SessionStateGoldenTest} pins the
 * bytes.
 *
 * <p>Format 2 is format 1 followed by the comparison arms ({@link SessionArms}); it is written only
 * for pieces that keep them (comparisons on), so a state without them is byte for byte format 1.
 * Format 1 still reads (savepoints from before 2026-12-03), as a piece without arms.
 */
public final class SessionStateSerializer extends MutableTypeSerializer<SessionState> {
    private static final long serialVersionUID = 1L;

    public static final SessionStateSerializer INSTANCE = new SessionStateSerializer();

    private static final int FORMAT = 1;
    private static final int FORMAT_WITH_ARMS = 2;
    private static final int F_DIRTY = 1;
    private static final int F_BOT = 2;
    private static final int F_SAMPLED = 4;

    @Override
    public SessionState createInstance() {
        return new SessionState();
    }

    @Override
    public SessionState copy(SessionState from) {
        return from.copy();
    }

    @Override
    public void serialize(SessionState s, DataOutputView out) throws IOException {
        out.writeByte(s.arms.tracked ? FORMAT_WITH_ARMS : FORMAT);
        writeVarLong(out, zigzag(s.base));
        writeVarLong(out, zigzag(s.start - s.base));
        writeVarLong(out, zigzag(s.end - s.base));
        writeOptional(out, s.idStart, s.base);
        writeOptional(out, s.timerAt, s.base);
        writeOptional(out, s.nextUpdateAt, s.base);
        writeOptional(out, s.clicks.settledUpTo, s.base);
        writeVarInt(out, s.updateSeq);
        double sampleRate = s.dims.sampleRate;
        int flags =
                (s.dirty ? F_DIRTY : 0)
                        | (s.anyBot ? F_BOT : 0)
                        | (sampleRate != 1.0 ? F_SAMPLED : 0);
        out.writeByte(flags);
        if (sampleRate != 1.0) out.writeDouble(sampleRate);

        s.dims.write(out);

        writeVarInt(out, s.events);
        writeVarInt(out, s.pageViews);
        writeVarInt(out, s.actions);
        writeVarInt(out, s.fetches);
        writeVarInt(out, s.failedFetches);
        writeVarInt(out, s.errors);
        writeVarInt(out, s.lateEvents);
        writeVarInt(out, s.clicks.rageClicks);
        writeVarInt(out, s.clicks.errorClicks);
        writeVarInt(out, s.clicks.deadClicks);

        // Routes and details repeat within a session: write each distinct string once.
        List<String> dict = new ArrayList<>();
        int landing = ref(dict, s.landingRoute);
        int exit = ref(dict, s.exitRoute);
        int[][] timelineRefs = s.timeline.refs(dict);
        writeVarInt(out, dict.size());
        for (String d : dict) writeString(out, d);
        writeVarInt(out, landing);
        writeVarInt(out, zigzag(s.landingOffset));
        writeVarInt(out, exit);
        writeVarInt(out, zigzag(s.exitOffset));

        s.vitals.write(out);
        s.timeline.write(out, timelineRefs);
        s.traces.write(out);
        s.clicks.writeTail(out);
        if (s.arms.tracked) s.arms.write(out, s.base);
    }

    @Override
    public SessionState deserialize(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT && format != FORMAT_WITH_ARMS) {
            throw new IOException("unknown SessionState format " + format);
        }
        SessionState s = new SessionState();
        s.base = unzigzag(readVarLong(in));
        s.start = s.base + unzigzag(readVarLong(in));
        s.end = s.base + unzigzag(readVarLong(in));
        s.idStart = readOptional(in, s.base);
        s.timerAt = readOptional(in, s.base);
        s.nextUpdateAt = readOptional(in, s.base);
        long settledUpTo = readOptional(in, s.base);
        s.updateSeq = readVarInt(in);
        int flags = in.readUnsignedByte();
        s.dirty = (flags & F_DIRTY) != 0;
        s.anyBot = (flags & F_BOT) != 0;
        double sampleRate = (flags & F_SAMPLED) != 0 ? in.readDouble() : 1.0;

        s.dims = SessionDimensions.read(in, sampleRate);

        s.events = readVarInt(in);
        s.pageViews = readVarInt(in);
        s.actions = readVarInt(in);
        s.fetches = readVarInt(in);
        s.failedFetches = readVarInt(in);
        s.errors = readVarInt(in);
        s.lateEvents = readVarInt(in);
        s.clicks.settledUpTo = settledUpTo;
        s.clicks.rageClicks = readVarInt(in);
        s.clicks.errorClicks = readVarInt(in);
        s.clicks.deadClicks = readVarInt(in);

        String[] dict = new String[readVarInt(in)];
        for (int i = 0; i < dict.length; i++) dict[i] = readString(in);
        s.landingRoute = deref(dict, readVarInt(in));
        s.landingOffset = unzigzag(readVarInt(in));
        s.exitRoute = deref(dict, readVarInt(in));
        s.exitOffset = unzigzag(readVarInt(in));

        s.vitals = SessionVitals.read(in);
        s.timeline = SessionTimeline.read(in, dict);
        s.traces = SessionTraces.read(in);
        s.clicks.readTail(in);
        if (format == FORMAT_WITH_ARMS) s.arms = SessionArms.read(in, s.base);
        return s;
    }

    @Override
    public TypeSerializerSnapshot<SessionState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility; the format version lives in the data. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SessionState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
