package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.WriteBehindOperator;
import io.beaconflow.jobs.state.WriteBehindCache;

/**
 * Runs {@link SessionAssembler} with its per-session state behind a {@link WriteBehindCache} of
 * {@code sessions.state-cache} sessions: on RocksDB an open session is then not deserialized and
 * rewritten for every event, only when it leaves the cache or before a snapshot.
 *
 * <p>Exactly the function's results, state and timers: the cache is written to the keyed state
 * before every snapshot and at the end ({@link WriteBehindOperator}), so each snapshot holds the
 * same values in the same format as without it, and a restore (with any parallelism) starts from
 * them. Timers are the function's, in the timer service as before ({@code user-timers}); a firing
 * timer reads its session through the cache. Same uid ("sessions") and state ("session"):
 * savepoints of the plain {@code KeyedProcessOperator} restore into it and back.
 */
public class SessionAssemblerOperator extends WriteBehindOperator<RumEvent, SessionRecord> {
    private static final long serialVersionUID = 1L;

    private final int cacheSize;
    private transient WriteBehindCache<String, SessionState> cache;

    /**
     * @param config the sessions section; {@code stateCache} sessions are kept on the heap per
     *     subtask (0: none, every event reads and writes the keyed state as the plain function
     *     does)
     */
    public SessionAssemblerOperator(SessionConfig config) {
        this(config, null);
    }

    /**
     * @param arms the comparisons' counting rules: closed sessions are sent per arm to {@link
     *     SessionAssembler#SUMMARIES}; null: none
     */
    public SessionAssemblerOperator(SessionConfig config, ArmRules arms) {
        super(new SessionAssembler(config, arms));
        this.cacheSize = config.stateCache;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (cacheSize > 0) {
            cache =
                    new WriteBehindCache<>(
                            getRuntimeContext().getState(SessionAssembler.stateDescriptor()),
                            this,
                            SessionStateSerializer.INSTANCE,
                            // The heap backend keeps (and snapshots) the objects it is given.
                            !getKeyedStateBackend().isSafeToReuseKVState(),
                            cacheSize);
            ((SessionAssembler) userFunction).cacheWith(cache);
        }
    }

    @Override
    protected WriteBehind writeBehind() {
        return cache;
    }

    /** The cache, for tests; null when {@code sessions.state-cache} is 0. */
    WriteBehindCache<String, SessionState> cache() {
        return cache;
    }
}
