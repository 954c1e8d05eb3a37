package io.beaconflow.detectors.nab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A NAB application profile: the weights of a true positive, a false positive and a missed window
 * (NAB's {@code config/profiles.json}; {@code tnWeight} is never used by the scorer).
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {

    /** The three profiles of NAB v1.1, in NAB's order. */
    public static List<NabProfile> defaults() {
        return List.of(
                new NabProfile("standard", 1.0, 0.11, 1.0),
                new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0),
                new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0));
    }

    /** Reads NAB's profiles.json (JSON is YAML, so SnakeYAML reads it). */
    @SuppressWarnings("unchecked")
    public static List<NabProfile> load(Path file) throws IOException {
        Object root = readJson(file);
        if (!(root instanceof Map)) {
            throw new IOException(file + ": expected a JSON object of profiles");
        }
        List<NabProfile> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) root).entrySet()) {
            Object cm = ((Map<String, Object>) e.getValue()).get("CostMatrix");
            if (!(cm instanceof Map)) {
                throw new IOException(file + ": profile " + e.getKey() + " has no CostMatrix");
            }
            Map<String, Object> m = (Map<String, Object>) cm;
            out.add(
                    new NabProfile(
                            e.getKey(),
                            number(file, e.getKey(), m, "tpWeight"),
                            number(file, e.getKey(), m, "fpWeight"),
                            number(file, e.getKey(), m, "fnWeight")));
        }
        return out;
    }

    private static double number(Path file, String profile, Map<String, Object> m, String key)
            throws IOException {
        Object v = m.get(key);
        if (!(v instanceof Number)) {
            throw new IOException(file + ": profile " + profile + " lacks a numeric " + key);
        }
        return ((Number) v).doubleValue();
    }

    /**
     * Reads a JSON file with SnakeYAML (JSON is YAML 1.2). Tabs are whitespace in JSON but not in
     * YAML indentation; valid JSON has no raw tab inside strings, so they can become spaces.
     */
    static Object readJson(Path file) throws IOException {
        return new Yaml(new LoaderOptions()).load(Files.readString(file).replace('\t', ' '));
    }
}
