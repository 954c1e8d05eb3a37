package io.beaconflow.jobs.cli;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.evaluation.DemoReport;
import io.beaconflow.jobs.evaluation.DemoSummary;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSeed;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.io.NdjsonFileSink;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./beaconflow demo}: the whole job on an embedded Flink MiniCluster, fed by the synthetic
 * traffic generator, writing NDJSON files. No external service.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run Beaconflow on an embedded Flink MiniCluster with synthetic RUM traffic (scheduled"
                    + " incidents included) and write every output as NDJSON under --out.",
            "Shows progress while it runs and a summary at the end."
        })
public final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--out",
            defaultValue = "demo-out",
            description =
                    "Output folder (default: ${DEFAULT-VALUE}); its NDJSON files are replaced.")
    Path out;

    @Option(
            names = "--duration",
            defaultValue = "2h",
            description =
                    "Simulated time span of traffic, e.g. 30m, 2h, 1d (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--speed",
            defaultValue = "max",
            description =
                    "Simulated seconds per wall-clock second, or 'max' for as fast as possible"
                            + " (default: ${DEFAULT-VALUE}).")
    String speed;

    @Mixin GeneratorSeed seed;

    @Mixin LocalJobOptions options;

    @Option(
            names = "--incidents",
            description =
                    "Scheduled incidents with ground truth, instead of the generator file's own"
                            + " incidents_file (the shipped generator.yaml names"
                            + " incidents/demo.yaml; generator-spa.yaml none).")
    Path incidents;

    @Option(names = "--quiet", description = "No progress line (for logs and CI).")
    boolean quiet;

    @Option(
            names = "--no-html",
            description = "Skip OUT/report.html (charts of each alerted series with its band).")
    boolean noHtml;

    @Override
    public Integer call() throws Exception {
        // Synthetic users only: the public demo salt unless BEACONFLOW_USER_ID_SALT is set.
        BeaconflowConfig jobConfig =
                BeaconflowConfig.load(
                        options.config, BeaconflowConfig.withDemoSalt(System::getenv));
        GeneratorConfig loaded = GeneratorConfig.load(options.generator);
        GeneratorConfig gen =
                (incidents == null ? loaded : loaded.withIncidents(incidents))
                        .withDuration(duration)
                        .withSpeed(speed);
        Files.createDirectories(out);

        StreamExecutionEnvironment env = LocalFlink.environment(options.parallelism);
        GeneratorSource<IngestRecord> source =
                GeneratorSource.decoded(gen, seed.value, jobConfig.ingest);
        BeaconflowPipeline pipeline = BeaconflowPipeline.build(env, source, "generator", jobConfig);
        BeaconflowPipeline.Sinks traceSinks = new BeaconflowPipeline.Sinks();
        if (jobConfig.traces.enabled && GeneratorSource.hasBackends(gen)) {
            // The generator's backends answer the fetches: their SERVER spans, as the collector
            // writes them, through the same join as on the cluster (kafka.server-spans-topic).
            pipeline.withServerSpans(
                    GeneratorSource.serverSpans(gen, seed.value, jobConfig.ingest),
                    "generator-server-spans",
                    jobConfig);
            traceSinks
                    .fetchTimings(new NdjsonFileSink<>(out, "fetch-timings"))
                    .endpointTimings(new NdjsonFileSink<>(out, "endpoint-timings"));
        }
        pipeline.sinkTo(
                traceSinks
                        .deadLetters(new NdjsonFileSink<>(out, "dead-letters"))
                        .lateEvents(new NdjsonFileSink<>(out, "late-events"))
                        .sessions(new NdjsonFileSink<>(out, "sessions"))
                        .metrics(new NdjsonFileSink<>(out, "metrics"))
                        .alerts(new NdjsonFileSink<>(out, "alerts"))
                        .errorGroups(new NdjsonFileSink<>(out, "error-groups"))
                        .comparisons(new NdjsonFileSink<>(out, "comparisons"))
                        .rejectedSpecs(new NdjsonFileSink<>(out, "rejected-specs")));

        System.err.printf(
                "beaconflow demo: %s of simulated traffic from %s, seed %d, parallelism %d, output %s%n",
                duration,
                Instant.ofEpochMilli(gen.startMillis()),
                seed.value,
                options.parallelism,
                out);
        // The ground truth is computed alongside the job from the same config and seed.
        CompletableFuture<TrafficGenerator.Merged> truth =
                CompletableFuture.supplyAsync(
                        () -> {
                            TrafficGenerator.Merged all =
                                    TrafficGenerator.generateAll(gen, seed.value, gen.splits);
                            while (all.hasNext()) all.next();
                            return all;
                        });
        long started = System.nanoTime();
        JobClient job = env.executeAsync("beaconflow-demo");
        Progress progress = new Progress(quiet);
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            try {
                progress.show(job.getAccumulators().get(2, TimeUnit.SECONDS), started);
            } catch (Exception e) {
                // The job finished between the check and the call: the final result has it all.
            }
            try {
                result.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // next progress line
            }
        }
        JobExecutionResult done = result.get();
        progress.finish();
        double seconds = (System.nanoTime() - started) / 1e9;
        TrafficGenerator.Merged generated = truth.get();
        DemoSummary summary =
                DemoSummary.of(
                        done.getAllAccumulatorResults(),
                        generated.stats(),
                        generated.incidents(),
                        out,
                        seconds,
                        jobConfig.metrics.window);
        System.out.println(summary.table());
        Files.writeString(out.resolve("summary.txt"), summary.table());
        if (!noHtml) {
            Path report = out.resolve("report.html");
            DemoReport.write(
                    report,
                    out,
                    DemoSummary.readAll(out, "alerts", io.beaconflow.jobs.alerts.Alert.class),
                    generated.incidents());
            System.out.println("HTML report: " + report.toAbsolutePath());
        }
        return 0;
    }

    /** One self-overwriting progress line on stderr. */
    static final class Progress {
        private final boolean quiet;
        private int lastLength;

        Progress(boolean quiet) {
            this.quiet = quiet;
        }

        void show(Map<String, Object> acc, long startedNanos) {
            if (quiet || acc == null) return;
            long accepted = DemoSummary.longOf(acc, "events-accepted");
            long rejected = DemoSummary.longOf(acc, "dead-letters");
            long late = DemoSummary.longOf(acc, "late-events");
            long maxTs = DemoSummary.longOf(acc, "max-event-time");
            double secs = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
            String line =
                    String.format(
                            "  events in %,d | event time %s | rejects %,d | late %,d | %,.0f events/s",
                            accepted,
                            maxTs > 0 ? Instant.ofEpochMilli(maxTs).toString() : "-",
                            rejected,
                            late,
                            accepted / secs);
            System.err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        }

        void finish() {
            if (!quiet && lastLength > 0) System.err.println();
        }
    }
}
