package io.beaconflow.benchmarks.sessions;

import io.beaconflow.benchmarks.BenchJobs;
import io.beaconflow.benchmarks.JobRunBenchmark;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionAssembler;
import io.beaconflow.jobs.sessions.SessionConfig;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.sessions.SessionRules;
import io.beaconflow.jobs.sessions.SessionStage;
import io.beaconflow.jobs.sessions.SessionState;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.triggers.ContinuousEventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Hand-written session function vs stock merging session windows, on the same events and the same
 * aggregation ({@link SessionState}), as bounded jobs on a local MiniCluster at parallelism 2:
 * sequence → RumEvent → watermarks (30 s bound) → keyBy(app, session) → sessions → discard.
 *
 * <ul>
 *   <li>{@code function}: {@link SessionStage} as the job uses it, no early updates;
 *   <li>{@code functionUpdates}: the same with an update every minute of event time;
 *   <li>{@code windows}: {@code EventTimeSessionWindows.withGap(30 min)} + an {@link
 *       AggregateFunction} over {@link SessionState} (with {@code merge}) + a small window function
 *       adding the key;
 *   <li>{@code windowsUpdates}: the same with {@code ContinuousEventTimeTrigger.of(1 min)};
 *   <li>{@code baseline}: keyBy into a stateless pass-through, the cost both pay before any session
 *       logic (source, event creation, watermarks, shuffle).
 * </ul>
 *
 * <p>Traffic: {@value #CONCURRENT} sessions at a time, round robin, each of 20 events 5 s apart
 * with the mix of a typical session (page views, vitals, fetches, clicks, an error), one event per
 * {@code stepMs} of event time; with a 30-minute gap about 20,000 sessions are open at once. The
 * score is milliseconds per run; events/s = events / score.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SessionBenchmark -f 1 -wi 2 -i 3}.
 */
/** Run settings, traffic size and parallelism: {@link JobRunBenchmark}. */
public class SessionBenchmark extends JobRunBenchmark {
    static final int CONCURRENT = 1000;
    static final int EVENTS_PER_SESSION = 20;
    static final long T0 = 1_793_613_600_000L; // 2026-11-02T10:00:00Z

    @Param({"function", "windows", "functionUpdates", "windowsUpdates", "baseline"})
    public String variant;

    @Benchmark
    public void run() throws Exception {
        StreamExecutionEnvironment env = BenchJobs.environment(parallelism);
        final long step = stepMs;
        final long n = events;
        DataStream<RumEvent> source =
                BenchJobs.events(env, events, i -> event(interleaved(i, n), step));
        SessionConfig config = new SessionConfig();
        boolean updates = variant.endsWith("Updates");
        config.updateInterval = updates ? Duration.ofMinutes(1) : Duration.ZERO;
        DataStream<SessionRecord> records;
        TypeInformation<SessionRecord> recordType = TypeInformation.of(SessionRecord.class);
        if (variant.startsWith("function")) {
            records = SessionStage.apply(source, config);
        } else if (variant.startsWith("windows")) {
            WindowedStream<RumEvent, String, TimeWindow> windows =
                    source.keyBy(SessionAssembler.key())
                            .window(EventTimeSessionWindows.withGap(config.gap));
            if (updates)
                windows = windows.trigger(ContinuousEventTimeTrigger.of(Duration.ofMinutes(1)));
            records =
                    windows.aggregate(
                            new SessionAggregate(new SessionRules(config)),
                            new AddKey(),
                            TypeInformation.of(SessionState.class),
                            recordType,
                            recordType);
        } else {
            records =
                    source.keyBy(SessionAssembler.key())
                            .process(new PassThrough())
                            .returns(recordType);
        }
        records.sinkTo(new BenchJobs.Discard<>());
        env.execute("sessions-" + variant);
    }

    /**
     * The sequence source splits [0, n) into one range per subtask; map the ranges onto alternating
     * indexes so both subtasks walk through event time together, as partitions of a live topic do
     * (otherwise the second half would sit thousands of seconds ahead of the watermark).
     */
    static long interleaved(long i, long n) {
        long half = (n + 1) / 2;
        return i < half ? 2 * i : 2 * (i - half) + 1;
    }

    /** Event {@code i}: session and position from round-robin over {@value #CONCURRENT}. */
    static RumEvent event(long i, long stepMs) {
        long round = i / CONCURRENT;
        long generation = round / EVENTS_PER_SESSION;
        int position = (int) (round % EVENTS_PER_SESSION);
        long session = generation * CONCURRENT + i % CONCURRENT;
        RumEvent e = new RumEvent();
        e.schemaVersion = 1;
        e.eventId = "e" + i;
        e.app = (session & 1) == 0 ? "shop" : "blog";
        e.sessionId = "s" + session;
        e.userId = "9f2c4e1a7b3d5f60812a4c6e8b0d2f41";
        e.release = "1.4.0";
        e.environment = "prod";
        e.eventTime = T0 + i * stepMs;
        e.browser = "Chrome";
        e.browserVersion = "120";
        e.os = "Windows NT";
        e.deviceType = "desktop";
        e.country = "DE";
        e.networkType = "4g";
        String[] routes = {"/home", "/product/:id", "/cart", "/checkout"};
        e.route = routes[position / 5];
        switch (position % 5) {
            case 0:
                e.type = EventType.PAGE_VIEW;
                break;
            case 1:
                e.type = EventType.WEB_VITAL;
                e.vitalName = position % 2 == 0 ? "LCP" : "INP";
                e.vitalValue = 200.0 + (i % 3000);
                break;
            case 2:
                e.type = EventType.FETCH;
                e.fetchMethod = "GET";
                e.fetchStatus = i % 50 == 0 ? 503 : 200;
                e.traceId =
                        Long.toHexString(i | (1L << 63)) + Long.toHexString(session | (1L << 63));
                break;
            case 3:
                e.type = EventType.ACTION;
                e.actionType = "click";
                e.actionTarget = position == 18 ? "#checkout" : "#add-to-cart";
                break;
            default:
                if (position == 19) {
                    e.type = EventType.ERROR;
                    e.errorType = "TypeError";
                    e.errorMessage = "x is undefined";
                } else {
                    e.type = EventType.WEB_VITAL;
                    e.vitalName = "CLS";
                    e.vitalValue = 0.05;
                }
                break;
        }
        return e;
    }

    /** The same aggregation as the function, as a window accumulator. */
    static final class SessionAggregate
            implements AggregateFunction<RumEvent, SessionState, SessionRecord> {
        private static final long serialVersionUID = 1L;
        private final SessionRules rules;

        SessionAggregate(SessionRules rules) {
            this.rules = rules;
        }

        @Override
        public SessionState createAccumulator() {
            return new SessionState();
        }

        @Override
        public SessionState add(RumEvent e, SessionState acc) {
            if (acc.events == 0) {
                acc.base = e.eventTime;
                acc.start = e.eventTime;
                acc.end = e.eventTime;
            }
            acc.add(e, rules, false);
            return acc;
        }

        @Override
        public SessionRecord getResult(SessionState acc) {
            // A continuous trigger reads the accumulator and keeps it: settle a copy.
            SessionState s = acc.copy();
            s.settle(Long.MAX_VALUE, rules);
            return s.toRecord(null, null, false, SessionRecord.OPEN, 0);
        }

        @Override
        public SessionState merge(SessionState a, SessionState b) {
            if (a.events == 0) return b;
            if (b.events == 0) return a;
            a.merge(b, rules);
            return a;
        }
    }

    /** Adds key, id and closed flag, as the function's emit does. */
    static final class AddKey
            extends ProcessWindowFunction<SessionRecord, SessionRecord, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context ctx, Iterable<SessionRecord> in, Collector<SessionRecord> out) {
            SessionRecord r = in.iterator().next();
            int sep = key.indexOf('\u0000');
            r.app = key.substring(0, sep);
            r.sessionId = key.substring(sep + 1);
            r.sessionKey = r.app + ":" + r.sessionId + ":" + r.start;
            r.closed = ctx.currentWatermark() >= ctx.window().maxTimestamp();
            r.endReason = r.closed ? SessionRecord.INACTIVITY : SessionRecord.OPEN;
            out.collect(r);
        }
    }

    /** Baseline: the keyed shuffle and nothing else; emits nothing. */
    static final class PassThrough extends KeyedProcessFunction<String, RumEvent, SessionRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(RumEvent e, Context ctx, Collector<SessionRecord> out) {}
    }
}
