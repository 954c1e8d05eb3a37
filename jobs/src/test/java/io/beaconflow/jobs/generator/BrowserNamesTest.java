package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.enrich.UserAgentClassifier;
import io.beaconflow.jobs.evaluation.IncidentMatcher;
import org.junit.jupiter.api.Test;

/**
 * An incident on a browser names the generator's family; the job's series name what its user-agent
 * parser makes of the generated user agents. The evaluation must read one as the other, for every
 * family and device the generator produces, or a detected incident counts as missed and its alert
 * as false (Samsung Internet parses as "SamsungBrowser").
 */
class BrowserNamesTest {
    @Test
    void everyGeneratedUserAgentParsesToTheNameTheMatcherExpectsForItsFamily() {
        UserAgentClassifier classifier = new UserAgentClassifier(100);
        int checked = 0;
        for (String family : GeneratorConfig.BROWSER_FAMILIES) {
            for (String device : GeneratorConfig.DEVICES) {
                for (String ua :
                        Catalog.userAgents(family, Catalog.compatibleDevice(family, device))) {
                    assertThat(classifier.classify(ua).browser)
                            .as("%s on %s: %s", family, device, ua)
                            .isEqualTo(IncidentMatcher.parsedBrowser(family));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(GeneratorConfig.BROWSER_FAMILIES.size());
        assertThat(IncidentMatcher.parsedBrowser("Samsung Internet")).isEqualTo("SamsungBrowser");
    }
}
