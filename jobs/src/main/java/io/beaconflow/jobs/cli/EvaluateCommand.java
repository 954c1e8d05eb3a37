package io.beaconflow.jobs.cli;

import io.beaconflow.detectors.evidence.AlertBudget;
import io.beaconflow.detectors.spec.DetectorSpecs;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.RouteActivity;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.detection.SpecSet;
import io.beaconflow.jobs.detection.SpecUpdate;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.evaluation.DemoSummary;
import io.beaconflow.jobs.evaluation.DetectionRecording;
import io.beaconflow.jobs.evaluation.Evaluation;
import io.beaconflow.jobs.evaluation.IncidentEvidence;
import io.beaconflow.jobs.evaluation.IncidentMatcher;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.ingest.IngestRouter;
import io.beaconflow.jobs.io.NdjsonFileSink;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.DetectionChain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./beaconflow evaluate}: detection quality over incident files × generator seeds. Each run
 * is the production graph ({@link BeaconflowPipeline#buildForDetection}: the demo's operators
 * without the session stage) on an embedded MiniCluster, fed by the generator as fast as it goes;
 * only the alerts are written (NDJSON, read back), then {@link IncidentMatcher} judges them against
 * the generator's ground truth with the demo's rules and grace. With {@code --cache} the rows
 * detection reads are recorded under a {@link RecordingKey} and later runs replay them.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Run the job's detection on an embedded MiniCluster over incident files x generator"
                    + " seeds and score the alerts against the injected incidents (the demo's"
                    + " matching rules).",
            "Prints per file and seed and in total: incidents alerted / injected, alert delay in"
                    + " windows after onset (median, max), alerts matching no incident and false"
                    + " alerts per simulated day. The last line is 'evaluation: recall A/B, false"
                    + " alerts per day F, median delay D windows'."
        })
public final class EvaluateCommand implements Callable<Integer> {
    private static final long GIB = 1L << 30;

    @Mixin LocalJobOptions job;

    @Spec CommandSpec spec;

    @Option(
            names = "--scenarios",
            arity = "1..*",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/incidents/eval",
            description =
                    "Incident files, or folders whose *.yaml / *.yml files are taken"
                            + " (default: ${DEFAULT-VALUE}).")
    List<Path> scenarios;

    @Option(
            names = "--seeds",
            split = ",",
            defaultValue = "1,2,3",
            description = "Generator seeds, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(
            names = "--duration",
            defaultValue = "2d",
            description =
                    "Simulated traffic per run from the generator's start, e.g. 3h, 2d"
                            + " (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--spec",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/detectors/defaults.yaml",
            description = "Detector specs, one file for every run (default: ${DEFAULT-VALUE}).")
    Path specFile;

    @Option(
            names = "--parallel",
            defaultValue = "1",
            description =
                    "Runs at once, each on its own MiniCluster; lowered when the JVM heap is under"
                            + " 1 GiB per run (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--json", description = "Also write the figures, per run and in total, here.")
    Path json;

    @Option(
            names = "--out",
            description =
                    "Keep each run's alerts as NDJSON under OUT/<file>-seed<N>/ (default: a"
                            + " temporary folder, deleted at the end).")
    Path out;

    @Option(names = "--details", description = "Also print each run's incident table.")
    boolean details;

    @Option(
            names = "--cache",
            description =
                    "Record what detection reads (metric rows, per-route activity) of each run"
                            + " under CACHE, keyed by scenario file, seed, duration, job and"
                            + " generator config and build; a later run with the same key replays"
                            + " only the detection stage from it (seconds instead of minutes), so"
                            + " detector specs can be compared quickly. Off by default.")
    Path cache;

    @Option(
            names = "--explain",
            description =
                    "Also write the scored rows (value, expected, band, z per metric) of the"
                            + " series whose id 'app|dimension|value' matches this Java regex to"
                            + " OUT/<file>-seed<N>/scored*.ndjson: why an incident was missed or an"
                            + " alert raised. Needs --out.")
    String explain;

    /** One scenario file × seed to run. */
    private record Task(String label, Path file, GeneratorConfig gen, long seed, Path dir) {}

    @Override
    public Integer call() throws Exception {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel " + parallel + ": fix: 1 or more");
        }
        if (explain != null && out == null) {
            throw new IllegalArgumentException("--explain: fix: also give --out DIR to keep it");
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("--seeds: fix: at least one seed, e.g. 1,2,3");
        }
        // Synthetic users only: the public demo salt unless BEACONFLOW_USER_ID_SALT is set.
        BeaconflowConfig jobConfig =
                BeaconflowConfig.load(job.config, BeaconflowConfig.withDemoSalt(System::getenv));
        jobConfig.detection.specsFile = specFile.toAbsolutePath().toString();
        // Fail before hours of runs on a bad spec file (the job would, at graph build time).
        SpecSet.parse(SpecUpdate.readFile(specFile));
        GeneratorConfig base =
                GeneratorConfig.load(job.generator)
                        .withDuration(duration)
                        .withSpeed(GeneratorConfig.MAX_SPEED);

        // Load and validate every scenario first: a typo in the last file must not surface
        // after the others have run.
        List<Path> files = scenarioFiles(scenarios);
        Path root = out != null ? out : Files.createTempDirectory("beaconflow-evaluate");
        List<String> labels = new ArrayList<>();
        List<GeneratorConfig> gens = new ArrayList<>();
        for (Path f : files) {
            String label = f.getFileName().toString();
            if (labels.contains(label)) {
                throw new IllegalArgumentException(
                        "--scenarios: two files named "
                                + label
                                + "; fix: rename one (runs are reported by file name)");
            }
            labels.add(label);
            gens.add(base.withIncidents(f));
        }
        // Seed by seed, so the runs that finish first already cover every file; the table is in
        // file order.
        List<Task> tasks = new ArrayList<>();
        for (long seed : seeds) {
            for (int i = 0; i < labels.size(); i++) {
                String label = labels.get(i);
                tasks.add(
                        new Task(
                                label,
                                files.get(i),
                                gens.get(i),
                                seed,
                                root.resolve(label + "-seed" + seed)));
            }
        }
        int atOnce = Math.min(parallel, tasks.size());
        long heap = Runtime.getRuntime().maxMemory();
        if (atOnce > 1 && heap / atOnce < GIB) {
            int fits = (int) Math.max(1, heap / GIB);
            System.err.printf(
                    Locale.ROOT,
                    "beaconflow evaluate: --parallel %d lowered to %d (JVM heap %.1f GiB; raise it"
                            + " with BEACONFLOW_JAVA_OPTS=-Xmx...)%n",
                    atOnce,
                    fits,
                    heap / (double) GIB);
            atOnce = fits;
        }
        System.err.printf(
                Locale.ROOT,
                "beaconflow evaluate: %d file(s) x %d seed(s), %s each, spec %s, %d run(s) at once,"
                        + " parallelism %d%n",
                files.size(),
                seeds.size(),
                duration,
                specFile,
                atOnce,
                job.parallelism);

        long started = System.nanoTime();
        List<Evaluation.Run> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(atOnce);
        try {
            List<Future<Evaluation.Run>> futures = new ArrayList<>();
            for (Task t : tasks) {
                futures.add(pool.submit(() -> run(jobConfig, t)));
            }
            for (Future<Evaluation.Run> f : futures) {
                try {
                    runs.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
            if (out == null) DetectionRecording.deleteTree(root);
        }
        double wall = (System.nanoTime() - started) / 1e9;
        runs.sort(
                Comparator.comparingInt((Evaluation.Run r) -> labels.indexOf(r.scenario()))
                        .thenComparing(r -> seeds.indexOf(r.seed())));

        PrintWriter stdout = spec.commandLine().getOut();
        if (details) {
            for (Evaluation.Run r : runs) {
                stdout.printf("%n%s, seed %d%n", r.scenario(), r.seed());
                stdout.print(IncidentMatcher.table(r.result()));
            }
            stdout.println();
        }
        stdout.print(Evaluation.table(runs));
        if (json != null) {
            Evaluation.writeJson(runs, json);
            stdout.println("JSON: " + json.toAbsolutePath());
        }
        stdout.printf(Locale.ROOT, "wall time: %.0f s for %d run(s)%n", wall, runs.size());
        AlertBudget budget = DetectorSpecs.load(specFile).budget();
        if (budget != null) {
            // The z a pooled test (1, 2, 4, ... 32 windows: six scales) must reach at the budget.
            String evidence = Evaluation.evidenceSummary(runs, budget.zThreshold(POOLED_SCALES));
            if (evidence != null) {
                stdout.print(evidence);
            }
        }
        stdout.println(Evaluation.lastLine(runs));
        stdout.flush();
        return 0;
    }

    private Evaluation.Run run(BeaconflowConfig jobConfig, Task t) throws Exception {
        Files.createDirectories(t.dir());
        // Without --cache the run still records, into its own folder, for the incidents' evidence
        // (IncidentEvidence reads the metric rows), and the recording is deleted afterwards.
        Path recording =
                cache == null
                        ? t.dir().resolve("recording")
                        : cache.resolve(
                                RecordingKey.of(
                                        t.label(),
                                        t.file(),
                                        t.seed(),
                                        duration,
                                        job.config,
                                        job.generator));
        boolean replay = cache != null && DetectionRecording.complete(recording);
        // A run that records into the cache writes a folder of its own and publishes it whole:
        // two commands sharing a --cache may record the same file and seed at once.
        Path writeTo = replay || cache == null ? recording : DetectionRecording.staging(recording);
        if (!replay) {
            Files.createDirectories(writeTo);
        }
        List<DetectionRecording.Timed<MetricAggregate>> metricRows = null;
        StreamExecutionEnvironment env = LocalFlink.environment(job.parallelism);
        String held1 = null;
        String held2 = null;
        String held3 = null;
        long accepted;
        long started = System.nanoTime();
        try {
            if (replay) {
                metricRows = DetectionRecording.readMetrics(recording);
                held1 = DetectionRecording.hold(metricRows);
                held2 = DetectionRecording.hold(DetectionRecording.readActivity(recording));
                held3 = DetectionRecording.hold(DetectionRecording.readErrors(recording));
                DetectionChain.Outputs detection =
                        DetectionChain.fromActivity(
                                DetectionRecording.replay(
                                        env, held1, MetricAggregate.class, "metric-rows"),
                                DetectionRecording.replay(
                                        env, held2, RouteActivity.class, "route-activity"),
                                BeaconflowPipeline.specUpdates(env, Boundedness.BOUNDED, jobConfig),
                                jobConfig.detection,
                                null,
                                null,
                                DetectionRecording.replay(
                                        env, held3, ErrorWindowCount.class, "error-window-counts"));
                detection
                        .alerts()
                        .sinkTo(new NdjsonFileSink<>(t.dir(), "alerts"))
                        .uid("sink-alerts")
                        .name("sink: alerts");
                explain(detection.scored(), t);
                env.execute("beaconflow-evaluate replay " + t.label() + " seed " + t.seed());
                accepted =
                        Long.parseLong(Files.readString(recording.resolve(EVENTS_ACCEPTED)).trim());
            } else {
                GeneratorSource<IngestRecord> source =
                        GeneratorSource.decoded(t.gen(), t.seed(), jobConfig.ingest);
                BeaconflowPipeline pipeline =
                        BeaconflowPipeline.buildForDetection(env, source, "generator", jobConfig);
                pipeline.sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .alerts(new NdjsonFileSink<>(t.dir(), "alerts")));
                explain(pipeline.metrics(), t);
                pipeline.unscoredMetrics()
                        .sinkTo(
                                new DetectionRecording.RecordingSink<>(
                                        writeTo.resolve(DetectionRecording.METRICS),
                                        MetricAggregate.class))
                        .setParallelism(1)
                        .uid("sink-record-metrics")
                        .name("sink: record metric rows");
                pipeline.routeActivity()
                        .sinkTo(
                                new DetectionRecording.RecordingSink<>(
                                        writeTo.resolve(DetectionRecording.ACTIVITY),
                                        RouteActivity.class))
                        .setParallelism(1)
                        .uid("sink-record-activity")
                        .name("sink: record route activity");
                pipeline.errorWindowCounts()
                        .sinkTo(
                                new DetectionRecording.RecordingSink<>(
                                        writeTo.resolve(DetectionRecording.ERRORS),
                                        ErrorWindowCount.class))
                        .setParallelism(1)
                        .uid("sink-record-errors")
                        .name("sink: record error window counts");
                JobExecutionResult done =
                        env.execute("beaconflow-evaluate " + t.label() + " seed " + t.seed());
                accepted =
                        DemoSummary.longOf(
                                done.getAllAccumulatorResults(), IngestRouter.ACC_ACCEPTED);
                Files.writeString(writeTo.resolve(EVENTS_ACCEPTED), accepted + "\n");
                if (writeTo.equals(recording)) {
                    DetectionRecording.commit(recording);
                } else {
                    DetectionRecording.publish(writeTo, recording);
                }
            }
        } finally {
            if (!writeTo.equals(recording) && Files.exists(writeTo)) {
                DetectionRecording.deleteTree(writeTo); // a failed run's staged files
            }
            if (held1 != null) DetectionRecording.release(held1);
            if (held2 != null) DetectionRecording.release(held2);
            if (held3 != null) DetectionRecording.release(held3);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Alert> alerts = DemoSummary.readAll(t.dir(), "alerts", Alert.class);
        List<IncidentTruth> truth = TrafficGenerator.truths(t.gen());
        java.time.Duration window = jobConfig.metrics.window;
        IncidentMatcher.Result result =
                IncidentMatcher.match(truth, alerts, window, IncidentMatcher.grace(window));
        double days = (t.gen().endMillis() - t.gen().startMillis()) / 86_400_000.0;
        if (metricRows == null) {
            metricRows = DetectionRecording.readMetrics(recording);
        }
        Map<String, IncidentEvidence.Finding> evidence =
                IncidentEvidence.of(
                        truth, metricRows.stream().map(DetectionRecording.Timed::value).toList());
        metricRows = null;
        if (cache == null) {
            DetectionRecording.deleteTree(recording);
        }
        Evaluation.Run run =
                new Evaluation.Run(t.label(), t.seed(), days, result, accepted, seconds, evidence);
        Evaluation.Figures f = run.figures();
        System.err.printf(
                Locale.ROOT,
                "  %s seed %d: %d/%d alerted, %d unmatched (%,d events, %.0f s%s)%n",
                t.label(),
                t.seed(),
                f.alerted(),
                f.injected(),
                f.unmatched(),
                f.eventsAccepted(),
                seconds,
                replay ? ", replayed from " + recording : "");
        return run;
    }

    private static final String EVENTS_ACCEPTED = "events-accepted.txt";

    /** Scales of a pooled test of up to 32 windows (1, 2, 4, 8, 16, 32). */
    private static final int POOLED_SCALES = 6;

    private void explain(DataStream<ScoredAggregate> scored, Task t) {
        if (explain == null) {
            return;
        }
        String regex = explain;
        scored.filter(r -> Pattern.compile(regex).matcher(r.series()).matches())
                .name("evaluate: explain filter")
                .sinkTo(new NdjsonFileSink<>(t.dir(), "scored"))
                .uid("sink-explain")
                .name("sink: explained series");
    }

    /** Files as given; folders contribute their *.yaml / *.yml files in name order. */
    static List<Path> scenarioFiles(List<Path> given) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : given) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    List<Path> yaml =
                            list.filter(Files::isRegularFile)
                                    .filter(
                                            f -> {
                                                String n = f.getFileName().toString();
                                                return n.endsWith(".yaml") || n.endsWith(".yml");
                                            })
                                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                                    .toList();
                    if (yaml.isEmpty()) {
                        throw new IllegalArgumentException(
                                "--scenarios "
                                        + p
                                        + ": no *.yaml file in this folder; fix: name incident"
                                        + " files or a folder holding them");
                    }
                    files.addAll(yaml);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException(
                        "--scenarios " + p + ": no such file or folder; fix: check the path");
            }
        }
        return files;
    }
}
