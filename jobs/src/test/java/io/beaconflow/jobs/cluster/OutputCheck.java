package io.beaconflow.jobs.cluster;

import io.beaconflow.jobs.model.RejectReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One output compared with its expectation, as the counts the ITCases print and assert:
 *
 * <ul>
 *   <li>{@code expected}: documents that must exist;
 *   <li>{@code records}: records or documents found, copies included;
 *   <li>{@code distinct}: distinct ids found;
 *   <li>{@code lost}: expected but not found;
 *   <li>{@code duplicated}: extra copies of an id (an at-least-once Kafka sink may write some after
 *       a failover; an idempotent Elasticsearch sink never can);
 *   <li>{@code unexpected}: ids found that should not exist;
 *   <li>{@code mismatched}: ids whose copies disagree, or whose content differs from the expected
 *       one;
 *   <li>{@code note}: what else the reader should know (break-down by reason, ...).
 * </ul>
 */
record OutputCheck(
        String output,
        long expected,
        long records,
        long distinct,
        long lost,
        long duplicated,
        long unexpected,
        long mismatched,
        String note) {

    /** Nothing lost, nothing unexpected, every value as expected (copies allowed). */
    boolean complete() {
        return lost == 0 && unexpected == 0 && mismatched == 0;
    }

    String line() {
        return String.format(
                        "%-13s expected %6d | found %6d records, %6d distinct | lost %d | duplicated %d"
                                + " | unexpected %d | mismatched %d",
                        output,
                        expected,
                        records,
                        distinct,
                        lost,
                        duplicated,
                        unexpected,
                        mismatched)
                + (note.isEmpty() ? "" : "\n                 " + note);
    }

    static String table(String title, List<OutputCheck> checks) {
        StringBuilder sb = new StringBuilder("== " + title + "\n");
        for (OutputCheck c : checks) sb.append("   ").append(c.line()).append('\n');
        return sb.toString();
    }

    /**
     * Rejected records (dead letters, late events) compared with the generator's truth by reason,
     * counted by identity: {@code identity} names the input a record stands for (null = a record
     * that stands for nothing that was produced: unexpected), {@code content} is the part of the
     * record a replay must reproduce exactly.
     */
    static OutputCheck rejections(
            String output,
            TopicContent found,
            Map<RejectReason, Long> expectedByReason,
            Function<TopicContent.Rec, String> identity,
            Function<TopicContent.Rec, String> content) {
        long expected = expectedByReason.values().stream().mapToLong(Long::longValue).sum();
        Map<String, List<TopicContent.Rec>> byId = new LinkedHashMap<>();
        long unexpected = 0;
        for (TopicContent.Rec r : found.records) {
            String id = identity.apply(r);
            if (id == null) {
                unexpected++;
            } else {
                byId.computeIfAbsent(id, k -> new ArrayList<>()).add(r);
            }
        }
        Map<RejectReason, Long> foundByReason = new TreeMap<>();
        long mismatched = 0;
        String sample = "";
        for (List<TopicContent.Rec> copies : byId.values()) {
            TopicContent.Rec first = copies.get(0);
            RejectReason reason = parseReason(first.reason());
            if (reason == null) {
                unexpected++;
                continue;
            }
            foundByReason.merge(reason, 1L, Long::sum);
            String c = content.apply(first);
            for (TopicContent.Rec r : copies) {
                String other = content.apply(r);
                if (!Objects.equals(other, c)) {
                    if (mismatched++ == 0) sample = "; first mismatch: " + c + " <> " + other;
                    break;
                }
            }
        }
        long lost = 0;
        for (Map.Entry<RejectReason, Long> e : expectedByReason.entrySet()) {
            lost += Math.max(0, e.getValue() - foundByReason.getOrDefault(e.getKey(), 0L));
        }
        for (Map.Entry<RejectReason, Long> e : foundByReason.entrySet()) {
            unexpected += Math.max(0, e.getValue() - expectedByReason.getOrDefault(e.getKey(), 0L));
        }
        String note =
                foundByReason.equals(new TreeMap<>(expectedByReason))
                        ? ""
                        : "by reason: expected "
                                + new TreeMap<>(expectedByReason)
                                + ", found "
                                + foundByReason;
        long records = byId.values().stream().mapToLong(List::size).sum();
        return new OutputCheck(
                output,
                expected,
                found.total(),
                byId.size(),
                lost,
                records - byId.size(),
                unexpected,
                mismatched,
                note);
    }

    /**
     * Id-by-id comparison for outputs whose every document is known in advance (Elasticsearch
     * sessions, metrics, alerts: deterministic ids, values from a reference computation).
     */
    static <T> OutputCheck byId(
            String output, Map<String, T> expected, Map<String, List<T>> found) {
        return byId(output, expected, found, (e, f) -> "");
    }

    /**
     * As {@link #byId(String, Map, Map)}, naming the first lost, unexpected and mismatched id in
     * the note, the mismatch with {@code describe(expected, found)}.
     */
    static <T> OutputCheck byId(
            String output,
            Map<String, T> expected,
            Map<String, List<T>> found,
            BiFunction<T, T, String> describe) {
        long records = found.values().stream().mapToLong(List::size).sum();
        List<String> lostIds =
                expected.keySet().stream().filter(id -> !found.containsKey(id)).sorted().toList();
        List<String> unexpectedIds =
                found.keySet().stream().filter(id -> !expected.containsKey(id)).sorted().toList();
        long mismatched = 0;
        String firstMismatch = null;
        for (String id : new TreeMap<>(found).keySet()) {
            T want = expected.get(id);
            if (want == null) continue;
            for (T v : found.get(id)) {
                if (!v.equals(want)) {
                    if (mismatched == 0) firstMismatch = id + ": " + describe.apply(want, v);
                    mismatched++;
                    break;
                }
            }
        }
        List<String> notes = new ArrayList<>();
        if (!lostIds.isEmpty()) notes.add("first lost: " + lostIds.get(0));
        if (!unexpectedIds.isEmpty()) notes.add("first unexpected: " + unexpectedIds.get(0));
        found.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(Map.Entry::getKey)
                .sorted()
                .findFirst()
                .ifPresent(
                        id ->
                                notes.add(
                                        "first duplicated: "
                                                + id
                                                + " ("
                                                + found.get(id).size()
                                                + " copies, "
                                                + (new java.util.HashSet<>(found.get(id)).size()
                                                                == 1
                                                        ? "identical"
                                                        : "different")
                                                + ")"));
        if (firstMismatch != null) notes.add("first mismatch: " + firstMismatch);
        return new OutputCheck(
                output,
                expected.size(),
                records,
                found.size(),
                lostIds.size(),
                records - found.size(),
                unexpectedIds.size(),
                mismatched,
                String.join("; ", notes));
    }

    /** Nothing lost, nothing unexpected, no value different, and no id stored twice. */
    boolean exact() {
        return complete() && duplicated == 0;
    }

    /** The same counts with {@code more} added to the note. */
    OutputCheck withNote(String more) {
        if (more == null || more.isEmpty()) return this;
        return new OutputCheck(
                output,
                expected,
                records,
                distinct,
                lost,
                duplicated,
                unexpected,
                mismatched,
                note.isEmpty() ? more : note + "; " + more);
    }

    private static RejectReason parseReason(String s) {
        if (s == null) return null;
        try {
            return RejectReason.valueOf(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
