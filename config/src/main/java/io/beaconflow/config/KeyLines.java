package io.beaconflow.config;

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
     * when the text is that section's body; empty for a whole file). Items of a list are keyed
     * {@code list[0]}, {@code list[1].key}, as the checks and the binding name them. Text that is
     * not valid YAML gives what was read up to the error: the binding reports the error itself.
     */
    public static KeyLines of(String yaml, String prefix) {
        Map<String, Integer> lines = new HashMap<>();
        // One frame per open object or list: its path, and for a list the index of its last item.
        List<String> paths = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        paths.add(prefix);
        indexes.add(null);
        String field = null;
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                int top = paths.size() - 1;
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    lines.putIfAbsent(
                            join(paths.get(top), field), p.currentTokenLocation().getLineNr());
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (top > 0) {
                        paths.remove(top);
                        indexes.remove(top);
                    }
                    field = null;
                    continue;
                }
                // A value or an opening: named by the field before it, or by its list position.
                String path;
                Integer index = indexes.get(top);
                if (index != null) {
                    indexes.set(top, index + 1);
                    path = paths.get(top) + "[" + (index + 1) + "]";
                    lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
                } else {
                    // The document's root object adds no name to the path.
                    path = field == null ? paths.get(top) : join(paths.get(top), field);
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    paths.add(path);
                    indexes.add(t == JsonToken.START_ARRAY ? -1 : null);
                }
                field = null;
            }
        } catch (IOException e) {
            // Keep the lines read so far; the binding names the syntax error with its line.
        }
        return new KeyLines(Map.copyOf(lines));
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /**
     * The line of {@code key}, or of its nearest written parent (a default that breaks a rule is
     * not in the file, but its section is); null when none of it is in the text.
     */
    public Integer line(String key) {
        for (String k = key; ; ) {
            Integer line = lines.get(k);
            if (line != null) return line;
            int cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
            if (cut <= 0) return null;
            k = k.substring(0, cut);
        }
    }
}
