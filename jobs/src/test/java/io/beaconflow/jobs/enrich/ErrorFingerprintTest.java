package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorFingerprintTest {
    @Test
    void volatileNumbersAndQuotedValuesDoNotSplitOneError() {
        String a =
                ErrorFingerprint.of(
                        "TypeError",
                        "Cannot read 'name' of undefined (item 42)",
                        "TypeError\n    at render (https://x/app.js:10:5)");
        String b =
                ErrorFingerprint.of(
                        "TypeError",
                        "Cannot read 'title' of undefined (item 7)",
                        "TypeError\n    at render (https://x/app.js:12:9)");
        assertThat(a).isEqualTo(b).hasSize(16);
    }

    @Test
    void differentTypesOrTopFramesAreDifferentErrors() {
        String a = ErrorFingerprint.of("TypeError", "boom", "at a (x.js:1:1)");
        assertThat(ErrorFingerprint.of("RangeError", "boom", "at a (x.js:1:1)")).isNotEqualTo(a);
        assertThat(ErrorFingerprint.of("TypeError", "boom", "at b (x.js:1:1)")).isNotEqualTo(a);
    }
}
