package io.beaconflow.jobs.cli;

import io.beaconflow.config.Durations;
import io.beaconflow.jobs.bench.MemoryBeaconSource;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.enrich.EventEnrichment;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSeed;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.ingest.IngestWatermarks;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.sessions.SessionAssembler;
import io.beaconflow.jobs.sessions.SessionRules;
import io.beaconflow.jobs.sessions.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./beaconflow bench}: throughput of the job on this machine, in one run, from beacons
 * serialized in memory into discarding sinks: (a) decode only, (b) the full pipeline with heap
 * state and checkpoints every 10 s, (c) the same on RocksDB, (d) bytes of state per open session.
 * (b) and (c) follow a warm-up run (w) of the pipeline on the first {@code --warmup} of the
 * traffic, so they measure the job's steady cost, not the JIT's compilation (docs/benchmarks.md,
 * "Session 2026-12-08 (2)").
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure events/s of (a) decoding only, (b) the full pipeline with heap state and"
                    + " checkpoints every 10 s, (c) the same with RocksDB, and (d) bytes of state"
                    + " per open session, on an embedded MiniCluster with pre-serialized generator"
                    + " beacons in memory and discarding sinks. (b) and (c) follow an unmeasured"
                    + " warm-up run of the pipeline, printed as (w).",
            "Ends with the line 'pipeline/parse ratio: X' = (b) / (a)."
        })
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--duration",
            defaultValue = "8h",
            description = "Simulated traffic to generate up front (default: ${DEFAULT-VALUE}).")
    String duration;

    @Mixin GeneratorSeed seed;

    @Option(
            names = "--warmup",
            defaultValue = "2h",
            description =
                    "The first part of the traffic, run once through the full pipeline before (b)"
                            + " and (c) are measured, unmeasured but printed as (w): the JIT's"
                            + " compilation is start-up, as a TaskManager pays it once, not"
                            + " throughput. 0 measures a cold JVM (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--skip-rocksdb", description = "Leave out (c).")
    boolean skipRocksDb;

    @Option(
            names = "--skip-heap",
            description =
                    "Leave out (b) and the ratio lines: for comparing RocksDB runs on a busy"
                            + " machine.")
    boolean skipHeap;

    @Option(
            names = "--flink-conf",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/config.yaml",
            description =
                    "Cluster configuration whose state.backend.rocksdb.* keys the RocksDB run (c)"
                            + " uses, as a cluster started with it would (default:"
                            + " ${DEFAULT-VALUE}).")
    Path flinkConf;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "A Flink option for the runs (b) and (c), over --flink-conf's (to compare one"
                            + " setting, e.g. --set execution.checkpointing.interval=30s)."
                            + " Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** --config, --generator and --parallelism, spelled and documented as in demo and evaluate. */
    @Mixin LocalJobOptions job;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Duration warmupTraffic;
        try {
            warmupTraffic = "0".equals(warmup.trim()) ? Duration.ZERO : Durations.parse(warmup);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--warmup: " + e.getMessage() + ", or 0 for none");
        }
        // Synthetic users only: the public demo salt unless BEACONFLOW_USER_ID_SALT is set.
        BeaconflowConfig jobConfig =
                BeaconflowConfig.load(job.config, BeaconflowConfig.withDemoSalt(System::getenv));
        GeneratorConfig gen =
                GeneratorConfig.load(job.generator).withDuration(duration).withSpeed("max");
        System.err.printf("bench: generating %s of traffic (seed %d) ...%n", duration, seed.value);
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(gen, seed.value, gen.splits);
        List<RawBeacon> list = new ArrayList<>();
        long bytes = 0;
        while (all.hasNext()) {
            RawBeacon b = all.next();
            list.add(b);
            bytes += b.payload.length;
        }
        RawBeacon[] beacons = list.toArray(new RawBeacon[0]);

        // Decode once on this thread: the count of events every run must see, and (a0).
        BeaconDecoder decoder = new BeaconDecoder(jobConfig.ingest);
        ArrayList<RumEvent> accepted = new ArrayList<>();
        int warmupBeacons = warmupBeacons(beacons, warmupTraffic);
        long warmupEvents = 0;
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        for (int i = 0; i < beacons.length; i++) {
            decoder.decode(
                    beacons[i],
                    r -> {
                        if (r.isAccepted()) accepted.add(r.event);
                    });
            if (i < warmupBeacons) warmupEvents = accepted.size();
        }
        double oneThread = accepted.size() / ((System.nanoTime() - t0) / 1e9);
        double oneThreadCpu = (processCpuNanos() - cpu0) / 1e3 / accepted.size();
        long events = accepted.size();
        System.err.printf(
                "bench: %,d beacons (%,d bytes, %.0f bytes/event) → %,d events%n",
                beacons.length, bytes, (double) bytes / events, events);

        // (d) now, and the decoded events dropped before the runs: a million decoded events
        // (~1 GB of strings) kept alive through (b) and (c) made the collector mark and copy
        // the harness's data along with the job's, a cost no TaskManager pays.
        double sessionBytes = bytesPerOpenSession(accepted, jobConfig);
        accepted.clear();
        accepted.trimToSize();

        // The user-agent analyzer's one-off build (~3 s per JVM) is start-up, not throughput.
        io.beaconflow.jobs.enrich.UserAgentClassifier.warmUp();
        Map<String, double[]> rows = new LinkedHashMap<>();
        rows.put("(a0) decode, 1 thread, no Flink", new double[] {oneThread, oneThreadCpu});
        double[] parse = run("parse", beacons, decoder, jobConfig, null, events);
        rows.put("(a) decode in the source, parallelism " + job.parallelism, parse);
        if (warmupBeacons > 0 && (!skipHeap || !skipRocksDb)) {
            rows.put(
                    "(w) warm-up, full pipeline on the first " + warmup + ", cold JVM",
                    run(
                            "pipeline",
                            Arrays.copyOf(beacons, warmupBeacons),
                            decoder,
                            jobConfig,
                            skipHeap ? "rocksdb" : "hashmap",
                            warmupEvents));
        }
        double[] heap = null;
        if (!skipHeap) {
            heap = run("pipeline", beacons, decoder, jobConfig, "hashmap", events);
            rows.put("(b) full pipeline, heap state, checkpoints 10 s", heap);
        }
        if (!skipRocksDb) {
            double[] rocks = run("pipeline", beacons, decoder, jobConfig, "rocksdb", events);
            rows.put("(c) full pipeline, RocksDB (incremental), checkpoints 10 s", rocks);
        }

        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.printf(
                "Beaconflow bench: %,d events (%s simulated, seed %d), %d cores, parallelism %d%n",
                events,
                duration,
                seed.value,
                Runtime.getRuntime().availableProcessors(),
                job.parallelism);
        // CPU per event (all threads of this process, GC and JIT included) holds when other work
        // shares the cores; events/s only on an otherwise idle machine.
        // Cores busy = events/s × CPU per event: how many cores the run kept busy. At parallelism
        // 1 the job's ~15 chained tasks already run on as many threads, so it can fill two cores;
        // events/s per core compares parallelisms only when divided by this, not by parallelism.
        out.println("| measurement | events/s | CPU µs per event | cores busy |");
        out.println("|---|---|---|---|");
        rows.forEach(
                (k, v) ->
                        out.printf(
                                "| %s | %,.0f | %.1f | %.2f |%n",
                                k, v[0], v[1], v[0] * v[1] / 1e6));
        out.printf(
                "| (d) state per open session (serialized, typical sessions) | %.0f bytes | | |%n",
                sessionBytes);
        if (heap != null) {
            out.printf("pipeline/parse CPU ratio: %.2f%n", parse[1] / heap[1]);
            out.printf("pipeline/parse ratio: %.2f%n", heap[0] / parse[0]);
        }
        out.flush();
        return 0;
    }

    /**
     * How many of the first beacons arrived within {@code warmup} of the first one: the generator
     * hands beacons out in arrival order, so the warm-up traffic is a prefix of the array.
     */
    static int warmupBeacons(RawBeacon[] beacons, Duration warmup) {
        if (beacons.length == 0) return 0;
        long end = beacons[0].receivedAt + warmup.toMillis();
        int n = 0;
        while (n < beacons.length && beacons[n].receivedAt < end) n++;
        return n;
    }

    /** CPU time of all threads of this JVM, or -1 where the JVM does not tell. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()
                : -1;
    }

    /** events/s (wall clock, net job runtime) and CPU µs per event of one run. */
    private double[] run(
            String what,
            RawBeacon[] beacons,
            BeaconDecoder decoder,
            BeaconflowConfig jobConfig,
            String stateBackend,
            long events)
            throws Exception {
        Path checkpoints = Files.createTempDirectory("beaconflow-bench-chk");
        Configuration conf =
                stateBackend == null
                        ? benchConfiguration()
                        : pipelineConfiguration(
                                stateBackend, checkpoints, rocksDbSettings(flinkConf), overrides);
        StreamExecutionEnvironment env = LocalFlink.environment(job.parallelism, conf);
        MemoryBeaconSource source =
                new MemoryBeaconSource("bench-" + what, beacons, decoder, job.parallelism * 4);
        if (stateBackend == null) {
            env.fromSource(source, IngestWatermarks.forConfig(jobConfig.ingest), "memory")
                    .sinkTo(new DiscardingSink<>());
        } else {
            BeaconflowPipeline p = BeaconflowPipeline.build(env, source, "memory", jobConfig);
            p.sinkTo(
                    new BeaconflowPipeline.Sinks()
                            .deadLetters(new DiscardingSink<>())
                            .lateEvents(new DiscardingSink<>())
                            .sessions(new DiscardingSink<>())
                            .metrics(new DiscardingSink<>()));
        }
        System.err.printf(
                "bench: running %s%s ...%n",
                what, stateBackend == null ? "" : " (" + stateBackend + ")");
        long cpu0 = processCpuNanos();
        JobExecutionResult r;
        try {
            r = env.execute("beaconflow-bench-" + what);
        } finally {
            // Quietly and tolerant of files vanishing meanwhile: Flink's own checkpoint cleanup
            // may still be deleting in the background.
            org.apache.flink.util.FileUtils.deleteDirectoryQuietly(checkpoints.toFile());
        }
        long cpu = processCpuNanos() - cpu0;
        double seconds = r.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
        return new double[] {events / seconds, cpu / 1e3 / events};
    }

    /**
     * What every bench run needs to give a figure or a cause on a busy machine. The previous
     * session's RocksDB run lost its only TaskManager at load average ~100 (a nice-19 JVM got ~2 %
     * of a core): a missed heartbeat (60 s) failed the job, the restart cancelled the tasks, a task
     * stuck in RocksDB's cleanup outlived the cancellation watchdog (180 s), whose fatal error
     * shuts a MiniCluster's TaskManager down for good, and the job waited for slots that never came
     * ("Registered TMs: 0"). In one JVM there is no remote peer to lose, so: heartbeats wait 10
     * minutes, a failing heartbeat RPC is not a loss, no watchdog kills the TaskManager, and a
     * failure fails the run with its cause instead of restarting (a restart replays events, so its
     * figure would be wrong anyway).
     */
    static Configuration benchConfiguration() {
        Configuration conf = new Configuration();
        conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofMinutes(10));
        conf.set(HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD, -1);
        conf.set(TaskManagerOptions.TASK_CANCELLATION_TIMEOUT, Duration.ZERO);
        conf.setString("restart-strategy.type", "none");
        return conf;
    }

    /**
     * A full-pipeline run (b) or (c): incremental checkpoints every 10 s into {@code checkpoints};
     * for RocksDB the cluster's own {@code state.backend.rocksdb.*} settings, so (c) measures what
     * flink-conf/config.yaml deploys; then {@code overrides}.
     */
    static Configuration pipelineConfiguration(
            String stateBackend,
            Path checkpoints,
            Map<String, String> rocksDb,
            Map<String, String> overrides) {
        Configuration conf = benchConfiguration();
        conf.setString("state.backend.type", stateBackend);
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("execution.checkpointing.interval", "10s");
        if ("rocksdb".equals(stateBackend)) rocksDb.forEach(conf::setString);
        overrides.forEach(conf::setString);
        return conf;
    }

    /** The {@code state.backend.rocksdb.*} keys of a flat Flink config.yaml. */
    public static Map<String, String> rocksDbSettings(Path configYaml) throws java.io.IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(configYaml)) {
            java.util.regex.Matcher m = ROCKSDB_KEY.matcher(line);
            if (m.matches()) out.put(m.group(1), m.group(2).trim());
        }
        return out;
    }

    private static final java.util.regex.Pattern ROCKSDB_KEY =
            java.util.regex.Pattern.compile("^(state\\.backend\\.rocksdb\\.[\\w.-]+):\\s*(.*)$");

    /** Typical sessions folded into their state, serialized as the operator stores them. */
    static double bytesPerOpenSession(List<RumEvent> decoded, BeaconflowConfig config) {
        EventEnrichment enrichment = new EventEnrichment(config.ingest);
        Map<String, List<RumEvent>> bySession = new LinkedHashMap<>();
        for (RumEvent e : decoded) {
            if (bySession.size() >= 5000 && !bySession.containsKey(e.app + e.sessionId)) continue;
            bySession.computeIfAbsent(e.app + e.sessionId, k -> new ArrayList<>()).add(e);
        }
        SessionRules rules = new SessionRules(config.sessions);
        @SuppressWarnings("unchecked")
        TypeSerializer<SessionState> serializer =
                (TypeSerializer<SessionState>) SessionAssembler.stateDescriptor().getSerializer();
        long total = 0;
        int n = 0;
        DataOutputSerializer out = new DataOutputSerializer(1024);
        try {
            for (List<RumEvent> events : bySession.values()) {
                if (events.size() < 5) continue;
                events.sort(Comparator.comparingLong(e -> e.eventTime));
                SessionState s = SessionState.startingAt(events.get(0).eventTime);
                for (RumEvent e : events) {
                    enrichment.enrich(e);
                    s.add(e, rules, false);
                }
                // As most of an open session's life is spent: waiting out the gap.
                s.settle(events.get(events.size() - 1).eventTime + 60_000, rules);
                out.clear();
                serializer.serialize(s, out);
                total += out.length();
                n++;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n == 0 ? 0 : (double) total / n;
    }
}
