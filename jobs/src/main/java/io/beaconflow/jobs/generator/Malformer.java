package io.beaconflow.jobs.generator;

import java.nio.charset.StandardCharsets;

/**
 * Broken records, which the ingest stage must reject with a reason (never crash, never drop
 * silently): one per {@link MalformedKind}, each a plausible single-event beacon of the session
 * damaged the way real clients and proxies damage them.
 */
final class Malformer {
    private final Rng rnd;
    private final BeaconRenderer renderer;

    Malformer(Rng rnd, BeaconRenderer renderer) {
        this.rnd = rnd;
        this.renderer = renderer;
    }

    /**
     * A broken beacon sent along with a batch whose first event is {@code first}: a ping fetch of
     * the same view, damaged in one of the ways of {@link MalformedKind}.
     */
    SimItem.Beacon draw(SimSession s, SimEvent first, long sent, long received) {
        MalformedKind kind = MalformedKind.values()[rnd.nextInt(MalformedKind.values().length)];
        String id = rnd.uuid();
        SimEvent.Fetch ping =
                new SimEvent.Fetch(
                        first.time(),
                        id,
                        first.viewId(),
                        first.url(),
                        -1,
                        "https://" + s.app.apiHost + "/api/v1/ping",
                        "GET",
                        200,
                        rnd.lognormal(140, 0.7),
                        null,
                        null,
                        null,
                        Double.NaN);
        SimItem.Beacon b = new SimItem.Beacon();
        b.s = s;
        b.events = new SimEvent[] {ping};
        b.sent = sent;
        b.time = received + rnd.nextInt(1000);
        b.malformed = kind;
        b.param = rnd.nextInt(1_000_000);
        b.single = true;
        return b;
    }

    /** The bytes of a broken beacon. */
    byte[] render(SimItem.Beacon b) {
        StringBuilder out = new StringBuilder(1024);
        SimEvent e = b.events[0];
        switch (b.malformed) {
            case NOT_JSON:
                return Catalog.NOT_JSON[b.param % Catalog.NOT_JSON.length].getBytes(
                        StandardCharsets.UTF_8);
            case TRUNCATED_JSON:
                {
                    renderer.event(out, b.s, e, b, BeaconRenderer.Mode.OK);
                    int cut = 1 + (int) ((long) b.param * (out.length() - 2) / 1_000_000);
                    return out.substring(0, cut).getBytes(StandardCharsets.UTF_8);
                }
            case INVALID_UTF8:
                {
                    renderer.event(out, b.s, e, b, BeaconRenderer.Mode.OK);
                    byte[] ok = out.toString().getBytes(StandardCharsets.UTF_8);
                    int at = out.indexOf("\"page_url\":\"") + 12;
                    byte[] bad = new byte[ok.length + 2];
                    System.arraycopy(ok, 0, bad, 0, at);
                    bad[at] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
                    bad[at + 1] = (byte) 0x28;
                    System.arraycopy(ok, at, bad, at + 2, ok.length - at);
                    return bad;
                }
            case WRONG_FIELD_TYPES:
                renderer.event(out, b.s, e, b, WRONG_TYPES[b.param % WRONG_TYPES.length]);
                break;
            case UNKNOWN_EVENT_TYPE:
                renderer.event(out, b.s, e, b, BeaconRenderer.Mode.UNKNOWN_TYPE);
                break;
            case NEGATIVE_DURATION:
                renderer.event(out, b.s, e, b, BeaconRenderer.Mode.NEGATIVE);
                break;
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final BeaconRenderer.Mode[] WRONG_TYPES = {
        BeaconRenderer.Mode.STRING_TIME,
        BeaconRenderer.Mode.STRING_DURATION,
        BeaconRenderer.Mode.NUMERIC_ID
    };
}
