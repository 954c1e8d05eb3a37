package io.beaconflow.detectors.nab;

import io.beaconflow.detectors.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * k-fold cross-validation of a NAB detector: the settings are chosen on k−1 folds of the files and
 * scored on the fold left out, so the reported number is on files the choice never saw.
 *
 * <p>Folds are by file, stratified by NAB category folder: the files of each category (in path
 * order) are shuffled with {@code new Random(seed)} and dealt round-robin into the folds, one
 * category after the other with the dealing continuing where the last one stopped, so folds differ
 * in size by at most one file and every category is spread over the folds.
 *
 * <p>The search is a declared grid ({@link Grid}, a YAML file in the repo): every combination of
 * the listed knob values is applied to the base spec file. Per fold and per profile the setting
 * with the highest raw score on the training folds wins (ties: the first in grid order); its raw
 * score on the held-out fold is kept. The cross-validated score normalises the sum of the held-out
 * raw scores over all windows, as NAB normalises a whole corpus. Every grid point is run once over
 * every file; the folds only re-add those per-file scores.
 */
public final class NabCrossValidation {
    /** At most this many grid points: each one is a full run over every file. */
    public static final int MAX_GRID_POINTS = 2_000;

    private NabCrossValidation() {}

    /**
     * A search grid: knob → candidate values, in file order. A knob is a dotted key of the metric's
     * spec block ({@code z_threshold}, {@code novelty.half_life}) or of the spec file's {@code
     * nab:} section ({@code nab.scales}).
     *
     * <pre>
     * knobs:
     *   nab.scales: [[1], [1, 12]]
     *   z_threshold: [3.5, 4, 4.5]
     * </pre>
     */
    public record Grid(String source, LinkedHashMap<String, List<Object>> knobs) {
        public static Grid load(Path file) throws IOException {
            return parse(Files.readString(file), file.toString());
        }

        public static Grid parse(String text, String source) {
            Object root = new Yaml(new LoaderOptions()).load(text);
            if (!(root instanceof Map<?, ?> top)
                    || top.size() != 1
                    || !(top.get("knobs") instanceof Map<?, ?> knobs)
                    || knobs.isEmpty()) {
                throw new SpecException(
                        source,
                        1,
                        "knobs",
                        "a grid file holds exactly one key, knobs:, mapping each knob to a list of"
                                + " values",
                        "write knobs: { z_threshold: [3.5, 4, 4.5], nab.scales: [[1], [1, 12]] }");
            }
            LinkedHashMap<String, List<Object>> out = new LinkedHashMap<>();
            long points = 1;
            for (Map.Entry<?, ?> e : knobs.entrySet()) {
                String knob = String.valueOf(e.getKey());
                if (!(e.getValue() instanceof List<?> values) || values.isEmpty()) {
                    throw new SpecException(
                            source,
                            1,
                            "knobs." + knob,
                            "must be a non-empty list of candidate values",
                            "write " + knob + ": [value1, value2]");
                }
                out.put(knob, List.copyOf(values));
                points *= values.size();
                if (points > MAX_GRID_POINTS) {
                    throw new SpecException(
                            source,
                            1,
                            "knobs",
                            "more than " + MAX_GRID_POINTS + " combinations",
                            "list fewer values or fewer knobs");
                }
            }
            return new Grid(source, out);
        }

        /** Every combination, the first knob varying slowest. */
        public List<Map<String, Object>> points() {
            List<Map<String, Object>> points = new ArrayList<>();
            points.add(new LinkedHashMap<>());
            for (Map.Entry<String, List<Object>> e : knobs.entrySet()) {
                List<Map<String, Object>> next = new ArrayList<>();
                for (Map<String, Object> p : points) {
                    for (Object v : e.getValue()) {
                        Map<String, Object> q = new LinkedHashMap<>(p);
                        q.put(e.getKey(), v);
                        next.add(q);
                    }
                }
                points = next;
            }
            return points;
        }
    }

    /**
     * The spec text with the knob values of one grid point written in, then loaded (so a bad knob
     * or value fails with the spec's own message).
     */
    public static NabSpec apply(
            String specText, String source, String metric, Map<String, Object> setting) {
        Yaml yaml = new Yaml(new LoaderOptions());
        Object root = yaml.load(specText);
        if (!(root instanceof Map)) {
            throw new SpecException(source, 1, "(root)", "not a mapping", "use a spec file");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) root;
        for (Map.Entry<String, Object> e : setting.entrySet()) {
            List<String> path = new ArrayList<>();
            if (e.getKey().startsWith("nab.")) {
                path.add("nab");
                Collections.addAll(path, e.getKey().substring(4).split("\\."));
            } else {
                path.add("metrics");
                path.add(metric);
                Collections.addAll(path, e.getKey().split("\\."));
            }
            put(doc, path, e.getValue(), source, e.getKey());
        }
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String text = new Yaml(o).dump(doc);
        return NabSpec.parse(text, source + " with " + setting, metric);
    }

    @SuppressWarnings("unchecked")
    private static void put(
            Map<String, Object> doc, List<String> path, Object value, String source, String knob) {
        Map<String, Object> m = doc;
        for (int i = 0; i < path.size() - 1; i++) {
            Object child = m.get(path.get(i));
            if (child == null) {
                child = new LinkedHashMap<String, Object>();
                m.put(path.get(i), child);
            } else if (!(child instanceof Map)) {
                throw new SpecException(
                        source,
                        1,
                        knob,
                        String.join(".", path.subList(0, i + 1)) + " is not a section",
                        "name a key inside a section, e.g. novelty.half_life");
            }
            m = (Map<String, Object>) child;
        }
        m.put(path.get(path.size() - 1), value);
    }

    /** Raw scores of every grid point on every file and profile: {@code raw[g][f][p]}. */
    public record Table(
            List<Map<String, Object>> points,
            List<NabFile> files,
            double[][][] raw,
            int[] windows) {}

    /** Runs every grid point over every file (grid points in parallel; results by index). */
    public static Table run(
            String specText,
            String source,
            String metric,
            Grid grid,
            List<NabFile> files,
            List<NabProfile> profiles) {
        List<Map<String, Object>> points = grid.points();
        List<NabSpec> specs = new ArrayList<>();
        for (Map<String, Object> p : points) {
            specs.add(apply(specText, source, metric, p)); // every point validated before any run
        }
        double[][][] raw = new double[points.size()][files.size()][profiles.size()];
        IntStream.range(0, points.size())
                .parallel()
                .forEach(
                        g -> {
                            MultiScaleDetector d = specs.get(g).detector();
                            for (int f = 0; f < files.size(); f++) {
                                NabFile file = files.get(f);
                                boolean[] det =
                                        NabRunner.detections(
                                                NabRunner.run(d, file), NabRunner.OWN_THRESHOLD);
                                for (int p = 0; p < profiles.size(); p++) {
                                    raw[g][f][p] =
                                            NabScorer.score(
                                                            file.rows(),
                                                            file.windows(),
                                                            det,
                                                            profiles.get(p))
                                                    .raw();
                                }
                            }
                        });
        int[] windows = new int[files.size()];
        for (int f = 0; f < files.size(); f++) {
            int probation = NabScorer.probation(files.get(f).rows());
            windows[f] =
                    (int) files.get(f).windows().stream().filter(w -> w[1] >= probation).count();
        }
        return new Table(points, files, raw, windows);
    }

    /**
     * Fold of every file (0 … k−1), stratified by category, deterministic for a seed.
     *
     * @throws IllegalArgumentException when k &lt; 2 or there are fewer files than folds
     */
    public static int[] folds(List<NabFile> files, int k, long seed) {
        if (k < 2 || k > files.size()) {
            throw new IllegalArgumentException(
                    "--cv "
                            + k
                            + ": the number of folds must be between 2 and the number of files ("
                            + files.size()
                            + ")");
        }
        TreeMap<String, List<Integer>> byCategory = new TreeMap<>();
        for (int f = 0; f < files.size(); f++) {
            byCategory.computeIfAbsent(files.get(f).category(), c -> new ArrayList<>()).add(f);
        }
        Random random = new Random(seed);
        int[] fold = new int[files.size()];
        int dealt = 0;
        for (List<Integer> members : byCategory.values()) {
            members.sort(
                    (a, b) -> files.get(a).relativePath().compareTo(files.get(b).relativePath()));
            Collections.shuffle(members, random);
            for (int f : members) {
                fold[f] = dealt++ % k;
            }
        }
        return fold;
    }

    /** One fold's outcome for one profile. */
    public record FoldResult(
            int fold,
            int testFiles,
            int testWindows,
            int chosen,
            double trainRaw,
            int trainWindows,
            double testRaw) {}

    /** Per profile: the outcome of every fold. */
    public static List<FoldResult> crossValidate(Table t, int[] fold, int k, int profile) {
        List<FoldResult> out = new ArrayList<>();
        for (int held = 0; held < k; held++) {
            int best = -1;
            double bestRaw = Double.NEGATIVE_INFINITY;
            for (int g = 0; g < t.points().size(); g++) {
                double sum = 0;
                for (int f = 0; f < fold.length; f++) {
                    if (fold[f] != held) {
                        sum += t.raw()[g][f][profile];
                    }
                }
                if (sum > bestRaw) { // strict: ties go to the first in grid order
                    bestRaw = sum;
                    best = g;
                }
            }
            double testRaw = 0;
            int testFiles = 0;
            int testWindows = 0;
            int trainWindows = 0;
            for (int f = 0; f < fold.length; f++) {
                if (fold[f] == held) {
                    testRaw += t.raw()[best][f][profile];
                    testFiles++;
                    testWindows += t.windows()[f];
                } else {
                    trainWindows += t.windows()[f];
                }
            }
            out.add(
                    new FoldResult(
                            held, testFiles, testWindows, best, bestRaw, trainWindows, testRaw));
        }
        return out;
    }

    /** Sum of one grid point's raw scores over all files (the in-sample figure). */
    public static double inSampleRaw(Table t, int g, int profile) {
        double sum = 0;
        for (int f = 0; f < t.files().size(); f++) {
            sum += t.raw()[g][f][profile];
        }
        return sum;
    }

    public static int totalWindows(Table t) {
        return IntStream.of(t.windows()).sum();
    }
}
