package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.spec.SpecException;
import java.io.Serializable;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector specs in broadcast state, shared by every operator that scores: one entry, {@link
 * #ACTIVE}, holding the newest valid {@link SpecUpdate}. Before the first update arrives the spec
 * read from the file at job start applies. Every parallel instance sees the same updates in the
 * same order, so all agree on the active spec; the parsed form is cached per instance ({@link
 * #active}) and rebuilt from the text after a restore.
 */
public final class SpecBroadcast implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(SpecBroadcast.class);

    public static final String ACTIVE = "active";

    public static final MapStateDescriptor<String, SpecUpdate> DESCRIPTOR =
            new MapStateDescriptor<>(
                    "detector-specs", Types.STRING, TypeInformation.of(SpecUpdate.class));

    private final SpecUpdate initial;
    private transient SpecSet cached;

    public SpecBroadcast(SpecUpdate initial) {
        this.initial = initial;
    }

    /** The active specs: the broadcast entry, or the start-up file before any update. */
    public SpecSet active(ReadOnlyBroadcastState<String, SpecUpdate> state) throws Exception {
        SpecUpdate u = state.get(ACTIVE);
        if (u == null) {
            u = initial;
        }
        if (cached == null || !cached.update().equals(u)) {
            cached = SpecSet.parse(u);
            if (!cached.unproducedMetrics().isEmpty()) {
                LOG.warn(
                        "{}: metrics {} are configured but this job produces no such series; they"
                                + " are not scored. Fix: use error_rate, fetch_error_rate,"
                                + " fetch_failure_rate, page_views, events, fetches, apdex,"
                                + " rage_click_rate, <load|lcp|inp|ttfb|fcp|cls|fetch>_<p50|p75|"
                                + "p95|p99> or <lcp|inp|cls|fcp|ttfb>_<good|poor>_share",
                        u.source,
                        cached.unproducedMetrics());
            }
        }
        return cached;
    }

    /**
     * Validates an update and makes it active, or returns why not (the active spec stays).
     *
     * @return null when accepted
     */
    public SpecRejection offer(BroadcastState<String, SpecUpdate> state, SpecUpdate update)
            throws Exception {
        SpecUpdate current = state.get(ACTIVE);
        if (current == null) {
            current = initial;
        }
        if (update.version < current.version) {
            return reject(
                    update,
                    current,
                    "stale: version "
                            + update.version
                            + " is older than the active version "
                            + current.version
                            + " from "
                            + current.source
                            + ". Fix: publish the spec again so it gets a newer version");
        }
        SpecSet parsed;
        try {
            parsed = SpecSet.parse(update);
        } catch (SpecException | IllegalArgumentException e) {
            return reject(update, current, e.getMessage());
        }
        state.put(ACTIVE, update);
        cached = parsed;
        LOG.info("detector specs {} v{} active", update.source, update.version);
        return null;
    }

    private static SpecRejection reject(SpecUpdate update, SpecUpdate current, String reason) {
        LOG.warn("detector spec update {} v{} rejected: {}", update.source, update.version, reason);
        return new SpecRejection(
                update.source, update.version, reason, current.source, current.version);
    }
}
