package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The contract events one request turned into, plus what was left out and why. Items an SDK sends
 * that have no place in the contract (resource timings, Faro's duplicate tracing events) are {@link
 * #ignored}; items that should have become an event but cannot (a span without a session) are
 * {@link #rejected}, so an OTLP client can be told how many spans were refused.
 */
public final class Translation {
    private final List<ObjectNode> events = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();
    private int ignored;

    public void add(ObjectNode event) {
        events.add(event);
    }

    public void reject(String reason) {
        rejected.add(reason);
    }

    public void ignore() {
        ignored++;
    }

    public List<ObjectNode> events() {
        return events;
    }

    /** One reason per rejected item, in input order. */
    public List<String> rejected() {
        return rejected;
    }

    public int ignored() {
        return ignored;
    }

    /** Every app named by the events, for the per-app key and origin checks. */
    public Set<String> apps() {
        Set<String> apps = new LinkedHashSet<>();
        for (ObjectNode e : events) {
            apps.add(e.path("app").asText());
        }
        return apps;
    }
}
