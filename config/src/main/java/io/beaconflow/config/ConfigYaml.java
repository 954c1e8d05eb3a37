package io.beaconflow.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.PropertyNamingStrategy;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one YAML binding of Beaconflow's configuration files (the job's and the collector's):
 * kebab-case keys, durations written {@code 30s}, sizes written {@code 5mb}, comma-separated lists
 * or YAML lists, unknown keys as errors (a typo must not silently fall back to a default), {@code
 * ${VAR}} / {@code ${VAR:default}} environment references. Every binding error becomes a {@link
 * ConfigException} naming the file, the line, the key and the fix.
 */
public final class ConfigYaml {
    private ConfigYaml() {}

    /** The job's files ({@code beaconflow.yaml}): kebab-case keys. */
    public static final ObjectMapper MAPPER =
            newMapper(PropertyNamingStrategies.KEBAB_CASE).build();

    /**
     * The generator's files ({@code generator.yaml}, incident files): snake_case keys, as the
     * scenario files shared with other tools write them; a number where a whole number belongs and
     * text after the document are errors.
     */
    public static final ObjectMapper SNAKE_CASE_MAPPER =
            newMapper(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .build();

    /**
     * How binding errors are worded for one kind of file. The job and the collector had a binding
     * each before they shared this one, and worded a few fixes (and where a line comes from)
     * differently; their users' messages stay as they were.
     *
     * @param durationFix the fix of a value that is not a duration
     * @param typeFix the fix of a value of the wrong type (a list for a number, ...)
     * @param keyLines the line of a binding error is the key's line ({@link KeyLines}); false: the
     *     line where Jackson's parser stood
     * @param qualifiedKnownKeys an unknown key's fix lists the known keys with their section
     *     ({@code kafka.topic}); false: bare ({@code topic})
     */
    public record Wording(
            String durationFix, String typeFix, boolean keyLines, boolean qualifiedKnownKeys) {}

    /** The job's wording: the fix points at the commented example file of the setting. */
    public static final Wording EXAMPLE_FILE_WORDING =
            new Wording(
                    "write a number and a unit, e.g. 30s, 5m, 4h or 500ms",
                    "check the value's type against the commented example file",
                    true,
                    true);

    /**
     * The base of every binding: {@code naming} for keys, unknown keys and a null for a primitive
     * are errors, durations written {@code 30s}. The job's mappers add to it; the collector binds
     * with it as it is (a key written with no value stays null there, and its checks name it).
     */
    public static JsonMapper.Builder strictMapper(PropertyNamingStrategy naming) {
        SimpleModule durations = new SimpleModule("beaconflow-durations");
        durations.addDeserializer(
                Duration.class,
                new JsonDeserializer<>() {
                    @Override
                    public Duration deserialize(JsonParser p, DeserializationContext ctx)
                            throws IOException {
                        String text = p.getValueAsString();
                        try {
                            return Durations.parse(text);
                        } catch (IllegalArgumentException e) {
                            throw InvalidFormatException.from(
                                    p, e.getMessage(), text, Duration.class);
                        }
                    }
                });
        return JsonMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(naming)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .addModule(durations);
    }

    /**
     * Binds {@code yaml} (environment references already expanded) to {@code type}. {@code
     * pathPrefix} names the section the text is the body of (empty for a whole file), so messages
     * carry the key as written in the file.
     */
    public static <T> T read(String yaml, String source, Class<T> type, String pathPrefix) {
        return read(MAPPER, yaml, source, type, pathPrefix);
    }

    /**
     * {@link #read(String, String, Class, String)} with another key style ({@link
     * #SNAKE_CASE_MAPPER}).
     */
    public static <T> T read(
            ObjectMapper mapper, String yaml, String source, Class<T> type, String pathPrefix) {
        return read(mapper, EXAMPLE_FILE_WORDING, yaml, source, type, pathPrefix);
    }

    /** {@link #read(ObjectMapper, String, String, Class, String)} with another {@link Wording}. */
    public static <T> T read(
            ObjectMapper mapper,
            Wording wording,
            String yaml,
            String source,
            Class<T> type,
            String pathPrefix) {
        try {
            return mapper.readValue(yaml, type);
        } catch (UnrecognizedPropertyException e) {
            String parent = wording.qualifiedKnownKeys() ? parent(pathPrefix, e) : "";
            String known =
                    e.getKnownPropertyIds().stream()
                            .map(k -> parent + k)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw at(
                    wording,
                    yaml,
                    source,
                    pathPrefix,
                    e,
                    "unknown key '",
                    "'. Fix: use one of: " + known);
        } catch (InvalidFormatException e) {
            throw invalid(
                    wording,
                    yaml,
                    source,
                    pathPrefix,
                    e,
                    "'" + e.getValue() + "' is not a valid " + describe(e.getTargetType()),
                    fixFor(wording, e.getTargetType()));
        } catch (JsonMappingException e) {
            throw invalid(
                    wording,
                    yaml,
                    source,
                    pathPrefix,
                    e,
                    e.getOriginalMessage(),
                    wording.typeFix());
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    source
                            + line(e)
                            + ": not valid YAML: "
                            + e.getOriginalMessage()
                            + ". Fix: check indentation and quoting",
                    e);
        }
    }

    /** {@code <file> line <n>: <key>: <problem>. Fix: <fix>}, as {@link ConfigProblems} says it. */
    private static ConfigException invalid(
            Wording wording,
            String yaml,
            String source,
            String prefix,
            JsonMappingException e,
            String problem,
            String fix) {
        return at(wording, yaml, source, prefix, e, "", ": " + problem + ". Fix: " + fix);
    }

    /** {@code <file> line <n>: <beforeKey><key><afterKey>}: every binding error's form. */
    private static ConfigException at(
            Wording wording,
            String yaml,
            String source,
            String prefix,
            JsonMappingException e,
            String beforeKey,
            String afterKey) {
        return new ConfigException(
                source
                        + line(wording, yaml, prefix, e)
                        + ": "
                        + beforeKey
                        + path(prefix, e)
                        + afterKey,
                e);
    }

    /** The text of a configuration file; one that cannot be read is a {@link ConfigException}. */
    public static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(
                    file + ": cannot be read (" + e.getMessage() + "). Fix: check the path", e);
        }
    }

    private static final Pattern ENV_REF =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    /** Expands environment references, except in comment lines (they document the syntax). */
    public static String expand(String text, String source, Function<String, String> env) {
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            if (line.stripLeading().startsWith("#")) {
                out.append(line);
                continue;
            }
            Matcher m = ENV_REF.matcher(line);
            while (m.find()) {
                String value = env.apply(m.group(1));
                if (value == null) {
                    value = m.group(2);
                }
                if (value == null) {
                    throw new ConfigException(
                            source
                                    + ": environment variable "
                                    + m.group(1)
                                    + " is referenced but not set. Fix: export it, or write ${"
                                    + m.group(1)
                                    + ":default}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
        }
        return out.toString();
    }

    /** {@code 5mb}, {@code 512kb}, {@code 1gb} or a plain number of bytes. */
    public static long parseBytes(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("kb")) {
            unit = 1024;
        } else if (v.endsWith("mb")) {
            unit = 1024 * 1024;
        } else if (v.endsWith("gb")) {
            unit = 1024L * 1024 * 1024;
        } else if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        if (unit > 1) v = v.substring(0, v.length() - 2);
        try {
            return Long.parseLong(v.trim()) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: use e.g. 5mb, 512kb or 1048576");
        }
    }

    /** A size in bytes written {@code 5mb}, {@code 512kb} or {@code 1048576}. */
    public static final class Bytes extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return parseBytes(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, Size.class);
            }
        }
    }

    /** A list written as YAML list or as one comma-separated string (handy in a ${VAR}). */
    public static final class CommaList extends JsonDeserializer<List<String>> {
        @Override
        public List<String> deserialize(JsonParser p, DeserializationContext ctx)
                throws IOException {
            List<String> out = new ArrayList<>();
            if (p.currentToken() == JsonToken.START_ARRAY) {
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    split(p.getValueAsString(), out);
                }
            } else {
                split(p.getValueAsString(), out);
            }
            return out;
        }

        private static void split(String value, List<String> out) {
            if (value == null) return;
            for (String s : value.split(",")) {
                if (!s.isBlank()) out.add(s.trim());
            }
        }
    }

    /** Names the kind of value {@link Bytes} expects in messages. */
    private static final class Size {}

    /**
     * The line of the key the error is about. Jackson's own location is where the parser stood,
     * which for records (bound through their constructor, after the whole object was read) is the
     * end of the section, so the key's line is looked up in the text first.
     */
    private static String line(
            Wording wording, String yaml, String prefix, JsonMappingException e) {
        if (!wording.keyLines()) return line(e);
        Integer line = KeyLines.of(yaml, prefix).line(path(prefix, e));
        return line == null ? line(e) : " line " + line;
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr();
    }

    private static String path(String prefix, JsonMappingException e) {
        StringBuilder b = new StringBuilder(prefix);
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** The path of the object holding the unknown key, with a trailing dot (or empty). */
    private static String parent(String prefix, JsonMappingException e) {
        String p = path(prefix, e);
        int dot = p.lastIndexOf('.');
        return dot < 0 ? "" : p.substring(0, dot + 1);
    }

    private static String describe(Class<?> type) {
        if (type == Duration.class) return "duration";
        if (type == Size.class) return "size";
        if (type.isEnum()) return "choice";
        return type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String fixFor(Wording wording, Class<?> type) {
        if (type == Duration.class) return wording.durationFix();
        if (type == Size.class) return "write a size such as 5mb, 512kb or 1048576";
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("use one of:");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
        return "write a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * The job's mappers: {@link #strictMapper} where a key written with no value (a section holding
     * only comments, as the shipped file's notifications: does) means "the default", never null:
     * every field's initializer stays; and choices in any case.
     */
    private static JsonMapper.Builder newMapper(PropertyNamingStrategy naming) {
        return strictMapper(naming)
                .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
    }
}
