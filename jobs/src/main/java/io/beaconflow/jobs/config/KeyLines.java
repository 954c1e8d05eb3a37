package io.beaconflow.jobs.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The line of every key of a YAML text, by dotted path ({@code elasticsearch.bulk.max-actions}), so
 * a problem found after binding (a value out of range, two settings that contradict each other)
 * still points at its line. Bound objects do not remember where they came from; this map does.
 */
public final class KeyLines {
    /** For settings that come from code, not from a file: no line is ever known. */
    public static final KeyLines NONE = new KeyLines(Map.of());

    private final Map<String, Integer> lines;

    private KeyLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /**
     * The keys of {@code yaml}, each path starting with {@code prefix} (e.g. {@code elasticsearch}
     * when the text is that section's body; empty for a whole file). Text that is not valid YAML
     * gives what was read up to the error: the binding reports the error itself.
     */
    public static KeyLines of(String yaml, String prefix) {
        Map<String, Integer> lines = new HashMap<>();
        List<String> path = new ArrayList<>();
        if (!prefix.isEmpty()) path.add(prefix);
        int base = path.size();
        String field = null;
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case FIELD_NAME -> {
                        field = p.currentName();
                        lines.putIfAbsent(join(path, field), p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        // The document's root object and array items add no name to the path.
                        path.add(field == null ? "" : field);
                        field = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (path.size() > base) path.remove(path.size() - 1);
                        field = null;
                    }
                    default -> field = null;
                }
            }
        } catch (IOException e) {
            // Keep the lines read so far; the binding names the syntax error with its line.
        }
        return new KeyLines(Map.copyOf(lines));
    }

    private static String join(List<String> path, String field) {
        StringBuilder b = new StringBuilder();
        for (String s : path) {
            if (s.isEmpty()) continue;
            b.append(s).append('.');
        }
        return b.append(field).toString();
    }

    /**
     * The line of {@code key}, or of its nearest written parent (a default that breaks a rule is
     * not in the file, but its section is); null when none of it is in the text.
     */
    public Integer line(String key) {
        for (String k = key; ; k = k.substring(0, k.lastIndexOf('.'))) {
            Integer line = lines.get(k);
            if (line != null) return line;
            if (k.indexOf('.') < 0) return null;
        }
    }
}
