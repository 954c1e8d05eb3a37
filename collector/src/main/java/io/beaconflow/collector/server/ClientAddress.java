package io.beaconflow.collector.server;

import io.beaconflow.collector.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's IP: the socket's peer, unless the peer is a configured trusted proxy; then the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy (the left part of the header
 * is whatever the browser claimed, so it is never believed).
 */
public final class ClientAddress {
    private final List<Cidr> trusted;

    public ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public InetAddress resolve(InetAddress peer, List<String> forwardedFor) {
        if (peer == null || !isTrusted(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        InetAddress client = peer;
        // All X-Forwarded-For headers joined, read from the right (nearest hop first).
        String joined = String.join(",", forwardedFor);
        String[] hops = joined.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                return client; // garbage: stop at the last address we could trust
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) {
            if (c.contains(a)) return true;
        }
        return false;
    }

    /** A literal IPv4/IPv6 address, never a DNS lookup; null when the text is not one. */
    static InetAddress literal(String s) {
        if (s.isEmpty() || !s.matches("[0-9a-fA-F:.]+")) return null;
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
