package io.beaconflow.detectors.cli;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.nab.MultiScaleDetector;
import io.beaconflow.detectors.nab.NabCrossValidation;
import io.beaconflow.detectors.nab.NabDataset;
import io.beaconflow.detectors.nab.NabFile;
import io.beaconflow.detectors.nab.NabProfile;
import io.beaconflow.detectors.nab.NabRunner;
import io.beaconflow.detectors.nab.NabScorer;
import io.beaconflow.detectors.nab.NabSpec;
import io.beaconflow.detectors.spec.SpecException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nab}: runs one detector spec over every CSV of a NAB-format data folder, writes NAB result
 * files and prints the NAB scores of the three profiles at the detector's own threshold (NAB
 * threshold 0.5 = the rows where the detector opens an alert). The last line is {@code NAB
 * standard: X}.
 */
@Command(
        name = "nab",
        mixinStandardHelpOptions = true,
        description = {
            "Run a detector spec over a NAB-format data folder, write NAB result files"
                    + " (timestamp,value,anomaly_score,label) to OUT/NAME/<category>/NAME_<file>.csv"
                    + " and print the NAB scores (standard, reward_low_FP_rate, reward_low_FN_rate).",
            "anomaly_score >= 0.5 exactly on rows where the detector opens an alert at its own"
                    + " configured threshold; the scores are computed at that fixed threshold.",
            "The last line printed is 'NAB standard: X'."
        })
public final class NabCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "NAB data folder with <category>/<name>.csv files.")
    Path data;

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "FILE",
            description = "NAB combined_windows.json (anomaly windows used for scoring).")
    Path labels;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "FILE",
            description =
                    "Detector spec YAML, e.g. flink-conf/detectors/nab.yaml, with an optional"
                            + " nab: section (scales: the rolling means judged besides the raw"
                            + " series).")
    Path specFile;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Results root; files go to OUT/NAME/<category>/NAME_<file>.csv. Required"
                            + " unless --cv.")
    Path out;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description =
                    "Detector name in result paths; no '_' (NAB splits file names on it)."
                            + " Required unless --cv.")
    String name;

    @Option(
            names = "--metric",
            defaultValue = "value",
            paramLabel = "METRIC",
            description = "Metric of the spec to use (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(
            names = "--profiles",
            paramLabel = "FILE",
            description =
                    "NAB profiles.json; default: ../config/profiles.json next to the data folder if present, else NAB v1.1's three profiles.")
    Path profiles;

    @Option(names = "--per-file", description = "Also print each file's standard raw score.")
    boolean perFile;

    @Option(
            names = "--cv",
            paramLabel = "K",
            description =
                    "k-fold cross-validation instead of one run: choose the --grid setting on K-1"
                            + " folds of the files, score it on the fold left out; prints the"
                            + " cross-validated scores next to the in-sample ones. Last line:"
                            + " 'NAB standard cross-validated: X'.")
    Integer cvFolds;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "SEED",
            description = "Seed of the fold assignment for --cv (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--grid",
            paramLabel = "FILE",
            description =
                    "Search grid for --cv (knobs: {knob: [values]}), e.g."
                            + " flink-conf/detectors/nab-grid.yaml.")
    Path grid;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = cmd.commandLine().getOut();
        PrintWriter err = cmd.commandLine().getErr();
        if (name != null && (name.contains("_") || name.isBlank() || name.contains("/"))) {
            err.println(
                    "--name '"
                            + name
                            + "' must be non-empty without '_' or '/': NAB splits result file names on the first '_'");
            return 2;
        }
        if (cvFolds != null) {
            return crossValidate(o, err);
        }
        if (out == null || name == null) {
            err.println("--out and --name are required (unless --cv)");
            return 2;
        }
        NabSpec nabSpec;
        try {
            nabSpec = NabSpec.load(specFile, metric);
        } catch (SpecException e) {
            err.println(e.getMessage());
            return 2;
        }
        DetectorSpec spec = nabSpec.spec();
        List<NabProfile> profileList = loadProfiles();
        long start = System.nanoTime(); // progress display only
        List<NabFile> files = NabDataset.load(data, labels);
        MultiScaleDetector detector = nabSpec.detector();
        List<double[]> scores = new ArrayList<>();
        int rows = 0;
        for (NabFile f : files) {
            double[] s = NabRunner.run(detector, f);
            NabRunner.write(out, name, f, s);
            scores.add(s);
            rows += f.rows();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        o.printf(Locale.ROOT, "detector %s: scales %s, %s%n", name, nabSpec.scales(), spec);
        o.printf(
                Locale.ROOT,
                "scored %d files, %d rows in %d ms; results in %s%n",
                files.size(),
                rows,
                millis,
                out.resolve(name));
        Path perFileCsv = out.resolve(name).resolve(name + "_per_file_scores.csv");
        double standard = Double.NaN;
        try (BufferedWriter w = Files.newBufferedWriter(perFileCsv)) {
            w.write(
                    "file,rows,probation_rows,windows,profile,threshold,raw_score,tp_rows,fp_rows,fn_rows,tn_rows\n");
            for (NabProfile p : profileList) {
                NabScorer.FileScore total = NabScorer.FileScore.ZERO;
                for (int i = 0; i < files.size(); i++) {
                    NabFile f = files.get(i);
                    NabScorer.FileScore fs =
                            NabScorer.score(
                                    f.rows(),
                                    f.windows(),
                                    NabRunner.detections(scores.get(i), NabRunner.OWN_THRESHOLD),
                                    p);
                    total = total.plus(fs);
                    w.write(
                            String.format(
                                    Locale.ROOT,
                                    "%s,%d,%d,%d,%s,%s,%s,%d,%d,%d,%d%n",
                                    f.relativePath(),
                                    f.rows(),
                                    NabScorer.probation(f.rows()),
                                    f.windows().size(),
                                    p.name(),
                                    NabRunner.OWN_THRESHOLD,
                                    fs.raw(),
                                    fs.tp(),
                                    fs.fp(),
                                    fs.fn(),
                                    fs.tn()));
                    if (perFile && p.name().equals("standard")) {
                        o.printf(
                                Locale.ROOT,
                                "  %-58s raw %8.4f  detections in windows %d, outside %d%n",
                                f.relativePath(),
                                fs.raw(),
                                fs.tp(),
                                fs.fp());
                    }
                }
                double normalized = NabScorer.normalize(total.raw(), total.windows(), p);
                double[] opt = NabRunner.optimizeThreshold(files, scores, p);
                o.printf(
                        Locale.ROOT,
                        "%-20s %7.2f  (raw %.6f; detections in windows %d, outside %d; NAB-optimised threshold %.6g would give %.2f)%n",
                        p.name(),
                        normalized,
                        total.raw(),
                        total.tp(),
                        total.fp(),
                        opt[0],
                        NabScorer.normalize(opt[1], total.windows(), p));
                if (p.name().equals("standard")) {
                    standard = normalized;
                }
            }
        }
        if (Double.isNaN(standard)) {
            err.println(
                    "no 'standard' profile in the profiles; cannot print the NAB standard score");
            return 1;
        }
        o.printf(Locale.ROOT, "NAB standard: %.2f%n", standard);
        o.flush();
        return 0;
    }

    private Integer crossValidate(PrintWriter o, PrintWriter err) throws IOException {
        if (grid == null) {
            err.println("--cv needs --grid FILE: the knobs and values to choose from");
            return 2;
        }
        String specText = Files.readString(specFile);
        NabCrossValidation.Grid g;
        List<NabFile> files = NabDataset.load(data, labels);
        int[] fold;
        NabCrossValidation.Table t;
        List<NabProfile> profileList = loadProfiles();
        long start = System.nanoTime(); // progress display only
        try {
            g = NabCrossValidation.Grid.load(grid);
            fold = NabCrossValidation.folds(files, cvFolds, seed);
            NabSpec.parse(specText, specFile.toString(), metric); // the spec as written must load
            t =
                    NabCrossValidation.run(
                            specText, specFile.toString(), metric, g, files, profileList);
        } catch (SpecException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<Map<String, Object>> points = t.points();
        o.printf(
                Locale.ROOT,
                "grid %s: %d settings of %s; %d files, %d windows, %d folds (seed %d, stratified by"
                        + " category); %d ms%n",
                grid,
                points.size(),
                g.knobs().keySet(),
                files.size(),
                NabCrossValidation.totalWindows(t),
                cvFolds,
                seed,
                (System.nanoTime() - start) / 1_000_000);
        for (int k = 0; k < cvFolds; k++) {
            StringBuilder members = new StringBuilder();
            for (int f = 0; f < files.size(); f++) {
                if (fold[f] == k) {
                    members.append(members.length() == 0 ? "" : " ")
                            .append(files.get(f).baseName());
                }
            }
            o.printf(Locale.ROOT, "fold %d: %s%n", k + 1, members);
        }
        double standard = Double.NaN;
        List<String> summary = new ArrayList<>();
        for (int p = 0; p < profileList.size(); p++) {
            NabProfile prof = profileList.get(p);
            double heldRaw = 0;
            for (NabCrossValidation.FoldResult r :
                    NabCrossValidation.crossValidate(t, fold, cvFolds, p)) {
                heldRaw += r.testRaw();
                o.printf(
                        Locale.ROOT,
                        "%-20s fold %d: chose %s (training %.2f) -> held-out %s (%d files, %d"
                                + " windows)%n",
                        prof.name(),
                        r.fold() + 1,
                        points.get(r.chosen()),
                        NabScorer.normalize(r.trainRaw(), r.trainWindows(), prof),
                        r.testWindows() == 0
                                ? String.format(Locale.ROOT, "raw %.3f", r.testRaw())
                                : String.format(
                                        Locale.ROOT,
                                        "%.2f",
                                        NabScorer.normalize(r.testRaw(), r.testWindows(), prof)),
                        r.testFiles(),
                        r.testWindows());
            }
            int windows = NabCrossValidation.totalWindows(t);
            int bestAll = 0;
            for (int gi = 1; gi < points.size(); gi++) {
                if (NabCrossValidation.inSampleRaw(t, gi, p)
                        > NabCrossValidation.inSampleRaw(t, bestAll, p)) {
                    bestAll = gi;
                }
            }
            double cv = NabScorer.normalize(heldRaw, windows, prof);
            summary.add(
                    String.format(
                            Locale.ROOT,
                            "%-20s cross-validated %6.2f   in-sample best of grid %6.2f %s",
                            prof.name(),
                            cv,
                            NabScorer.normalize(
                                    NabCrossValidation.inSampleRaw(t, bestAll, p), windows, prof),
                            points.get(bestAll)));
            if (prof.name().equals("standard")) {
                standard = cv;
            }
        }
        summary.forEach(o::println);
        if (Double.isNaN(standard)) {
            err.println("no 'standard' profile in the profiles");
            return 1;
        }
        o.printf(Locale.ROOT, "NAB standard cross-validated: %.2f%n", standard);
        o.flush();
        return 0;
    }

    private List<NabProfile> loadProfiles() throws IOException {
        if (profiles != null) {
            return NabProfile.load(profiles);
        }
        Path parent = data.toAbsolutePath().getParent();
        Path guess = parent == null ? null : parent.resolve("config/profiles.json");
        if (guess != null && Files.isRegularFile(guess)) {
            return NabProfile.load(guess);
        }
        return NabProfile.defaults();
    }
}
