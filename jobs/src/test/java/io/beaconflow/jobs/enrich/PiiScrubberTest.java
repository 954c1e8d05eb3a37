package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig.ClientIpPolicy;
import io.beaconflow.jobs.config.IngestConfig.PrivacyConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class PiiScrubberTest {
    static PrivacyConfig privacy(ClientIpPolicy ip, String salt) {
        PrivacyConfig p = new PrivacyConfig();
        p.clientIp = ip;
        p.userIdSalt = salt;
        p.queryAllowlist = List.of("utm_source", "lang");
        return p;
    }

    @Test
    void clientIpsAreTruncatedToTheirNetwork() {
        PiiScrubber s = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt"));
        assertThat(s.clientIp("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(s.clientIp("2001:db8:85a3:8d3:1319:8a2e:370:7348")).isEqualTo("2001:db8:85a3::");
        assertThat(s.clientIp(null)).isNull();
    }

    @Test
    void clientIpsCanBeDroppedOrKept() {
        assertThat(new PiiScrubber(privacy(ClientIpPolicy.DROP, "s")).clientIp("1.2.3.4")).isNull();
        assertThat(new PiiScrubber(privacy(ClientIpPolicy.KEEP, "s")).clientIp("1.2.3.4"))
                .isEqualTo("1.2.3.4");
    }

    @Test
    void queryValuesAreRemovedExceptAllowListedOnesAndFragmentsDropped() {
        PiiScrubber s = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt"));
        assertThat(
                        s.url(
                                "https://x.example/p?email=a%40b.c&utm_source=news&lang=de&flag#token=abc"))
                .isEqualTo("https://x.example/p?email=&utm_source=news&lang=de&flag");
        assertThat(s.url("https://x.example/p")).isEqualTo("https://x.example/p");
    }

    @Test
    void userIdsAreHashedStablyPerSaltAndDifferBetweenSalts() {
        PiiScrubber a = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt-a"));
        PiiScrubber a2 = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt-a"));
        PiiScrubber b = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt-b"));
        String h = a.userId("user-42");
        assertThat(h).hasSize(32).matches("[0-9a-f]+").doesNotContain("user");
        assertThat(a2.userId("user-42")).isEqualTo(h);
        assertThat(b.userId("user-42")).isNotEqualTo(h);
        assertThat(a.userId("user-43")).isNotEqualTo(h);
    }
}
