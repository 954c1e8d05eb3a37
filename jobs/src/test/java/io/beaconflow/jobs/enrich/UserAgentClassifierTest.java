package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserAgentClassifierTest {
    private final UserAgentClassifier classifier = new UserAgentClassifier(16);

    @Test
    void desktopChromeIsClassifiedWithFamilyMajorVersionOsAndDevice() {
        UserAgentClassifier.Info i =
                classifier.classify(
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
                                + " Gecko) Chrome/120.0.0.0 Safari/537.36");
        assertThat(i.browser).isEqualTo("Chrome");
        assertThat(i.browserVersion).isEqualTo("120");
        assertThat(i.os).isEqualTo("Windows NT");
        assertThat(i.deviceType).isEqualTo("desktop");
        assertThat(i.bot).isFalse();
    }

    @Test
    void phonesAndTabletsAreTold() {
        assertThat(
                        classifier.classify(
                                        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)"
                                                + " AppleWebKit/605.1.15 (KHTML, like Gecko)"
                                                + " Version/17.1 Mobile/15E148 Safari/604.1")
                                .deviceType)
                .isEqualTo("mobile");
        assertThat(
                        classifier.classify(
                                        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X)"
                                                + " AppleWebKit/605.1.15 (KHTML, like Gecko)"
                                                + " Version/17.1 Mobile/15E148 Safari/604.1")
                                .deviceType)
                .isEqualTo("tablet");
    }

    @Test
    void crawlersAndHeadlessBrowsersAreBots() {
        assertThat(
                        classifier.classify(
                                        "Mozilla/5.0 (compatible; Googlebot/2.1;"
                                                + " +http://www.google.com/bot.html)")
                                .bot)
                .isTrue();
        assertThat(
                        classifier.classify(
                                        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML,"
                                                + " like Gecko) HeadlessChrome/120.0.0.0"
                                                + " Safari/537.36")
                                .bot)
                .isTrue();
    }

    @Test
    void aMissingUserAgentIsUnknownNotAnError() {
        assertThat(classifier.classify(null).browser).isEqualTo("unknown");
        assertThat(classifier.classify("").deviceType).isEqualTo("unknown");
    }
}
