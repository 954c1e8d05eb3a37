package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readString;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.unzigzag;
import static io.beaconflow.jobs.sessions.StateCodec.writeString;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.zigzag;

import io.beaconflow.jobs.model.RumEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The dimensions of one session piece: those of its earliest event, each one that event lacks
 * filled from any event that has it, and the user id of the earliest event that has one (ties: the
 * smallest id), so the result does not depend on arrival order. Owns its add, merge, copy and the
 * dimensions section of {@link SessionStateSerializer}'s format 1 (format 1 writes the sample rate
 * with the state's flags, so the serializer writes that).
 */
public final class SessionDimensions {
    /** Offset of the event the dimensions come from; {@link Integer#MAX_VALUE} before any. */
    public int offset = Integer.MAX_VALUE;

    public String userId;

    /** Offset of the event the user id comes from. */
    public int userOffset = Integer.MAX_VALUE;

    public String release;
    public String environment;
    public String browser;
    public String browserVersion;
    public String os;
    public String deviceType;
    public String country;
    public String networkType;
    public Map<String, String> experiments;
    public double sampleRate = 1.0;

    public SessionDimensions() {}

    /** Folds in the dimensions of an event at {@code off}. */
    void add(RumEvent e, int off) {
        if (off < offset) {
            offset = off;
            release = pick(e.release, release);
            environment = pick(e.environment, environment);
            browser = pick(e.browser, browser);
            browserVersion = pick(e.browserVersion, browserVersion);
            os = pick(e.os, os);
            deviceType = pick(e.deviceType, deviceType);
            country = pick(e.country, country);
            networkType = pick(e.networkType, networkType);
            if (e.experiments != null && !e.experiments.isEmpty()) experiments = e.experiments;
            sampleRate = e.sampleRate;
        } else {
            if (release == null) release = e.release;
            if (environment == null) environment = e.environment;
            if (browser == null) browser = e.browser;
            if (browserVersion == null) browserVersion = e.browserVersion;
            if (os == null) os = e.os;
            if (deviceType == null) deviceType = e.deviceType;
            if (country == null) country = e.country;
            if (networkType == null) networkType = e.networkType;
            if (experiments == null && e.experiments != null && !e.experiments.isEmpty()) {
                experiments = e.experiments;
            }
        }
        user(e.userId, off);
    }

    private void user(String id, int off) {
        if (id != null
                && (userId == null
                        || off < userOffset
                        || (off == userOffset && id.compareTo(userId) < 0))) {
            userId = id;
            userOffset = off;
        }
    }

    private static String pick(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }

    /** Adds another piece's dimensions; {@code delta} moves its offsets onto this piece's base. */
    void merge(SessionDimensions o, int delta) {
        if (o.offset != Integer.MAX_VALUE) {
            // The other piece's dimensions as one event at the time they were taken from.
            RumEvent dims = new RumEvent();
            dims.release = o.release;
            dims.environment = o.environment;
            dims.browser = o.browser;
            dims.browserVersion = o.browserVersion;
            dims.os = o.os;
            dims.deviceType = o.deviceType;
            dims.country = o.country;
            dims.networkType = o.networkType;
            dims.experiments = o.experiments;
            dims.sampleRate = o.sampleRate;
            dims.userId = null;
            add(dims, o.offset + delta);
        }
        user(o.userId, o.userOffset + delta);
    }

    /** Copies the dimensions onto the output record. */
    void fill(SessionRecord o) {
        o.userId = userId;
        o.release = release;
        o.environment = environment;
        o.browser = browser;
        o.browserVersion = browserVersion;
        o.os = os;
        o.deviceType = deviceType;
        o.country = country;
        o.networkType = networkType;
        o.experiments = experiments == null ? null : new HashMap<>(experiments);
        o.sampleRate = sampleRate;
    }

    SessionDimensions copy() {
        SessionDimensions c = new SessionDimensions();
        c.offset = offset;
        c.userId = userId;
        c.userOffset = userOffset;
        c.release = release;
        c.environment = environment;
        c.browser = browser;
        c.browserVersion = browserVersion;
        c.os = os;
        c.deviceType = deviceType;
        c.country = country;
        c.networkType = networkType;
        c.experiments = experiments == null ? null : new HashMap<>(experiments);
        c.sampleRate = sampleRate;
        return c;
    }

    boolean sameAs(SessionDimensions o) {
        return offset == o.offset
                && userOffset == o.userOffset
                && Double.compare(sampleRate, o.sampleRate) == 0
                && Objects.equals(userId, o.userId)
                && Objects.equals(release, o.release)
                && Objects.equals(environment, o.environment)
                && Objects.equals(browser, o.browser)
                && Objects.equals(browserVersion, o.browserVersion)
                && Objects.equals(os, o.os)
                && Objects.equals(deviceType, o.deviceType)
                && Objects.equals(country, o.country)
                && Objects.equals(networkType, o.networkType)
                && Objects.equals(experiments, o.experiments);
    }

    /** The offsets zig-zag, the strings in a fixed order, experiments as count + 1 (0 = none). */
    void write(DataOutputView out) throws IOException {
        writeVarInt(out, zigzag(offset));
        writeString(out, userId);
        writeVarInt(out, zigzag(userOffset));
        writeString(out, release);
        writeString(out, environment);
        writeString(out, browser);
        writeString(out, browserVersion);
        writeString(out, os);
        writeString(out, deviceType);
        writeString(out, country);
        writeString(out, networkType);
        if (experiments == null) {
            writeVarInt(out, 0);
        } else {
            writeVarInt(out, experiments.size() + 1);
            for (Map.Entry<String, String> e : experiments.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        }
    }

    /** Reads the section {@link #write} wrote; the sample rate is the caller's. */
    static SessionDimensions read(DataInputView in, double sampleRate) throws IOException {
        SessionDimensions d = new SessionDimensions();
        d.sampleRate = sampleRate;
        d.offset = unzigzag(readVarInt(in));
        d.userId = readString(in);
        d.userOffset = unzigzag(readVarInt(in));
        d.release = readString(in);
        d.environment = readString(in);
        d.browser = readString(in);
        d.browserVersion = readString(in);
        d.os = readString(in);
        d.deviceType = readString(in);
        d.country = readString(in);
        d.networkType = readString(in);
        int experiments = readVarInt(in);
        if (experiments > 0) {
            d.experiments = new HashMap<>();
            for (int i = 0; i < experiments - 1; i++) {
                d.experiments.put(readString(in), readString(in));
            }
        }
        return d;
    }
}
