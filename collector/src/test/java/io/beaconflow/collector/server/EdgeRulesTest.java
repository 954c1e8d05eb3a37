package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.config.Cidr;
import io.beaconflow.collector.translate.ContractEvents;
import io.beaconflow.collector.translate.EdgeContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Client IP, rate limits and record packing: the edge rules that need no socket. */
class EdgeRulesTest {

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxiesAndReadFromTheRight() throws Exception {
        ClientAddress ca = new ClientAddress(List.of(Cidr.parse("10.0.0.0/8")));
        InetAddress proxy = InetAddress.getByName("10.1.2.3");
        InetAddress stranger = InetAddress.getByName("198.51.100.20");
        // From a stranger the header is whatever the stranger wrote: ignored.
        assertThat(ca.resolve(stranger, List.of("203.0.113.5")).getHostAddress())
                .isEqualTo("198.51.100.20");
        // Behind the proxy: the right-most untrusted hop; a spoofed left part is not believed.
        assertThat(ca.resolve(proxy, List.of("6.6.6.6, 203.0.113.5, 10.9.9.9")).getHostAddress())
                .isEqualTo("203.0.113.5");
        assertThat(ca.resolve(proxy, List.of()).getHostAddress()).isEqualTo("10.1.2.3");
        // Garbage in the header: the last address that could be trusted.
        assertThat(ca.resolve(proxy, List.of("evil.example.com")).getHostAddress())
                .isEqualTo("10.1.2.3");
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8::1")))
                .isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db9::1")))
                .isFalse();
    }

    @Test
    void rateLimitAllowsTheBurstThenAnswersRetryAfterUntilTokensRefill() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter rl = new RateLimiter(0.5, 2, 10, now::get);
        assertThat(rl.acquire("a")).isZero();
        assertThat(rl.acquire("a")).isZero();
        assertThat(rl.acquire("a")).as("one token per 2 s").isEqualTo(2);
        assertThat(rl.acquire("b")).as("other clients have their own bucket").isZero();
        now.addAndGet(2_000_000_000L);
        assertThat(rl.acquire("a")).isZero();
        assertThat(rl.acquire("a")).isEqualTo(2);
    }

    @Test
    void rateLimiterForgetsIdleClientsBeyondItsBound() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter rl = new RateLimiter(1, 1, 3, now::get);
        for (int i = 0; i < 3; i++) rl.acquire("c" + i);
        now.addAndGet(5_000_000_000L); // all refilled: idle
        rl.acquire("new");
        assertThat(rl.trackedClients()).isEqualTo(1);
        for (int i = 0; i < 10; i++) rl.acquire("busy" + i);
        assertThat(rl.trackedClients()).isLessThanOrEqualTo(3);
    }

    @Test
    void largeRequestsAreSplitIntoRecordsUnderTheJobsLimitAndOversizedEventsCounted() {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ObjectNode e =
                    ContractEvents.event(
                            "custom",
                            "e" + i,
                            new ContractEvents.Meta("app", null, null, "s", null, null),
                            1);
            e.putObject("custom").put("name", "x".repeat(100));
            events.add(e);
        }
        ObjectNode huge =
                ContractEvents.event(
                        "custom",
                        "huge",
                        new ContractEvents.Meta("app", null, null, "s", null, null),
                        1);
        huge.putObject("custom").put("name", "y".repeat(5000));
        events.add(huge);
        EdgeContext edge = new EdgeContext(5, "203.0.113.1", "UA", null, null);
        Records.Packed p = Records.pack(edge, events, 2048);
        assertThat(p.oversizedEvents()).isEqualTo(1);
        assertThat(p.records())
                .hasSizeGreaterThan(1)
                .allSatisfy(r -> assertThat(r).hasSizeLessThanOrEqualTo(2048));
        int total = 0;
        for (byte[] r : p.records()) {
            total += new String(r).split("\"event_id\"").length - 1;
        }
        assertThat(total).isEqualTo(40);
        assertThat(Records.pack(edge, events.subList(0, 2), 2048).records()).hasSize(1);
    }
}
