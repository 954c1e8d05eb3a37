package io.beaconflow.collector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.config.Durations;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./beaconflow collect-bench}: load on a running collector with the requests a real SDK sent
 * (the captured Faro traffic by default), over N keep-alive connections for a fixed time, each
 * connection sending its next request as soon as the previous one is answered (a closed loop, so
 * the rate measured is what the collector sustains with N requests in flight). Prints requests/s,
 * the answers by status, connection errors and the latency from sending a request to reading its
 * answer (the collector answers only after Kafka acknowledged, so this is the ack latency a browser
 * sees), p50 / p90 / p99 / max. A warm-up (JIT, producer batching) is excluded.
 */
@Command(
        name = "collect-bench",
        mixinStandardHelpOptions = true,
        description = {
            "Posts captured SDK requests to a running collector over N keep-alive connections for a"
                    + " duration; prints requests/s, answers by status, connection errors and ack"
                    + " latency p50/p90/p99/max. The collector's per-client rate limit applies:"
                    + " run it with a raised rate-limit for a load test (429s are counted)."
        })
public final class CollectBench implements Callable<Integer> {
    @Option(
            names = "--url",
            description = "the collector's base URL (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:BEACONFLOW_COLLECTOR_URL:-http://127.0.0.1:4318}")
    String url;

    @Option(
            names = {"-c", "--connections"},
            description = "concurrent keep-alive connections (default: ${DEFAULT-VALUE})",
            defaultValue = "64")
    int connections;

    @Option(
            names = {"-d", "--duration"},
            description = "measured time, e.g. 30s, 2m (default: ${DEFAULT-VALUE})",
            defaultValue = "30s")
    String duration;

    @Option(
            names = "--warmup",
            description = "unmeasured time before it (default: ${DEFAULT-VALUE})",
            defaultValue = "5s")
    String warmup;

    @Option(
            names = "--requests",
            description =
                    "captured requests, NDJSON {method, path, headers, body_text} as in"
                            + " shared/fixtures/sdk-payloads (default: ${DEFAULT-VALUE})",
            defaultValue = "collector/src/test/resources/sdk-payloads/faro.requests.ndjson")
    Path requests;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (connections < 1 || connections > 4096) {
            System.err.println("collect-bench: --connections must be 1..4096, got " + connections);
            return 2;
        }
        Duration measure = Durations.parse(duration);
        Duration warm = Durations.parse(warmup);
        List<byte[]> payloads = load(requests, URI.create(url));
        if (payloads.isEmpty()) {
            System.err.println("collect-bench: no POST requests in " + requests);
            return 2;
        }
        long bodies = 0;
        for (byte[] p : payloads) bodies += p.length;
        System.out.printf(
                "collect-bench: %s, %d connections, %d s measured after %d s warm-up, %d captured"
                        + " requests from %s (mean %d bytes with headers)%n",
                url,
                connections,
                measure.toSeconds(),
                warm.toSeconds(),
                payloads.size(),
                requests,
                bodies / payloads.size());
        Result r = run(URI.create(url), payloads, connections, warm, measure);
        System.out.println(r.report());
        if (r.byStatus().getOrDefault(429, 0L) > 0) {
            System.out.println(
                    "note: 429 = the collector's per-client rate limit (rate-limit in its config)"
                            + " throttled this one-address load; raise it for a load test.");
        }
        return r.ok() > 0 ? 0 : 1;
    }

    /** What one run measured. Latencies in nanoseconds, sorted. */
    public record Result(
            double seconds,
            Map<Integer, Long> byStatus,
            long connectionErrors,
            long[] latenciesNanos) {
        public long answered() {
            long n = 0;
            for (long v : byStatus.values()) n += v;
            return n;
        }

        public long ok() {
            long n = 0;
            for (Map.Entry<Integer, Long> e : byStatus.entrySet()) {
                if (e.getKey() >= 200 && e.getKey() < 300) n += e.getValue();
            }
            return n;
        }

        public double percentileMillis(double p) {
            if (latenciesNanos.length == 0) return Double.NaN;
            int i = (int) Math.ceil(p / 100.0 * latenciesNanos.length) - 1;
            return latenciesNanos[Math.max(0, Math.min(latenciesNanos.length - 1, i))] / 1e6;
        }

        public String report() {
            return String.format(
                    "requests: %d answered in %.1f s = %.0f requests/s (2xx: %d = %.0f/s); by status"
                            + " %s; connection errors %d%n"
                            + "ack latency (request sent -> answer read): p50 %.2f ms, p90 %.2f ms,"
                            + " p99 %.2f ms, max %.2f ms",
                    answered(),
                    seconds,
                    answered() / seconds,
                    ok(),
                    ok() / seconds,
                    byStatus,
                    connectionErrors,
                    percentileMillis(50),
                    percentileMillis(90),
                    percentileMillis(99),
                    percentileMillis(100));
        }
    }

    /**
     * Runs the closed loop: every connection sends its next request when the previous one is
     * answered. Only answers read within the measured window count; a connection that fails is
     * counted and reopened.
     */
    public static Result run(
            URI base, List<byte[]> payloads, int connections, Duration warmup, Duration measure)
            throws InterruptedException {
        long start = System.nanoTime() + warmup.toNanos();
        long end = start + measure.toNanos();
        Worker[] workers = new Worker[connections];
        Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            workers[i] = new Worker(base, payloads, i, start, end);
            threads[i] = new Thread(workers[i], "collect-bench-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        for (Thread t : threads) t.join();
        Map<Integer, Long> byStatus = new TreeMap<>();
        long errors = 0;
        int total = 0;
        for (Worker w : workers) {
            w.byStatus.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
            errors += w.errors;
            total += w.count;
        }
        long[] all = new long[total];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
        }
        Arrays.sort(all);
        return new Result(measure.toNanos() / 1e9, byStatus, errors, all);
    }

    private static final class Worker implements Runnable {
        final URI base;
        final List<byte[]> payloads;
        final long start;
        final long end;
        int next;
        final Map<Integer, Long> byStatus = new TreeMap<>();
        long errors;
        long[] latencies = new long[4096];
        int count;

        Worker(URI base, List<byte[]> payloads, int offset, long start, long end) {
            this.base = base;
            this.payloads = payloads;
            this.next = offset;
            this.start = start;
            this.end = end;
        }

        @Override
        public void run() {
            while (System.nanoTime() < end) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(base.getHost(), port(base)), 5000);
                    s.setSoTimeout(60_000);
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    while (true) {
                        long sent = System.nanoTime();
                        if (sent >= end) return;
                        out.write(payloads.get(next++ % payloads.size()));
                        out.flush();
                        Answer a = readResponse(in);
                        long done = System.nanoTime();
                        if (done >= start && done < end) {
                            byStatus.merge(a.status(), 1L, Long::sum);
                            if (count == latencies.length) {
                                latencies = Arrays.copyOf(latencies, count * 2);
                            }
                            latencies[count++] = done - sent;
                        }
                        if (a.close()) break; // the collector closes after some answers (503)
                    }
                } catch (IOException e) {
                    if (System.nanoTime() >= start && System.nanoTime() < end) errors++;
                }
            }
        }
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : 80;
    }

    record Answer(int status, boolean close) {}

    /** Reads one HTTP/1.1 response with Content-Length: its status and whether it closes. */
    static Answer readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int length = 0;
        boolean close = false;
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed");
            if (c == '\n') {
                String l = line.toString().trim();
                line.setLength(0);
                if (l.isEmpty()) break;
                if (status < 0) status = Integer.parseInt(l.substring(9, 12));
                else if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(l.substring(15).trim());
                } else if (l.regionMatches(true, 0, "connection:", 0, 11)) {
                    close = l.substring(11).trim().equalsIgnoreCase("close");
                }
            } else {
                line.append((char) c);
            }
        }
        in.skipNBytes(length); // EOFException when the connection closes mid-body
        return new Answer(status, close);
    }

    /**
     * The POST requests of a capture as raw HTTP/1.1 bytes with their SDK headers (origin, content
     * type, user agent, Faro's session header) and a Host for {@code base}.
     */
    public static List<byte[]> load(Path file, URI base) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<byte[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = json.readTree(line);
            if (!n.path("method").asText().equals("POST")) continue;
            byte[] body = n.path("body_text").asText().getBytes(StandardCharsets.UTF_8);
            StringBuilder head =
                    new StringBuilder("POST ")
                            .append(n.path("path").asText())
                            .append(" HTTP/1.1\r\nHost: ")
                            .append(base.getHost())
                            .append(':')
                            .append(port(base))
                            .append("\r\n");
            JsonNode h = n.path("headers");
            for (String name :
                    List.of("origin", "content-type", "user-agent", "x-faro-session-id")) {
                if (h.hasNonNull(name)) {
                    head.append(name).append(": ").append(h.get(name).asText()).append("\r\n");
                }
            }
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            byte[] hb = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = Arrays.copyOf(hb, hb.length + body.length);
            System.arraycopy(body, 0, all, hb.length, body.length);
            out.add(all);
        }
        return out;
    }
}
