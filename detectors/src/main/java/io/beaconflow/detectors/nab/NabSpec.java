package io.beaconflow.detectors.nab;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.spec.DetectorSpecs;
import io.beaconflow.detectors.spec.SpecException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The detector the {@code nab} command runs: a detector spec file (the same format as the job's)
 * plus an optional top-level {@code nab:} section with the settings that only the NAB runner uses.
 *
 * <pre>
 * nab:
 *   scales: [1, 12, 48]   # rolling means the MultiScaleDetector also judges; default [1]
 * metrics:
 *   value: { ... }        # the detector spec, applied at every scale
 * </pre>
 *
 * <p>The {@code nab:} section is blanked out of the text (line for line, so line numbers in error
 * messages stay right) before the rest goes to {@link DetectorSpecs}, which keeps rejecting unknown
 * keys.
 *
 * @param spec the metric's detector spec
 * @param scales points per rolling mean, 1 = the raw series
 */
public record NabSpec(DetectorSpec spec, List<Integer> scales) {
    public static final List<Integer> DEFAULT_SCALES = List.of(1);

    /** Largest scale accepted: 10,000 points is 35 days of 5-minute data. */
    public static final int MAX_SCALE = 10_000;

    private static final List<String> NAB_KEYS = List.of("scales");

    public NabSpec {
        Objects.requireNonNull(spec, "spec");
        scales = List.copyOf(scales);
    }

    /** The detector this spec describes. */
    public MultiScaleDetector detector() {
        return new MultiScaleDetector(spec, scales);
    }

    public static NabSpec load(Path file, String metric) throws IOException {
        return parse(Files.readString(file), file.toString(), metric);
    }

    /**
     * @throws SpecException naming the source, line, key and fix, also when {@code metric} is not
     *     configured
     */
    public static NabSpec parse(String yamlText, String source, String metric) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            // DetectorSpecs reports syntax errors with the line and the fix.
            DetectorSpecs.parse(yamlText, source);
            throw e;
        }
        List<Integer> scales = DEFAULT_SCALES;
        String rest = yamlText;
        if (root instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("nab")) {
                    scales = parseSection(t.getValueNode(), source);
                    rest = blank(yamlText, t.getKeyNode(), t.getValueNode());
                }
            }
        }
        DetectorSpecs specs = DetectorSpecs.parse(rest, source);
        DetectorSpec spec = specs.resolve(null, null, null, metric);
        if (spec == null) {
            throw new SpecException(
                    source,
                    1,
                    "metrics." + metric,
                    "the metric is not configured (or is disabled)",
                    "add it under metrics:, or pick one of " + specs.metrics() + " with --metric");
        }
        return new NabSpec(spec, scales);
    }

    private static List<Integer> parseSection(Node section, String source) {
        if (!(section instanceof MappingNode map)) {
            throw new SpecException(
                    source,
                    line(section),
                    "nab",
                    "must be a mapping",
                    "write nab: { scales: [1, 12] }");
        }
        List<Integer> scales = DEFAULT_SCALES;
        for (NodeTuple t : map.getValue()) {
            String key = ((ScalarNode) t.getKeyNode()).getValue();
            if (!NAB_KEYS.contains(key)) {
                throw new SpecException(
                        source,
                        line(t.getKeyNode()),
                        "nab." + key,
                        "unknown key",
                        "the nab: section knows only " + NAB_KEYS);
            }
            scales = parseScales(t.getValueNode(), source);
        }
        return scales;
    }

    private static List<Integer> parseScales(Node node, String source) {
        String fix =
                "list distinct integers in [1, "
                        + MAX_SCALE
                        + "], the points per rolling mean, e.g. scales: [1, 12, 48]";
        if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            throw new SpecException(
                    source, line(node), "nab.scales", "must be a non-empty list", fix);
        }
        List<Integer> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Node item : seq.getValue()) {
            int v;
            try {
                v = Integer.parseInt(((ScalarNode) item).getValue());
            } catch (NumberFormatException | ClassCastException e) {
                throw new SpecException(source, line(item), "nab.scales", "not an integer", fix);
            }
            if (v < 1 || v > MAX_SCALE || !seen.add(v)) {
                throw new SpecException(
                        source,
                        line(item),
                        "nab.scales",
                        v + (seen.contains(v) && v >= 1 ? " is repeated" : " is out of range"),
                        fix);
            }
            out.add(v);
        }
        return out;
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    }

    /** The text with the lines of one top-level entry replaced by empty lines. */
    private static String blank(String text, Node key, Node value) {
        int first = key.getStartMark().getLine();
        int last = value.getEndMark().getLine();
        if (value.getEndMark().getColumn() == 0 && last > first) {
            last--; // a block ends at the start of the next line
        }
        String[] lines = text.split("\n", -1);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            if (i < first || i > last) {
                b.append(lines[i]);
            }
            if (i < lines.length - 1) {
                b.append('\n');
            }
        }
        return b.toString();
    }
}
