package io.beaconflow.jobs.compare;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static io.beaconflow.jobs.testing.ConfigFiles.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.TemplateFields;
import io.beaconflow.jobs.testing.ConfigFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code comparisons:} section, and the document against its index template. */
class ComparisonsConfigTest {
    @Test
    void theShippedFileSetsTheDefaults() {
        BeaconflowConfig c = ConfigFiles.shipped();
        ComparisonsConfig d = new ComparisonsConfig();
        assertThat(c.comparisons.enabled).isTrue();
        assertThat(c.comparisons.releases).isEqualTo(d.releases);
        assertThat(c.comparisons.emitEvery).isEqualTo(d.emitEvery);
        assertThat(c.comparisons.alpha).isEqualTo(d.alpha);
        assertThat(c.comparisons.minSamplesPerArm).isEqualTo(d.minSamplesPerArm);
        assertThat(c.comparisons.defaultControl).isEqualTo(d.defaultControl);
        assertThat(c.comparisons.controls).isEmpty();
        assertThat(c.comparisons.maxArmsPerApp).isEqualTo(d.maxArmsPerApp);
        assertThat(c.comparisons.idleTtl).isEqualTo(d.idleTtl);
        assertThat(c.comparisons.sequential).isTrue().isEqualTo(d.sequential);
        assertThat(c.comparisons.mixingEffectRates).isEqualTo(d.mixingEffectRates);
        assertThat(c.comparisons.mixingEffectLatencies).isEqualTo(d.mixingEffectLatencies);
    }

    @Test
    void theSequentialTestAndItsMixingEffectsAreConfigurable() {
        BeaconflowConfig c =
                parse(
                        "comparisons:\n  sequential: false\n  mixing-effect-rates: 0.1\n"
                                + "  mixing-effect-latencies: 0.3\n");
        assertThat(c.comparisons.sequential).isFalse();
        assertThat(c.comparisons.mixingEffectRates).isEqualTo(0.1);
        assertThat(c.comparisons.mixingEffectLatencies).isEqualTo(0.3);
    }

    @Test
    void keysAreReadAndTheControlOfAnExperimentIsConfigurable() {
        BeaconflowConfig c =
                parse(
                        "comparisons:\n  emit-every: 30m\n  default-control: baseline\n"
                                + "  controls:\n    checkout_flow: one_page\n");
        assertThat(c.comparisons.emitEvery).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.comparisons.controlOf("checkout_flow")).isEqualTo("one_page");
        assertThat(c.comparisons.controlOf("search_ranking")).isEqualTo("baseline");
    }

    @Test
    void badValuesAreErrorsNamingTheKeyAndTheFix() {
        assertRejected(
                "comparisons:\n  emit-every: 90s\n",
                "comparisons.emit-every",
                "multiple of metrics.window");
        assertRejected("comparisons:\n  alpha: 0.5\n", "comparisons.alpha", "Fix:");
        assertRejected(
                "comparisons:\n  min-samples-per-arm: 5\n", "comparisons.min-samples-per-arm");
        assertRejected("comparisons:\n  max-arms-per-app: 1\n", "comparisons.max-arms-per-app");
        assertRejected("comparisons:\n  idle-ttl: 10m\n", "comparisons.idle-ttl");
        assertRejected(
                "comparisons:\n  controls:\n    checkout_flow: ''\n",
                "comparisons.controls.checkout_flow");
        assertRejected(
                "comparisons:\n  mixing-effect-rates: 0\n",
                "comparisons.mixing-effect-rates",
                "most sensitive to",
                "Fix:");
        assertRejected(
                "comparisons:\n  mixing-effect-latencies: 5\n",
                "comparisons.mixing-effect-latencies",
                "Fix:");
        assertRejected("comparisons:\n  emit-evry: 15m\n", "emit-evry");
    }

    @Test
    void everyFieldOfTheDocumentIsMappedWithItsType() throws Exception {
        Comparison c = new Comparison();
        for (java.lang.reflect.Field f : Comparison.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
            if (f.getType() == String.class) f.set(c, "x");
            if (f.getType() == Double.class) f.set(c, 0.5);
        }
        c.windowStart = 1;
        c.windowEnd = 2;
        JsonNode json = Json.newOutputMapper().valueToTree(c);
        Map<String, String> mapped =
                TemplateFields.of(
                        Path.of("../docker/elasticsearch/templates/rum-comparisons.json"));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("n_control", "p_value", "adjusted_p", "diff_low", "window_end");
        for (String name : names) {
            JsonNode v = json.get(name);
            String expected =
                    v.isTextual()
                            ? "keyword"
                            : v.isBoolean() ? "boolean" : v.isIntegralNumber() ? "long" : "double";
            if (name.startsWith("window_")) expected = "date";
            assertThat(mapped.get(name)).as(name).isEqualTo(expected);
        }
        assertThat(mapped.keySet()).containsExactlyInAnyOrderElementsOf(names);
    }
}
