package io.beaconflow.jobs.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink serializer for {@link RumEvent}: the record every event is shipped as from the ingest
 * router to deduplication (and to the click and error stages), so it is on the hottest path of the
 * job.
 *
 * <p><b>Why not the POJO serializer.</b> Flink's {@code PojoSerializer} writes a null flag per
 * field and reads and writes each field through reflection; with ~50 fields, most of them null for
 * any one event type, that was ~14 % of the pipeline's CPU in {@code ./beaconflow bench} (JFR).
 * Here one {@code long} says which of the 44 reference fields (and the route-change flag) are
 * present, and only those follow, read and written by direct field access.
 *
 * <p><b>Format</b> (version 1): the presence mask (bit i = reference field i in the order of {@link
 * #serialize}), the primitive fields, then the present reference fields; strings as Flink's {@link
 * StringValue} (the same encoding the POJO serializer used), maps as a size and key/value strings
 * (null values allowed), numbers boxed in the event as their primitive.
 *
 * <p>{@link RumEvent} travels between operators and is kept in no keyed or operator state today, so
 * the format only has to agree between the tasks of one job; the snapshot names the serializer so
 * that a future use in state restores with it (a format change then needs a new version). Adding a
 * field to {@link RumEvent} needs a line here: {@code RumEventSerializerTest} fills every declared
 * field by reflection and fails on any field that does not survive a round trip.
 */
public final class RumEventSerializer extends MutableTypeSerializer<RumEvent> {
    private static final long serialVersionUID = 1L;

    public static final RumEventSerializer INSTANCE = new RumEventSerializer();

    private static final EventType[] TYPES = EventType.values();

    @Override
    public RumEvent createInstance() {
        return new RumEvent();
    }

    @Override
    public RumEvent copy(RumEvent from) {
        return copyOf(from);
    }

    /**
     * A map copy that keeps the iteration order: enrichment leaves experiments sorted (a {@link
     * TreeMap}, which the metrics fan-out relies on to skip sorting), and outputs list them in that
     * order.
     */
    private static Map<String, String> copyOf(Map<String, String> m) {
        return m instanceof TreeMap
                ? new TreeMap<>((TreeMap<String, String>) m)
                : new LinkedHashMap<>(m);
    }

    /** A copy that shares the immutable values and copies the maps. */
    static RumEvent copyOf(RumEvent e) {
        RumEvent c = new RumEvent();
        c.schemaVersion = e.schemaVersion;
        c.eventId = e.eventId;
        c.type = e.type;
        c.app = e.app;
        c.release = e.release;
        c.environment = e.environment;
        c.sessionId = e.sessionId;
        c.viewId = e.viewId;
        c.userId = e.userId;
        c.occurredAt = e.occurredAt;
        c.sentAt = e.sentAt;
        c.receivedAt = e.receivedAt;
        c.eventTime = e.eventTime;
        c.pageUrl = e.pageUrl;
        c.route = e.route;
        c.referrer = e.referrer;
        c.userAgent = e.userAgent;
        c.clientIp = e.clientIp;
        c.country = e.country;
        c.networkType = e.networkType;
        c.experiments = e.experiments == null ? null : copyOf(e.experiments);
        c.sampleRate = e.sampleRate;
        c.browser = e.browser;
        c.browserVersion = e.browserVersion;
        c.os = e.os;
        c.deviceType = e.deviceType;
        c.bot = e.bot;
        c.browserMajor = e.browserMajor;
        c.ttfbMs = e.ttfbMs;
        c.domContentLoadedMs = e.domContentLoadedMs;
        c.loadMs = e.loadMs;
        c.vitalName = e.vitalName;
        c.vitalValue = e.vitalValue;
        c.vitalRating = e.vitalRating;
        c.fetchUrl = e.fetchUrl;
        c.fetchMethod = e.fetchMethod;
        c.fetchStatus = e.fetchStatus;
        c.fetchDurationMs = e.fetchDurationMs;
        c.traceId = e.traceId;
        c.spanId = e.spanId;
        c.endpoint = e.endpoint;
        c.errorType = e.errorType;
        c.errorMessage = e.errorMessage;
        c.errorStack = e.errorStack;
        c.errorFingerprint = e.errorFingerprint;
        c.actionType = e.actionType;
        c.actionTarget = e.actionTarget;
        c.actionName = e.actionName;
        c.customName = e.customName;
        c.customValue = e.customValue;
        c.customAttributes = e.customAttributes == null ? null : copyOf(e.customAttributes);
        c.routeChange = e.routeChange;
        c.routeChangeMs = e.routeChangeMs;
        return c;
    }

    private static long bit(Object field, int i) {
        return field == null ? 0 : 1L << i;
    }

    @Override
    public void serialize(RumEvent e, DataOutputView out) throws IOException {
        long mask =
                bit(e.eventId, 0)
                        | bit(e.type, 1)
                        | bit(e.app, 2)
                        | bit(e.release, 3)
                        | bit(e.environment, 4)
                        | bit(e.sessionId, 5)
                        | bit(e.viewId, 6)
                        | bit(e.userId, 7)
                        | bit(e.pageUrl, 8)
                        | bit(e.route, 9)
                        | bit(e.referrer, 10)
                        | bit(e.userAgent, 11)
                        | bit(e.clientIp, 12)
                        | bit(e.country, 13)
                        | bit(e.networkType, 14)
                        | bit(e.experiments, 15)
                        | bit(e.browser, 16)
                        | bit(e.browserVersion, 17)
                        | bit(e.os, 18)
                        | bit(e.deviceType, 19)
                        | bit(e.browserMajor, 20)
                        | bit(e.ttfbMs, 21)
                        | bit(e.domContentLoadedMs, 22)
                        | bit(e.loadMs, 23)
                        | bit(e.vitalName, 24)
                        | bit(e.vitalValue, 25)
                        | bit(e.vitalRating, 26)
                        | bit(e.fetchUrl, 27)
                        | bit(e.fetchMethod, 28)
                        | bit(e.fetchStatus, 29)
                        | bit(e.fetchDurationMs, 30)
                        | bit(e.traceId, 31)
                        | bit(e.spanId, 32)
                        | bit(e.endpoint, 33)
                        | bit(e.errorType, 34)
                        | bit(e.errorMessage, 35)
                        | bit(e.errorStack, 36)
                        | bit(e.errorFingerprint, 37)
                        | bit(e.actionType, 38)
                        | bit(e.actionTarget, 39)
                        | bit(e.actionName, 40)
                        | bit(e.customName, 41)
                        | bit(e.customValue, 42)
                        | bit(e.customAttributes, 43)
                        // a flag without payload: the mask bit is the value
                        | (e.routeChange ? 1L << 44 : 0)
                        | bit(e.routeChangeMs, 45);
        out.writeLong(mask);
        out.writeInt(e.schemaVersion);
        out.writeLong(e.occurredAt);
        out.writeLong(e.sentAt);
        out.writeLong(e.receivedAt);
        out.writeLong(e.eventTime);
        out.writeDouble(e.sampleRate);
        out.writeBoolean(e.bot);
        str(mask, 0, e.eventId, out);
        if (e.type != null) out.writeByte(e.type.ordinal());
        str(mask, 2, e.app, out);
        str(mask, 3, e.release, out);
        str(mask, 4, e.environment, out);
        str(mask, 5, e.sessionId, out);
        str(mask, 6, e.viewId, out);
        str(mask, 7, e.userId, out);
        str(mask, 8, e.pageUrl, out);
        str(mask, 9, e.route, out);
        str(mask, 10, e.referrer, out);
        str(mask, 11, e.userAgent, out);
        str(mask, 12, e.clientIp, out);
        str(mask, 13, e.country, out);
        str(mask, 14, e.networkType, out);
        if (e.experiments != null) map(e.experiments, out);
        str(mask, 16, e.browser, out);
        str(mask, 17, e.browserVersion, out);
        str(mask, 18, e.os, out);
        str(mask, 19, e.deviceType, out);
        str(mask, 20, e.browserMajor, out);
        if (e.ttfbMs != null) out.writeDouble(e.ttfbMs);
        if (e.domContentLoadedMs != null) out.writeDouble(e.domContentLoadedMs);
        if (e.loadMs != null) out.writeDouble(e.loadMs);
        str(mask, 24, e.vitalName, out);
        if (e.vitalValue != null) out.writeDouble(e.vitalValue);
        str(mask, 26, e.vitalRating, out);
        str(mask, 27, e.fetchUrl, out);
        str(mask, 28, e.fetchMethod, out);
        if (e.fetchStatus != null) out.writeInt(e.fetchStatus);
        if (e.fetchDurationMs != null) out.writeDouble(e.fetchDurationMs);
        str(mask, 31, e.traceId, out);
        str(mask, 32, e.spanId, out);
        str(mask, 33, e.endpoint, out);
        str(mask, 34, e.errorType, out);
        str(mask, 35, e.errorMessage, out);
        str(mask, 36, e.errorStack, out);
        str(mask, 37, e.errorFingerprint, out);
        str(mask, 38, e.actionType, out);
        str(mask, 39, e.actionTarget, out);
        str(mask, 40, e.actionName, out);
        str(mask, 41, e.customName, out);
        if (e.customValue != null) out.writeDouble(e.customValue);
        if (e.customAttributes != null) map(e.customAttributes, out);
        if (e.routeChangeMs != null) out.writeDouble(e.routeChangeMs);
    }

    private static void str(long mask, int i, String s, DataOutputView out) throws IOException {
        if ((mask & (1L << i)) != 0) writeString(s, out);
    }

    /**
     * A string: ASCII (nearly every id, URL, route and user agent) as a length and one byte per
     * char, bulk-copied; anything else as Flink's {@link StringValue}, which keeps every char
     * exactly (lone surrogates included). The first int tells which: {@code len << 1 | 1} for
     * ASCII, 0 for the other form. {@code StringValue} alone wrote char by char through the output
     * and read through a thread-local buffer: ~9 % of the pipeline's CPU.
     */
    @SuppressWarnings(
            "deprecation") // String.getBytes(int, int, byte[], int): exactly the low bytes
    static void writeString(String s, DataOutputView out) throws IOException {
        int n = s.length();
        for (int k = 0; k < n; k++) {
            if (s.charAt(k) >= 0x80) {
                out.writeInt(0);
                StringValue.writeString(s, out);
                return;
            }
        }
        out.writeInt(n << 1 | 1);
        // Not DataOutputView.writeBytes: with Flink's DataOutputSerializer it left extra bytes in
        // the output (RumEventSerializerTest caught it). The low byte of each char is ASCII here.
        byte[] bytes = new byte[n];
        s.getBytes(0, n, bytes, 0);
        out.write(bytes);
    }

    static String readString(DataInputView in) throws IOException {
        int header = in.readInt();
        if ((header & 1) == 0) return StringValue.readString(in);
        byte[] bytes = new byte[header >>> 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static void map(Map<String, String> m, DataOutputView out) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, String> x : m.entrySet()) {
            nullableString(x.getKey(), out);
            nullableString(x.getValue(), out);
        }
    }

    private static void nullableString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) writeString(s, out);
    }

    private static String nullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    private static boolean has(long mask, int i) {
        return (mask & (1L << i)) != 0;
    }

    private static String str(long mask, int i, DataInputView in) throws IOException {
        return has(mask, i) ? readString(in) : null;
    }

    private static Map<String, String> map(DataInputView in) throws IOException {
        int n = in.readInt();
        // In the order written, which was the sender's iteration order (sorted for experiments).
        Map<String, String> m = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            String k = nullableString(in);
            m.put(k, nullableString(in));
        }
        return m;
    }

    @Override
    public RumEvent deserialize(DataInputView in) throws IOException {
        RumEvent e = new RumEvent();
        long mask = in.readLong();
        e.schemaVersion = in.readInt();
        e.occurredAt = in.readLong();
        e.sentAt = in.readLong();
        e.receivedAt = in.readLong();
        e.eventTime = in.readLong();
        e.sampleRate = in.readDouble();
        e.bot = in.readBoolean();
        e.eventId = str(mask, 0, in);
        if (has(mask, 1)) e.type = TYPES[in.readUnsignedByte()];
        e.app = str(mask, 2, in);
        e.release = str(mask, 3, in);
        e.environment = str(mask, 4, in);
        e.sessionId = str(mask, 5, in);
        e.viewId = str(mask, 6, in);
        e.userId = str(mask, 7, in);
        e.pageUrl = str(mask, 8, in);
        e.route = str(mask, 9, in);
        e.referrer = str(mask, 10, in);
        e.userAgent = str(mask, 11, in);
        e.clientIp = str(mask, 12, in);
        e.country = str(mask, 13, in);
        e.networkType = str(mask, 14, in);
        if (has(mask, 15)) e.experiments = map(in);
        e.browser = str(mask, 16, in);
        e.browserVersion = str(mask, 17, in);
        e.os = str(mask, 18, in);
        e.deviceType = str(mask, 19, in);
        e.browserMajor = str(mask, 20, in);
        if (has(mask, 21)) e.ttfbMs = in.readDouble();
        if (has(mask, 22)) e.domContentLoadedMs = in.readDouble();
        if (has(mask, 23)) e.loadMs = in.readDouble();
        e.vitalName = str(mask, 24, in);
        if (has(mask, 25)) e.vitalValue = in.readDouble();
        e.vitalRating = str(mask, 26, in);
        e.fetchUrl = str(mask, 27, in);
        e.fetchMethod = str(mask, 28, in);
        if (has(mask, 29)) e.fetchStatus = in.readInt();
        if (has(mask, 30)) e.fetchDurationMs = in.readDouble();
        e.traceId = str(mask, 31, in);
        e.spanId = str(mask, 32, in);
        e.endpoint = str(mask, 33, in);
        e.errorType = str(mask, 34, in);
        e.errorMessage = str(mask, 35, in);
        e.errorStack = str(mask, 36, in);
        e.errorFingerprint = str(mask, 37, in);
        e.actionType = str(mask, 38, in);
        e.actionTarget = str(mask, 39, in);
        e.actionName = str(mask, 40, in);
        e.customName = str(mask, 41, in);
        if (has(mask, 42)) e.customValue = in.readDouble();
        if (has(mask, 43)) e.customAttributes = map(in);
        e.routeChange = has(mask, 44);
        if (has(mask, 45)) e.routeChangeMs = in.readDouble();
        return e;
    }

    @Override
    public TypeSerializerSnapshot<RumEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Names this serializer (version 1 of the format) in snapshots. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RumEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
