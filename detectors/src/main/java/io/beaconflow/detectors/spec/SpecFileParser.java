package io.beaconflow.detectors.spec;

import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.evidence.AlertBudget;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a detector spec file into {@link DetectorSpecs}: SnakeYAML's node API (not a bound object)
 * so that every problem names the file, the line, the key and the fix; unknown and duplicate keys
 * are rejected with the allowed ones (and the closest, for a typo); values are parsed and
 * range-checked by {@link SpecKeys}; then every metric and every override is built once, so a file
 * that loads cannot fail at resolve time. One instance per parse.
 */
final class SpecFileParser {
    private static final List<String> TOP_KEYS =
            List.of("version", "budget", "kinds", "metrics", "overrides");
    private static final List<String> OVERRIDE_KEYS = List.of("match", "set", "description");
    private static final List<String> MATCH_KEYS =
            List.of("app", "dimension", "value", "value_regex", "metric");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final String src;

    SpecFileParser(String src) {
        this.src = src;
    }

    /**
     * Parses and validates spec text.
     *
     * @throws SpecException naming the file, line, key and fix
     */
    DetectorSpecs parse(String yamlText) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw new SpecException(
                    src,
                    line,
                    "(syntax)",
                    "not valid YAML: " + e.getProblem(),
                    "correct the YAML syntax (indent with spaces, quote values containing ': ')");
        }
        return parse(root);
    }

    private SpecException error(Node n, String key, String problem, String fix) {
        return new SpecException(src, line(n), key, problem, fix);
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    private DetectorSpecs parse(Node root) {
        if (root == null) {
            throw new SpecException(
                    src, 1, "(file)", "the file is empty", "add at least a metrics: section");
        }
        MappingNode top = mapping(root, "(file)");
        Map<String, NodeTuple> entries = entries(top, "", TOP_KEYS);
        if (entries.containsKey("version")) {
            Node v = entries.get("version").getValueNode();
            if (!"1".equals(scalar(v, "version"))) {
                throw error(v, "version", "unsupported version", "use version: 1");
            }
        }
        Map<MetricKind, SpecBlock> kinds = new EnumMap<>(MetricKind.class);
        if (entries.containsKey("kinds")) {
            MappingNode km = mapping(entries.get("kinds").getValueNode(), "kinds");
            List<String> allowed =
                    java.util.Arrays.stream(MetricKind.values())
                            .map(k -> k.name().toLowerCase(Locale.ROOT))
                            .toList();
            for (Map.Entry<String, NodeTuple> e : entries(km, "kinds", allowed).entrySet()) {
                kinds.put(
                        MetricKind.valueOf(e.getKey().toUpperCase(Locale.ROOT)),
                        block(e.getValue().getValueNode(), "kinds." + e.getKey(), false));
            }
        }
        if (!entries.containsKey("metrics")) {
            throw error(
                    top,
                    "metrics",
                    "missing section",
                    "add metrics: with at least one metric, e.g. error_rate: { kind: error_rate }");
        }
        Map<String, SpecBlock> metrics = new LinkedHashMap<>();
        Map<String, MetricKind> metricKinds = new LinkedHashMap<>();
        MappingNode mm = mapping(entries.get("metrics").getValueNode(), "metrics");
        for (Map.Entry<String, NodeTuple> e : entries(mm, "metrics", null).entrySet()) {
            String name = e.getKey();
            Node keyNode = e.getValue().getKeyNode();
            if (!METRIC_NAME.matcher(name).matches()) {
                throw error(
                        keyNode,
                        "metrics." + name,
                        "invalid metric name",
                        "use lower-case letters, digits and _ starting with a letter");
            }
            SpecBlock b = block(e.getValue().getValueNode(), "metrics." + name, true);
            SpecBlock.Setting kind = b.settings().get("kind");
            if (kind == null) {
                throw error(
                        e.getValue().getValueNode(),
                        "metrics." + name + ".kind",
                        "missing",
                        "add kind: error_rate, latency, throughput or generic");
            }
            metrics.put(name, b);
            metricKinds.put(
                    name, MetricKind.valueOf(kind.value().toString().toUpperCase(Locale.ROOT)));
        }
        List<SpecOverride> overrides = new ArrayList<>();
        if (entries.containsKey("overrides")) {
            Node on = entries.get("overrides").getValueNode();
            if (!(on instanceof SequenceNode)) {
                throw error(
                        on,
                        "overrides",
                        "must be a list",
                        "write each override as '- match: ...' with 'set: ...'");
            }
            int i = 0;
            for (Node item : ((SequenceNode) on).getValue()) {
                overrides.add(override(item, "overrides[" + i++ + "]"));
            }
        }
        AlertBudget budget =
                entries.containsKey("budget") ? budget(entries.get("budget").getValueNode()) : null;
        DetectorSpecs specs =
                new DetectorSpecs(src, kinds, metrics, metricKinds, List.copyOf(overrides), budget);
        // Build everything once so that a file that loads cannot fail at resolve time.
        for (String metric : metrics.keySet()) {
            specs.build(src, metric, List.of());
        }
        for (SpecOverride o : overrides) {
            boolean any = false;
            for (String metric : metrics.keySet()) {
                if (o.metric() == null || o.metric().matcher(metric).matches()) {
                    any = true;
                    specs.build(src, metric, List.of(o.set()));
                }
            }
            if (!any) {
                throw new SpecException(
                        src,
                        o.line(),
                        "overrides.match.metric",
                        "matches no metric under metrics:",
                        "use one of " + String.join(", ", metrics.keySet()) + " (globs allowed)");
            }
        }
        return specs;
    }

    private SpecOverride override(Node item, String path) {
        MappingNode m = mapping(item, path);
        Map<String, NodeTuple> e = entries(m, path, OVERRIDE_KEYS);
        if (!e.containsKey("match") || !e.containsKey("set")) {
            throw error(
                    item,
                    path,
                    "needs both match: and set:",
                    "add match: { ... } and set: { ... }");
        }
        if (e.containsKey("description")) {
            scalar(e.get("description").getValueNode(), path + ".description");
        }
        Node matchNode = e.get("match").getValueNode();
        Map<String, NodeTuple> match =
                entries(mapping(matchNode, path + ".match"), path + ".match", MATCH_KEYS);
        if (match.isEmpty()) {
            throw error(
                    matchNode,
                    path + ".match",
                    "is empty",
                    "add at least one of " + String.join(", ", MATCH_KEYS));
        }
        Pattern app = glob(match, "app", path);
        Pattern value = glob(match, "value", path);
        Pattern metric = glob(match, "metric", path);
        Pattern valueRegex = null;
        if (match.containsKey("value_regex")) {
            Node n = match.get("value_regex").getValueNode();
            try {
                valueRegex = Pattern.compile(scalar(n, path + ".match.value_regex"));
            } catch (PatternSyntaxException ex) {
                throw error(
                        n,
                        path + ".match.value_regex",
                        "invalid regular expression: " + ex.getDescription(),
                        "correct the regex (Java syntax, matched against the whole value)");
            }
        }
        String dimension = null;
        if (match.containsKey("dimension")) {
            Node n = match.get("dimension").getValueNode();
            dimension = scalar(n, path + ".match.dimension");
            if (!DetectorSpecs.DIMENSIONS.contains(dimension)) {
                throw error(
                        n,
                        path + ".match.dimension",
                        "unknown dimension '" + dimension + "'",
                        "use one of " + String.join(", ", DetectorSpecs.DIMENSIONS));
            }
        }
        if ((value != null || valueRegex != null) && dimension == null) {
            throw error(
                    matchNode,
                    path + ".match",
                    "value or value_regex without dimension",
                    "add dimension: route (or another dimension) so the value has a meaning");
        }
        SpecBlock set = block(e.get("set").getValueNode(), path + ".set", false);
        return new SpecOverride(line(item), app, dimension, value, valueRegex, metric, set);
    }

    private Pattern glob(Map<String, NodeTuple> match, String key, String path) {
        if (!match.containsKey(key)) {
            return null;
        }
        return Glob.compile(scalar(match.get(key).getValueNode(), path + ".match." + key));
    }

    /** {@code budget: { false_alerts_per_day, tests_per_window, windows_per_day }}. */
    private AlertBudget budget(Node node) {
        Map<String, NodeTuple> e =
                entries(
                        mapping(node, "budget"),
                        "budget",
                        List.of("false_alerts_per_day", "tests_per_window", "windows_per_day"));
        if (!e.containsKey("tests_per_window")) {
            throw error(
                    node,
                    "budget.tests_per_window",
                    "missing",
                    "add tests_per_window: the number of series × watched metrics scored per"
                            + " window, e.g. 3000");
        }
        double perDay = number(e, "false_alerts_per_day", AlertBudget.DEFAULT_FALSE_ALERTS_PER_DAY);
        double tests = number(e, "tests_per_window", 0);
        double windows = number(e, "windows_per_day", AlertBudget.DEFAULT_WINDOWS_PER_DAY);
        try {
            return new AlertBudget(perDay, Math.round(tests), Math.round(windows));
        } catch (IllegalArgumentException ex) {
            String msg = ex.getMessage();
            int fix = msg.indexOf("; ");
            String key = msg.substring(0, msg.indexOf(' '));
            Node at =
                    e.containsKey(key.substring(7)) ? e.get(key.substring(7)).getValueNode() : node;
            throw error(at, key, msg.substring(key.length() + 1, fix), msg.substring(fix + 2));
        }
    }

    private double number(Map<String, NodeTuple> e, String key, double absent) {
        if (!e.containsKey(key)) {
            return absent;
        }
        Node v = e.get(key).getValueNode();
        String text = scalar(v, "budget." + key);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw error(v, "budget." + key, "invalid value '" + text + "'", "use a number");
        }
    }

    private SpecBlock block(Node node, String path, boolean kindAllowed) {
        Map<String, SpecBlock.Setting> settings = new LinkedHashMap<>();
        walk(mapping(node, path), path, "", kindAllowed, settings);
        return new SpecBlock(line(node), settings);
    }

    private void walk(
            MappingNode m,
            String path,
            String section,
            boolean kindAllowed,
            Map<String, SpecBlock.Setting> out) {
        List<String> allowed = new ArrayList<>(SpecKeys.childrenOf(section));
        if (!kindAllowed && section.isEmpty()) {
            allowed.remove("kind");
        }
        for (Map.Entry<String, NodeTuple> e : entries(m, path, allowed).entrySet()) {
            String name = e.getKey();
            String keyPath = section.isEmpty() ? name : section + "." + name;
            String fullPath = path + "." + name;
            Node v = e.getValue().getValueNode();
            if (SpecKeys.isSection(keyPath)) {
                walk(mapping(v, fullPath), fullPath, keyPath, kindAllowed, out);
                continue;
            }
            SpecKeys.Key key = SpecKeys.KEYS.get(keyPath);
            String text = scalar(v, fullPath);
            Object parsed = key.parse(text);
            if (parsed == null) {
                throw error(
                        v,
                        fullPath,
                        "invalid value '" + text + "' (" + key.meaning() + ")",
                        "use " + key.range());
            }
            out.put(keyPath, new SpecBlock.Setting(key, parsed, line(v)));
        }
    }

    /** Entries of a mapping, rejecting duplicates and keys outside {@code allowed} (null = any). */
    private Map<String, NodeTuple> entries(MappingNode m, String path, List<String> allowed) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : m.getValue()) {
            String name = scalar(t.getKeyNode(), path.isEmpty() ? "(key)" : path + ".(key)");
            String full = path.isEmpty() ? name : path + "." + name;
            if (!seen.add(name)) {
                throw error(t.getKeyNode(), full, "duplicate key", "keep one of the two");
            }
            if (allowed != null && !allowed.contains(name)) {
                String close = SpecKeys.closest(name, allowed);
                throw error(
                        t.getKeyNode(),
                        full,
                        "unknown key",
                        (close != null ? "did you mean '" + close + "'? " : "")
                                + "allowed here: "
                                + String.join(", ", allowed));
            }
            out.put(name, t);
        }
        return out;
    }

    private MappingNode mapping(Node n, String path) {
        if (!(n instanceof MappingNode)) {
            throw error(
                    n,
                    path,
                    "must be a mapping of keys to values",
                    "write it as 'key: value' lines indented below " + path);
        }
        return (MappingNode) n;
    }

    private String scalar(Node n, String path) {
        if (!(n instanceof ScalarNode)) {
            throw error(
                    n, path, "must be a single value", "write one value, not a list or a mapping");
        }
        String v = ((ScalarNode) n).getValue();
        if (v.isEmpty()) {
            throw error(
                    n, path, "has no value", "write a value after the colon, or remove the key");
        }
        return v;
    }
}
