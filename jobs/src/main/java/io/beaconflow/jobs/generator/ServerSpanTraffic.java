package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.model.RawBeacon;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The SERVER spans of one generator split's backends, as the collector writes them to {@code
 * kafka.server-spans-topic} (docs/rum-events.md, "Server spans"; the collector's {@code
 * ServerSpanTranslator}), in collector-arrival order: one span per fetch an instrumented backend
 * answered ({@link SimEvent.Fetch#served()}), of every view whose beacons are sent.
 *
 * <p>Runs its own {@link TrafficGenerator} for the same (config, seed, split) and listens to the
 * fetches it simulates, so the browser side is untouched: the generator draws exactly the same
 * numbers whether or not anyone listens. Each span is a function of its fetch ({@link
 * ServerTimes}): same trace id, parent = the fetch's span id, the app's service for the call's
 * path, method, route template (without the query, as {@code http.route}), status, start (the
 * fetch's start + the network time on the way in) and duration.
 *
 * <p>Order: a view at simulated time t yields spans received after t, and the generator simulates
 * views in time order, so a span whose arrival is at or before the generator's next beacon can be
 * released: nothing simulated later arrives earlier. Spans arriving at or after a bounded run's end
 * are not sent, like beacons.
 */
public final class ServerSpanTraffic implements GeneratedRecords {
    /** {@link RawBeacon#source} of every generated span record. */
    public static final String SOURCE = "generator-server-spans";

    private final TrafficGenerator traffic;
    private final int splitIndex;
    private final long end;
    private final PriorityQueue<Span> pending =
            new PriorityQueue<>(
                    Comparator.comparingLong((Span s) -> s.receivedAt)
                            .thenComparingLong(s -> s.seq));
    private final StringBuilder sb = new StringBuilder(384);
    private long seq;
    private long position;

    /** A span waiting for its arrival time; rendered only when emitted. */
    private static final class Span {
        long seq;
        String app;
        String service;
        String traceId;
        String spanId;
        String parentSpanId;
        String method;
        String route;
        int status;
        long startMs;
        double durationMs;
        long receivedAt;
    }

    public ServerSpanTraffic(GeneratorConfig config, long seed, int splitIndex, int splitCount) {
        this.traffic = new TrafficGenerator(config, seed, splitIndex, splitCount);
        this.splitIndex = splitIndex;
        this.end = config.endMillis();
        traffic.onServedFetches(this::served);
    }

    private void served(SimSession s, SimEvent.Fetch f) {
        long streamSeed = ServerTimes.seed(f.spanId());
        Span span = new Span();
        span.seq = seq++;
        span.app = s.app.spec.name;
        span.service = s.app.service(f.api());
        span.traceId = f.traceId();
        span.spanId = ServerTimes.spanId(streamSeed);
        span.parentSpanId = f.spanId();
        span.method = f.method();
        String path = f.api().substring(f.api().indexOf(' ') + 1);
        int q = path.indexOf('?');
        span.route = q < 0 ? path : path.substring(0, q);
        span.status = f.status();
        double network = Math.max(0, f.durationMs() - f.serverMs());
        double inbound = network * ServerTimes.inbound(streamSeed);
        span.startMs = f.time() + (long) inbound;
        span.durationMs = f.serverMs();
        span.receivedAt =
                f.time() + (long) Math.ceil(f.durationMs()) + ServerTimes.exportDelayMs(streamSeed);
        pending.add(span);
    }

    /** True when the earliest pending span can be released (see the class comment). */
    private boolean advance() {
        while (true) {
            Span head = pending.peek();
            if (traffic.hasNext()) {
                if (head != null && head.receivedAt <= traffic.peekReceivedAt()) return true;
                traffic.skip(1);
            } else {
                while (head != null && head.receivedAt >= end) {
                    pending.poll();
                    head = pending.peek();
                }
                return head != null;
            }
        }
    }

    @Override
    public boolean hasNext() {
        return advance();
    }

    @Override
    public long peekReceivedAt() {
        if (!advance()) throw new NoSuchElementException();
        return pending.peek().receivedAt;
    }

    @Override
    public RawBeacon next() {
        if (!advance()) throw new NoSuchElementException("bounded run finished");
        Span s = pending.poll();
        return new RawBeacon(render(s), SOURCE, splitIndex, position++, s.receivedAt);
    }

    @Override
    public long skip(long n) {
        long skipped = 0;
        while (skipped < n && advance()) {
            pending.poll();
            position++;
            skipped++;
        }
        return skipped;
    }

    @Override
    public long position() {
        return position;
    }

    /** The browser side of the same split: its counters and ground truth. */
    public TrafficGenerator traffic() {
        return traffic;
    }

    /**
     * The collector's record for an OTLP SERVER span: the same fields in the same order, the
     * duration rounded to the µs as the collector does ({@code ContractEvents.durationMs}), error
     * when the status is a 5xx (an instrumented handler sets span status ERROR then).
     */
    private byte[] render(Span s) {
        sb.setLength(0);
        sb.append("{\"type\":\"server_span\",\"schema_version\":1,\"app\":");
        io.beaconflow.jobs.io.Json.string(sb, s.app);
        sb.append(",\"service\":");
        io.beaconflow.jobs.io.Json.string(sb, s.service);
        sb.append(",\"trace_id\":\"").append(s.traceId);
        sb.append("\",\"span_id\":\"").append(s.spanId);
        sb.append("\",\"parent_span_id\":\"").append(s.parentSpanId);
        sb.append("\",\"method\":\"").append(s.method).append("\",\"route\":");
        io.beaconflow.jobs.io.Json.string(sb, s.route);
        sb.append(",\"status\":").append(s.status);
        sb.append(",\"error\":").append(s.status >= 500);
        sb.append(",\"start_ms\":").append(s.startMs);
        sb.append(",\"duration_ms\":").append(Math.round(s.durationMs * 1000.0) / 1000.0);
        sb.append(",\"received_at\":").append(s.receivedAt).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
