package io.beaconflow.collector.bench;

import io.beaconflow.collector.translate.SdkFixtures;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load generator for docs/benchmarks.md: replays captured Faro requests (real payloads, median
 * about 2.5 KB) to a running collector over keep-alive connections on loopback, for a bounded time,
 * and prints requests/s and the answers by status. Run against {@code ./beaconflow collect}: {@code
 * java -cp <test classpath> io.beaconflow.collector.bench.CollectorLoad 4318 20 32}.
 */
public final class CollectorLoad {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int seconds = Math.min(120, Integer.parseInt(args[1]));
        int connections = Math.min(256, Integer.parseInt(args[2]));
        List<byte[]> requests = new ArrayList<>();
        long bodyBytes = 0;
        for (SdkFixtures.Captured c : SdkFixtures.posts("faro")) {
            byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
            bodyBytes += body.length;
            String head =
                    "POST /collect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Origin: http://localhost:8080\r\nUser-Agent: "
                            + c.header("user-agent")
                            + "\r\nx-faro-session-id: "
                            + c.header("x-faro-session-id")
                            + "\r\nContent-Length: "
                            + body.length
                            + "\r\n\r\n";
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            requests.add(all);
        }
        LongAdder ok = new LongAdder();
        LongAdder other = new LongAdder();
        AtomicLong firstOther = new AtomicLong(-1);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            final int offset = t;
            Thread th =
                    new Thread(
                            () -> {
                                try (Socket s = new Socket()) {
                                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                                    s.setSoTimeout(30_000);
                                    s.setTcpNoDelay(true);
                                    OutputStream out = s.getOutputStream();
                                    InputStream in = new BufferedInputStream(s.getInputStream());
                                    int i = offset;
                                    while (System.nanoTime() < end) {
                                        out.write(requests.get(i++ % requests.size()));
                                        out.flush();
                                        int status = readResponse(in);
                                        if (status == 202) ok.increment();
                                        else {
                                            other.increment();
                                            firstOther.compareAndSet(-1, status);
                                        }
                                    }
                                } catch (IOException e) {
                                    System.err.println("connection failed: " + e);
                                }
                            });
            th.start();
            threads.add(th);
        }
        long start = System.nanoTime();
        for (Thread th : threads) th.join();
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%d connections, %.1f s: %d answered 202 (%.0f requests/s), %d other (first: %d);"
                        + " mean body %d bytes%n",
                connections,
                secs,
                ok.sum(),
                ok.sum() / secs,
                other.sum(),
                firstOther.get(),
                bodyBytes / requests.size());
    }

    /** Reads one HTTP/1.1 response with Content-Length; returns its status. */
    static int readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int length = 0;
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
                }
            } else {
                line.append((char) c);
            }
        }
        for (int i = 0; i < length; i++) {
            if (in.read() < 0) throw new IOException("connection closed in body");
        }
        return status;
    }
}
