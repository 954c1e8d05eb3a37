package io.beaconflow.detectors.nab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads a NAB-format folder: {@code data/<category>/<name>.csv} files ({@code timestamp,value},
 * timestamps {@code YYYY-MM-DD HH:MM:SS} without zone, read as UTC) and a {@code
 * combined_windows.json} whose bounds name row timestamps (the first occurrence, since timestamps
 * may repeat).
 */
public final class NabDataset {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private NabDataset() {}

    /** All CSV files below {@code dataDir}, sorted by relative path, with their windows. */
    public static List<NabFile> load(Path dataDir, Path windowsJson) throws IOException {
        Map<String, List<String[]>> labels = readWindows(windowsJson);
        List<Path> csvs;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            csvs =
                    walk.filter(p -> p.toString().endsWith(".csv") && Files.isRegularFile(p))
                            .sorted()
                            .toList();
        }
        if (csvs.isEmpty()) {
            throw new IOException(dataDir + ": no .csv files found; pass NAB's data/ folder");
        }
        List<NabFile> files = new ArrayList<>();
        for (Path csv : csvs) {
            String rel = dataDir.relativize(csv).toString().replace('\\', '/');
            List<String[]> windows = labels.get(rel);
            if (windows == null) {
                throw new IOException(
                        windowsJson
                                + ": no entry for \""
                                + rel
                                + "\"; every data file needs a key"
                                + " (use [] for a file without anomalies)");
            }
            files.add(readFile(csv, rel, windows));
        }
        return files;
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<String[]>> readWindows(Path json) throws IOException {
        Object root = readJson(json);
        if (!(root instanceof Map)) {
            throw new IOException(json + ": expected a JSON object keyed by data file");
        }
        Map<String, List<String[]>> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) root).entrySet()) {
            List<String[]> windows = new ArrayList<>();
            for (Object w : (List<Object>) e.getValue()) {
                List<Object> pair = (List<Object>) w;
                if (pair.size() != 2) {
                    throw new IOException(
                            json + ": window of " + e.getKey() + " is not [start, end]");
                }
                windows.add(new String[] {pair.get(0).toString(), pair.get(1).toString()});
            }
            out.put(e.getKey(), windows);
        }
        return out;
    }

    static NabFile readFile(Path csv, String rel, List<String[]> windowBounds) throws IOException {
        List<String> ts = new ArrayList<>(4096);
        List<String> vs = new ArrayList<>(4096);
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("timestamp")) {
                throw new IOException(csv + ": line 1 must be the header timestamp,value");
            }
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                int comma = line.indexOf(',');
                if (comma < 0) {
                    throw new IOException(csv + ": line " + (ts.size() + 2) + " has no comma");
                }
                int end = line.indexOf(',', comma + 1);
                ts.add(line.substring(0, comma));
                vs.add(line.substring(comma + 1, end < 0 ? line.length() : end));
            }
        }
        int n = ts.size();
        long[] millis = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            millis[i] = parseTimestamp(ts.get(i), csv, i + 2);
            try {
                values[i] = vs.get(i).isEmpty() ? Double.NaN : Double.parseDouble(vs.get(i));
            } catch (NumberFormatException ex) {
                throw new IOException(csv + ": line " + (i + 2) + ": value is not a number");
            }
        }
        List<int[]> windows = new ArrayList<>();
        for (String[] b : windowBounds) {
            int l = firstRow(ts, b[0]);
            int r = firstRow(ts, b[1]);
            if (l < 0 || r < 0 || r < l) {
                throw new IOException(
                        csv
                                + ": window ["
                                + b[0]
                                + ", "
                                + b[1]
                                + "] does not name rows of the file");
            }
            windows.add(new int[] {l, r});
        }
        return new NabFile(
                rel,
                ts.toArray(new String[0]),
                millis,
                vs.toArray(new String[0]),
                values,
                List.copyOf(windows));
    }

    private static int firstRow(List<String> ts, String bound) {
        String key = bound.length() > 19 ? bound.substring(0, 19) : bound;
        return ts.indexOf(key);
    }

    static long parseTimestamp(String s, Path csv, int line) throws IOException {
        try {
            return LocalDateTime.parse(s.length() > 19 ? s.substring(0, 19) : s, TS)
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IOException(
                    csv + ": line " + line + ": timestamp '" + s + "' is not YYYY-MM-DD HH:MM:SS");
        }
    }

    /**
     * Reads a JSON file with SnakeYAML (JSON is YAML 1.2). Tabs are whitespace in JSON but not in
     * YAML indentation; valid JSON has no raw tab inside strings, so they can become spaces.
     */
    static Object readJson(Path file) throws IOException {
        return new Yaml(new LoaderOptions()).load(Files.readString(file).replace('\t', ' '));
    }
}
