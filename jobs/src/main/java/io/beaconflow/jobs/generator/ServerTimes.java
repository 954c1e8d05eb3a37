package io.beaconflow.jobs.generator;

/**
 * The model of a backend's share of an API call, drawn from the call's own random stream: a hash of
 * its span id, never the split's {@link Rng}. Drawing server times from the main stream would shift
 * every later draw, so adding backends to a config would change every byte of the browser traffic
 * after the first fetch; this way the beacons stay byte-identical (TrafficGeneratorGoldenTest) and
 * a span is a pure function of its fetch.
 *
 * <p>The model: of the time the browser waited for a call, the server spent a share drawn uniformly
 * from [{@link #MIN_SHARE}, {@link #MAX_SHARE}] (a typical API call on a decent network: most of
 * the time is the handler, the rest DNS, connect, TLS, transfer and queueing); a share (uniform in
 * [0.3, 0.7]) of the rest passes before the server's span starts (the request's way in), the
 * remainder after it ends (the response's way out). The span reaches the collector 1-5 s after it
 * ends (an OpenTelemetry batch span processor's schedule delay).
 */
final class ServerTimes {
    static final double MIN_SHARE = 0.55;
    static final double MAX_SHARE = 0.9;

    private static final long SALT = 0x5EB7E45EB7E4L;

    private ServerTimes() {}

    /** The call's own stream: a seed from its span id (16 hex digits). */
    static long seed(String spanId) {
        return Rng.mix(Long.parseUnsignedLong(spanId, 16) ^ SALT);
    }

    /** The k-th uniform draw in [0, 1) of the stream {@code seed}. */
    static double unit(long seed, int k) {
        return (Rng.mix(seed + k * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
    }

    /** Share of the client's time the server spent, in [MIN_SHARE, MAX_SHARE). */
    static double share(long seed) {
        return MIN_SHARE + (MAX_SHARE - MIN_SHARE) * unit(seed, 1);
    }

    /** Share of the network time that passes before the server's span starts. */
    static double inbound(long seed) {
        return 0.3 + 0.4 * unit(seed, 2);
    }

    /** Time from the span's end until the collector receives it, ms. */
    static long exportDelayMs(long seed) {
        return 1000 + (long) (4000 * unit(seed, 3));
    }

    /** The server span's own id: 16 hex digits, never zero. */
    static String spanId(long seed) {
        long id = Rng.mix(seed + 4 * 0x9E3779B97F4A7C15L);
        return Rng.hex(id == 0 ? 1 : id, 16);
    }
}
