package io.beaconflow.jobs.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of a real Elasticsearch that injects faults into bulk
 * requests ({@code POST /_bulk}); every other request (index templates, index creation) is
 * forwarded untouched. Plain sockets, so it can do what a well-behaved HTTP server cannot: reset
 * the TCP connection halfway through reading a request.
 *
 * <p>A {@link Plan} decides, per bulk request (numbered from 1 in arrival order), what happens:
 * forward it, answer without forwarding (429, 5xx, 413), forward part of it and splice a refused
 * item into the real response, forward it and answer too late, or reset the connection.
 *
 * <p>Every response carries {@code Connection: close}, so each request arrives on a fresh
 * connection and a fault never leaks into the next request.
 */
final class FaultInjectingProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hop-by-hop and client-managed headers that are not forwarded. */
    private static final Set<String> NOT_FORWARDED =
            Set.of(
                    "connection",
                    "content-length",
                    "expect",
                    "host",
                    "upgrade",
                    "keep-alive",
                    "transfer-encoding",
                    "te",
                    "accept-encoding");

    /** One request as the proxy read it. */
    static final class Request {
        final String method;
        final String path;
        final Map<String, String> headers;
        final byte[] body;

        Request(String method, String path, Map<String, String> headers, byte[] body) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
        }

        /** The document ids of a bulk body, in order. */
        List<String> bulkIds() {
            List<String> ids = new ArrayList<>();
            for (BulkLine op : BulkLine.parse(body)) ids.add(op.id);
            return ids;
        }
    }

    /** A response to write back. */
    static final class Reply {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Reply(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        /** What a load balancer in front of the cluster says: HTML, no Elasticsearch header. */
        static Reply fromLoadBalancer(int status, String reason) {
            String html = "<html><body><h1>" + status + " " + reason + "</h1></body></html>";
            return new Reply(
                    status,
                    Map.of("Content-Type", "text/html"),
                    html.getBytes(StandardCharsets.UTF_8));
        }

        /** What Elasticsearch itself says for a request-level error. */
        static Reply fromElasticsearch(int status, String type, String reason) {
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("type", type).put("reason", reason);
            error.put("status", status);
            return new Reply(
                    status,
                    Map.of(
                            "Content-Type", "application/json",
                            "X-elastic-product", "Elasticsearch"),
                    error.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Sends a (possibly rewritten) request body on to Elasticsearch. */
    interface Forward {
        Reply send(byte[] body) throws IOException;
    }

    /** What to do with one bulk request. */
    interface Plan {
        /** Reads about half the request, then resets the connection (TCP RST). */
        Plan RESET_MID_REQUEST = (request, forward) -> null;

        /** Forwards unchanged. */
        Plan FORWARD = (request, forward) -> forward.send(request.body);

        /** The reply for {@code request}; null only for {@link #RESET_MID_REQUEST}. */
        Reply handle(Request request, Forward forward) throws IOException;

        /** Answers without forwarding. */
        static Plan answer(Reply reply) {
            return (request, forward) -> reply;
        }

        /** Forwards, then waits {@code delay} before answering (a slow or stalled node). */
        static Plan forwardThenStall(Duration delay) {
            return (request, forward) -> {
                Reply r = forward.send(request.body);
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return r;
            };
        }

        /**
         * Forwards the request without the documents {@code refused} matches, and answers with
         * Elasticsearch's real response plus, at each refused document's position, an item with
         * {@code status} and the error {@code type}: a partial failure as Elasticsearch reports it,
         * with the refused documents really not indexed.
         */
        static Plan refuseItems(Predicate<String> refused, int status, String type) {
            return (request, forward) -> {
                List<BulkLine> lines = BulkLine.parse(request.body);
                ByteArrayOutputStream kept = new ByteArrayOutputStream();
                List<Integer> refusedAt = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    if (refused.test(lines.get(i).id)) {
                        refusedAt.add(i);
                    } else {
                        kept.write(lines.get(i).bytes);
                    }
                }
                if (refusedAt.isEmpty()) return forward.send(request.body);
                ArrayNode items;
                ObjectNode response;
                if (kept.size() > 0) {
                    Reply real = forward.send(kept.toByteArray());
                    if (real.status != 200) return real;
                    response = (ObjectNode) JSON.readTree(real.body);
                    items = (ArrayNode) response.get("items");
                } else {
                    response = JSON.createObjectNode().put("took", 1);
                    items = response.putArray("items");
                }
                for (int i : refusedAt) {
                    BulkLine line = lines.get(i);
                    ObjectNode item = JSON.createObjectNode();
                    ObjectNode op = item.putObject(line.op);
                    op.put("_index", line.index).put("_id", line.id).put("status", status);
                    op.putObject("error")
                            .put("type", type)
                            .put(
                                    "reason",
                                    "injected by the test proxy: "
                                            + type
                                            + " for ["
                                            + line.index
                                            + "]");
                    items.insert(i, item);
                }
                response.put("errors", true);
                return new Reply(
                        200,
                        Map.of(
                                "Content-Type", "application/json",
                                "X-elastic-product", "Elasticsearch"),
                        JSON.writeValueAsBytes(response));
            };
        }
    }

    /** One action of a bulk body: its op, index, id and raw bytes (action and source line). */
    static final class BulkLine {
        final String op;
        final String index;
        final String id;
        final byte[] bytes;

        private BulkLine(String op, String index, String id, byte[] bytes) {
            this.op = op;
            this.index = index;
            this.id = id;
            this.bytes = bytes;
        }

        static List<BulkLine> parse(byte[] body) {
            String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
            List<BulkLine> out = new ArrayList<>();
            for (int i = 0; i + 1 < lines.length; i += 2) {
                try {
                    JsonNode action = JSON.readTree(lines[i]);
                    String op = action.fieldNames().next();
                    JsonNode meta = action.get(op);
                    out.add(
                            new BulkLine(
                                    op,
                                    meta.path("_index").asText(),
                                    meta.path("_id").asText(),
                                    (lines[i] + "\n" + lines[i + 1] + "\n")
                                            .getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new IllegalStateException("not a bulk body: " + lines[i], e);
                }
            }
            return out;
        }
    }

    private final ServerSocket server;
    private final URI target;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private final ExecutorService pool =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "fault-proxy");
                        t.setDaemon(true);
                        return t;
                    });
    private final Map<Integer, Plan> plans = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger bulkCount = new AtomicInteger();
    private final List<Request> bulks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> faults = Collections.synchronizedList(new ArrayList<>());
    private volatile Plan everyBulk = Plan.FORWARD;

    private FaultInjectingProxy(URI target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    /** A proxy to {@code elasticsearchUrl} on a free port of 127.0.0.1. */
    static FaultInjectingProxy start(String elasticsearchUrl) throws IOException {
        return new FaultInjectingProxy(URI.create(elasticsearchUrl));
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Applies {@code plan} to bulk request number {@code n} (1-based); others are forwarded. */
    FaultInjectingProxy onBulk(int n, Plan plan) {
        plans.put(n, plan);
        return this;
    }

    /** Applies {@code plan} to every bulk request without a plan of its own. */
    FaultInjectingProxy onEveryBulk(Plan plan) {
        this.everyBulk = plan;
        return this;
    }

    /** Bulk requests received so far (including those answered with a fault). */
    int bulkRequests() {
        return bulkCount.get();
    }

    /** The bulk requests forwarded to Elasticsearch (whole or in part), in arrival order. */
    List<Request> bulks() {
        synchronized (bulks) {
            return new ArrayList<>(bulks);
        }
    }

    /**
     * One line per injected fault, e.g. {@code "bulk 3: 429"}: every bulk request not answered with
     * Elasticsearch's own answer to it as sent (a stalled answer is Elasticsearch's own, late).
     */
    List<String> faults() {
        synchronized (faults) {
            return new ArrayList<>(faults);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                pool.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) return;
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String method = requestLine[0];
            String path = requestLine[1];
            boolean bulk = method.equals("POST") && path.startsWith("/_bulk");
            Plan plan = Plan.FORWARD;
            int n = 0;
            if (bulk) {
                n = bulkCount.incrementAndGet();
                plan = plans.getOrDefault(n, everyBulk);
            }
            if (plan == Plan.RESET_MID_REQUEST) {
                long length = Long.parseLong(headers.getOrDefault("content-length", "2"));
                in.readNBytes((int) Math.max(1, length / 2));
                faults.add("bulk " + n + ": reset mid-request");
                socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
                return;
            }
            byte[] body = readBody(in, headers);
            Request request = new Request(method, path, headers, body);
            Reply[] unchanged = new Reply[1];
            boolean[] forwarded = new boolean[1];
            Reply reply =
                    plan.handle(
                            request,
                            b -> {
                                if (bulk && !forwarded[0]) bulks.add(request);
                                forwarded[0] = true;
                                Reply r = forward(request, b);
                                if (b == request.body) unchanged[0] = r;
                                return r;
                            });
            // A fault is any answer other than Elasticsearch's to the request as sent.
            if (bulk && (reply != unchanged[0] || unchanged[0] == null)) {
                faults.add("bulk " + n + ": " + reply.status);
            }
            write(socket.getOutputStream(), reply, method.equals("HEAD"));
        } catch (IOException | RuntimeException e) {
            // The client gave up (a stalled answer after its timeout) or the proxy is closing.
        }
    }

    private Reply forward(Request request, byte[] body) throws IOException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(target.resolve(request.path))
                        .timeout(Duration.ofSeconds(60))
                        .method(
                                request.method,
                                body.length == 0
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> h : request.headers.entrySet()) {
            if (!NOT_FORWARDED.contains(h.getKey())) b.header(h.getKey(), h.getValue());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        r.headers()
                .map()
                .forEach(
                        (name, values) -> {
                            String lower = name.toLowerCase(Locale.ROOT);
                            if (!NOT_FORWARDED.contains(lower) && !lower.startsWith(":")) {
                                headers.put(name, String.join(",", values));
                            }
                        });
        return new Reply(r.statusCode(), headers, r.body());
    }

    private static void write(OutputStream out, Reply reply, boolean head) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("HTTP/1.1 ").append(reply.status).append(" ").append(reason(reply.status));
        sb.append("\r\n");
        for (Map.Entry<String, String> h : reply.headers.entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Content-Length: ").append(reply.body.length).append("\r\n");
        sb.append("Connection: close\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) out.write(reply.body);
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200:
                return "OK";
            case 201:
                return "Created";
            case 404:
                return "Not Found";
            case 413:
                return "Request Entity Too Large";
            case 429:
                return "Too Many Requests";
            case 500:
                return "Internal Server Error";
            case 502:
                return "Bad Gateway";
            case 503:
                return "Service Unavailable";
            default:
                return "Status";
        }
    }

    /** The request line and headers, without the blank line; null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0; // how much of \r\n\r\n has been seen
        int c;
        while ((c = in.read()) >= 0) {
            buf.write(c);
            if (c == '\r' && (state == 0 || state == 2)) {
                state++;
            } else if (c == '\n' && (state == 1 || state == 3)) {
                state++;
                if (state == 4) {
                    byte[] b = buf.toByteArray();
                    return new String(b, 0, b.length - 4, StandardCharsets.ISO_8859_1);
                }
            } else {
                state = c == '\r' ? 1 : 0;
            }
        }
        return null;
    }

    private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        String length = headers.get("content-length");
        return length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') line.write(c);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
