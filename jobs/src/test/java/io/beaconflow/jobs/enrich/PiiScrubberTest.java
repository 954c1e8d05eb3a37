package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig.ClientIpPolicy;
import io.beaconflow.jobs.config.IngestConfig.PrivacyConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PiiScrubberTest {
    /** Client IPs truncated (the shipped policy), salt "salt". */
    private final PiiScrubber scrubber = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt"));

    static PrivacyConfig privacy(ClientIpPolicy ip, String salt) {
        PrivacyConfig p = new PrivacyConfig();
        p.clientIp = ip;
        p.userIdSalt = salt;
        p.queryAllowlist = List.of("utm_source", "lang");
        return p;
    }

    @Test
    void clientIpsAreTruncatedToTheirNetwork() {
        assertThat(scrubber.clientIp("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(scrubber.clientIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"))
                .isEqualTo("2001:db8:85a3::");
        assertThat(scrubber.clientIp(null)).isNull();
    }

    @Test
    void clientIpsCanBeDroppedOrKept() {
        assertThat(new PiiScrubber(privacy(ClientIpPolicy.DROP, "s")).clientIp("1.2.3.4")).isNull();
        assertThat(new PiiScrubber(privacy(ClientIpPolicy.KEEP, "s")).clientIp("1.2.3.4"))
                .isEqualTo("1.2.3.4");
    }

    /** Each row: a URL as sent, and as it is kept. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            textBlock =
                    """
                    # Query values are removed except allow-listed ones, and fragments dropped.
                    https://x.example/p?email=a%40b.c&utm_source=news&lang=de&flag#token=abc, \
                        https://x.example/p?email=&utm_source=news&lang=de&flag
                    https://x.example/p, https://x.example/p
                    # A fragment is dropped also from a URL without a query string.
                    https://x.example/cb#access_token=ya29.a0AfH6SMBx&state=1, \
                        https://x.example/cb
                    https://x.example/docs#section-2, https://x.example/docs
                    /p#, /p
                    # A single page app's hash route is kept, and scrubbed like a path with its own
                    # query.
                    https://x.example/#/orders/8812?email=a%40b.c&lang=de#frag, \
                        https://x.example/#/orders/8812?email=&lang=de
                    https://x.example/app#!/users/jane.doe@example.com/edit, \
                        https://x.example/app#!/users/:email/edit
                    # Credentials before the host are removed.
                    https://admin:hunter2@x.example/p?q=1, https://x.example/p?q=
                    wss://token@x.example, wss://x.example
                    # Secrets in path segments become placeholders and ids stay.
                    https://x.example/users/jane.doe@example.com/orders/8812, \
                        https://x.example/users/:email/orders/8812
                    /u/jane%40example.com, /u/:email
                    /reset/Zk3q9XbP2mLw8RtY6vNc4HsA1dQe7JfU, /reset/:token
                    /pay/4111111111111111/confirm, /pay/:card/confirm
                    # Ordinary ids, UUIDs, slugs and a 16-digit number that is no card number stay.
                    /orders/8812/items/550e8400-e29b-41d4-a716-446655440000, \
                        /orders/8812/items/550e8400-e29b-41d4-a716-446655440000
                    /blog/how-we-cut-our-p99-latency-in-half-2026, \
                        /blog/how-we-cut-our-p99-latency-in-half-2026
                    /orders/1234567890123456, /orders/1234567890123456
                    """)
    void urlsLoseQueryValuesFragmentsCredentialsAndSecretsButKeepRoutesAndIds(
            String url, String scrubbed) {
        assertThat(scrubber.url(url)).isEqualTo(scrubbed);
    }

    /** Secrets in path segments that the table above cannot spell out. */
    @Test
    void aJwtOrALongHexStringAsAPathSegmentIsAToken() {
        assertThat(scrubber.url("/session/" + JWT)).isEqualTo("/session/:token");
        assertThat(scrubber.url("/files/" + "a3f9".repeat(10) + "/x")).isEqualTo("/files/:token/x");
    }

    @Test
    void allowListedValuesLoseSecretsAndSecretKeysAreNeverKept() {
        PrivacyConfig p = privacy(ClientIpPolicy.TRUNCATE, "salt");
        p.queryAllowlist = List.of("utm_source", "token", "ref");
        PiiScrubber s = new PiiScrubber(p);
        assertThat(s.url("/p?utm_source=jane%40example.com&token=abc&ref=news"))
                .isEqualTo("/p?utm_source=:email&token=&ref=news");
        assertThat(s.url("/p?" + JWT)).isEqualTo("/p?:token");
    }

    @Test
    void errorMessagesLoseEmailsTokensPasswordsCardsAndUrlQueryValues() {
        assertThat(scrubber.text("Invalid email jane.doe@example.com for user 42"))
                .isEqualTo("Invalid email <email> for user 42");
        assertThat(scrubber.text("401 on fetch: Authorization: Bearer abcdef123456.xyz"))
                .isEqualTo("401 on fetch: Authorization: Bearer <redacted>");
        assertThat(scrubber.text("token " + JWT + " expired")).isEqualTo("token <token> expired");
        assertThat(scrubber.text("login failed password=hunter2; api_key: 'k-123'"))
                .isEqualTo("login failed password=<redacted>; api_key: <redacted>");
        assertThat(scrubber.text("card 4111 1111 1111 1111 declined, order 1234567890123456"))
                .isEqualTo("card <card> declined, order 1234567890123456");
        assertThat(scrubber.text("bad key Zk3q9XbP2mLw8RtY6vNc4HsA1dQe7JfU"))
                .isEqualTo("bad key <token>");
        assertThat(
                        scrubber.text(
                                "Failed to fetch https://api.x.example/v1/me?session=abc&lang=de#t=1"))
                .isEqualTo("Failed to fetch https://api.x.example/v1/me?session=&lang=de");
        assertThat(scrubber.text("TypeError: Cannot read properties of undefined (reading 'id')"))
                .isEqualTo("TypeError: Cannot read properties of undefined (reading 'id')");
        assertThat(scrubber.text(null)).isNull();
    }

    @Test
    void stackFramesKeepFilesLinesAndColumnsButLoseQueryTokens() {
        assertThat(
                        scrubber.text(
                                "TypeError: x is undefined\n"
                                        + "    at render (https://cdn.x.example/app.3f2a9b.js?sig=abc:12:34)\n"
                                        + "    at https://x.example/checkout#token=secret:1:2"))
                .isEqualTo(
                        "TypeError: x is undefined\n"
                                + "    at render (https://cdn.x.example/app.3f2a9b.js?sig=)\n"
                                + "    at https://x.example/checkout");
    }

    @Test
    void hostileErrorTextsTakeLinearTimeNotMinutes() {
        int n = 200_000; // an error message near ingest.max-record-bytes
        List<String> hostile =
                List.of(
                        "a".repeat(n) + "@",
                        "a.".repeat(n / 2) + "@x",
                        "eyJ".repeat(n / 3),
                        "eyJ-".repeat(n / 4),
                        "password=\"".repeat(n / 10),
                        "jane@" + "a-".repeat(n / 2),
                        "1 ".repeat(n / 2),
                        "https://x.example/" + "a/".repeat(n / 2));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(20),
                () -> {
                    for (String h : hostile) assertThat(scrubber.text(h)).isNotNull();
                });
        assertThat(scrubber.text("mail jane.doe@example.com.")).isEqualTo("mail <email>.");
        assertThat(scrubber.text("x%40y jane%40example.com")).isEqualTo("x%40y <email>");
    }

    private static final String JWT =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

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

    @Test
    void theRememberedLastIdGivesTheSameHashAsAFreshScrubber() {
        PiiScrubber a = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt-a"));
        String[] ids = {"u1", "u1", "u2", "u1", "u2", "u2", "u3"};
        for (String id : ids) {
            PiiScrubber fresh = new PiiScrubber(privacy(ClientIpPolicy.TRUNCATE, "salt-a"));
            assertThat(a.userId(id)).as(id).isEqualTo(fresh.userId(id));
        }
        assertThat(a.userId(null)).isNull();
    }

    @Test
    void eachFieldsLastUrlIsAnsweredAsUrlWouldAnswerIt() {
        String[] urls = {
            "https://shop.example/cart?email=a@b.c&utm_source=x#access_token=t",
            "https://shop.example/cart?email=a@b.c&utm_source=x#access_token=t",
            "https://u:p@shop.example/p/42?q=1",
            "",
            null,
            "https://shop.example/#/orders/42?token=x",
            "https://shop.example/#/orders/42?token=x",
            "/api/cart?sid=abc"
        };
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 400; i++) {
            String page = urls[rnd.nextInt(urls.length)];
            String referrer = urls[rnd.nextInt(urls.length)];
            String fetch = urls[rnd.nextInt(urls.length)];
            // Fresh instances, as decoding makes them.
            page = page == null ? null : new String(page);
            assertThat(scrubber.pageUrl(page)).isEqualTo(scrubber.url(page));
            assertThat(scrubber.referrer(referrer)).isEqualTo(scrubber.url(referrer));
            assertThat(scrubber.fetchUrl(fetch)).isEqualTo(scrubber.url(fetch));
        }
    }
}
