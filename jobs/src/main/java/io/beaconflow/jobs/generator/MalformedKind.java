package io.beaconflow.jobs.generator;

/** The kinds of broken records the generator injects, each a separate extra record. */
public enum MalformedKind {
    /** Not JSON at all (an HTML error page, a bare word). */
    NOT_JSON,
    /** A single event cut off before its end. */
    TRUNCATED_JSON,
    /** A single event whose page_url holds bytes that are not valid UTF-8. */
    INVALID_UTF8,
    /** A single event with a string where a number belongs ({@code occurred_at}, duration). */
    WRONG_FIELD_TYPES,
    /** A single event whose {@code type} is not in the schema. */
    UNKNOWN_EVENT_TYPE,
    /** A single fetch or web vital event with a negative duration. */
    NEGATIVE_DURATION
}
