package io.beaconflow.detectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.RepoRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the whole {@code nab} command over data/nab with the committed spec. */
class NabCommandITCase {
    static final Path ROOT = findRoot();

    static Path findRoot() {
        return RepoRoot.containing("data/nab/data");
    }

    /**
     * {@code nab} over data/nab with its labels and the committed spec, followed by {@code more}.
     */
    private static String[] nab(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "nab",
                                "--data",
                                ROOT.resolve("data/nab/data").toString(),
                                "--labels",
                                ROOT.resolve("data/nab/labels/combined_windows.json").toString(),
                                "--spec",
                                ROOT.resolve("flink-conf/detectors/nab.yaml").toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    /**
     * The detectors CLI on {@code args}, printing into {@code out} and {@code err}: its exit code.
     */
    static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new DetectorsCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private static List<String> lines(StringWriter text) {
        return text.toString().lines().toList();
    }

    /** {@code label: X} with the X that docs/detector-quality.md records after {@code label}. */
    private static String recordedInDoc(String label) throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/detector-quality.md"));
        Matcher m = Pattern.compile(Pattern.quote(label) + ": (-?\\d+\\.\\d\\d)").matcher(doc);
        assertThat(m.find()).as("docs/detector-quality.md records '%s: X'", label).isTrue();
        return label + ": " + m.group(1);
    }

    @Test
    void theNabStandardScoreItPrintsIsTheOneRecordedInDetectorQualityDoc(@TempDir Path out)
            throws IOException {
        StringWriter text = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(text, err, nab("--out", out.toString(), "--name", "beaconflow"));
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = lines(text);
        String last = lines.get(lines.size() - 1);
        assertThat(last).matches("NAB standard: -?\\d+\\.\\d\\d");
        assertThat(last).isEqualTo(recordedInDoc("NAB standard"));

        // One result file per data file, NAB layout, same row count.
        try (Stream<Path> files = Files.walk(out.resolve("beaconflow"))) {
            List<Path> results =
                    files.filter(
                                    p ->
                                            p.getFileName().toString().startsWith("beaconflow_")
                                                    && !p.getFileName()
                                                            .toString()
                                                            .endsWith("per_file_scores.csv"))
                            .toList();
            assertThat(results).hasSize(34);
        }
        Path one = out.resolve("beaconflow/realAdExchange/beaconflow_exchange-2_cpc_results.csv");
        List<String> rows = Files.readAllLines(one);
        assertThat(rows.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(rows).hasSize(1624 + 1);
    }

    @Test
    void aNameWithAnUnderscoreIsRefusedBecauseNabSplitsFileNamesOnIt(@TempDir Path out) {
        StringWriter err = new StringWriter();
        int code =
                run(new StringWriter(), err, nab("--out", out.toString(), "--name", "my_detector"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("without '_'");
    }

    @Test
    void theCrossValidatedScoreItPrintsIsTheOneRecordedInDetectorQualityDoc() throws IOException {
        StringWriter text = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                run(
                        text,
                        err,
                        nab(
                                "--cv",
                                "5",
                                "--seed",
                                "1",
                                "--grid",
                                ROOT.resolve("flink-conf/detectors/nab-grid.yaml").toString()));
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = lines(text);
        String last = lines.get(lines.size() - 1);
        assertThat(last).matches("NAB standard cross-validated: -?\\d+\\.\\d\\d");
        assertThat(last).isEqualTo(recordedInDoc("NAB standard cross-validated"));

        // 5 folds that together hold every file once; 5 standard-profile choices
        long filesInFolds =
                lines.stream()
                        .filter(l -> l.startsWith("fold "))
                        .mapToLong(l -> l.substring(l.indexOf(':') + 1).trim().split(" ").length)
                        .sum();
        assertThat(filesInFolds).isEqualTo(34);
        assertThat(lines.stream().filter(l -> l.startsWith("standard ") && l.contains(" chose ")))
                .hasSize(5);
    }

    @Test
    void crossValidationWithoutAGridOrWithABadKnobIsRefusedWithTheFix(@TempDir Path dir)
            throws IOException {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, nab("--cv", "3"))).isEqualTo(2);
        assertThat(err.toString()).contains("--cv needs --grid FILE");

        Path grid = dir.resolve("grid.yaml");
        Files.writeString(grid, "knobs:\n  z_treshold: [3, 4]\n");
        StringWriter err2 = new StringWriter();
        assertThat(run(new StringWriter(), err2, nab("--cv", "3", "--grid", grid.toString())))
                .isEqualTo(2);
        assertThat(err2.toString()).contains("z_treshold").contains("Fix:");
    }
}
