package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig.RouteRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteNormalizerTest {
    private final RouteNormalizer plain = new RouteNormalizer(List.of());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            textBlock =
                    """
                    https://shop.example/orders/8812/items/3, /orders/:id/items/:id
                    /u/123e4567-e89b-12d3-a456-426614174000/profile, /u/:uuid/profile
                    /assets/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b, /assets/:hash
                    /users/jane.doe@example.com/settings, /users/:email/settings
                    /reset/aZ09aZ09aZ09aZ09aZ09aZ09xx, /reset/:token
                    """)
    void identifiersInPathsBecomePlaceholders(String url, String route) {
        assertThat(plain.normalize("shop", url)).isEqualTo(route);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            nullValues = "null",
            textBlock =
                    """
                    https://shop.example/cart/?step=2#top, /cart
                    https://shop.example, /
                    null, /
                    """)
    void queryStringsFragmentsAndTrailingSlashesDoNotMakeNewRoutes(String url, String route) {
        assertThat(plain.normalize("shop", url)).isEqualTo(route);
    }

    /** Before: every view of a hash-routed single-page app was route "/". */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            textBlock =
                    """
                    https://app.example/#/orders/8812?tab=items, /#/orders/:id
                    https://app.example/admin/#!/users/42/, /admin/#!/users/:id
                    https://app.example/?lang=de#/settings#anchor, /#/settings
                    # An ordinary fragment stays out of the route.
                    https://app.example/docs#install, /docs
                    """)
    void aHashRouteOfASinglePageAppIsPartOfTheRouteAndTemplatedLikeAPath(String url, String route) {
        assertThat(plain.normalize("spa", url)).isEqualTo(route);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            textBlock =
                    """
                    /products/coffee-beans/reviews, /products/coffee-beans/reviews
                    /cafe/decaf, /cafe/decaf
                    """)
    void ordinaryWordsAndShortHexLikeWordsAreKept(String url, String route) {
        assertThat(plain.normalize("shop", url)).isEqualTo(route);
    }

    @Test
    void appRulesRunFirstAndOnlyForTheirApp() {
        RouteRule rule = new RouteRule();
        rule.app = "blog";
        rule.pattern = "^/posts/[a-z0-9-]+$";
        rule.replacement = "/posts/:slug";
        RouteNormalizer n = new RouteNormalizer(List.of(rule));
        assertThat(n.normalize("blog", "/posts/my-first-post")).isEqualTo("/posts/:slug");
        assertThat(n.normalize("shop", "/posts/my-first-post")).isEqualTo("/posts/my-first-post");
    }

    @Test
    void theCardinalityGuardFoldsNewRoutesIntoOtherBeyondTheLimitAndCountsThem() {
        CardinalityGuard guard = CardinalityGuard.forRoutes(2);
        assertThat(guard.admit(CardinalityGuard.Kind.ROUTE, "shop", "/a")).isEqualTo("/a");
        assertThat(guard.admit(CardinalityGuard.Kind.ROUTE, "shop", "/b")).isEqualTo("/b");
        assertThat(guard.admit(CardinalityGuard.Kind.ROUTE, "shop", "/c")).isEqualTo("other");
        assertThat(guard.admit(CardinalityGuard.Kind.ROUTE, "shop", "/a")).isEqualTo("/a");
        assertThat(guard.admit(CardinalityGuard.Kind.ROUTE, "blog", "/c")).isEqualTo("/c");
        assertThat(guard.folded(CardinalityGuard.Kind.ROUTE)).isEqualTo(1);

        CardinalityGuard restored = CardinalityGuard.forRoutes(2);
        restored.restore(guard.snapshot());
        assertThat(restored.admit(CardinalityGuard.Kind.ROUTE, "shop", "/b")).isEqualTo("/b");
        assertThat(restored.admit(CardinalityGuard.Kind.ROUTE, "shop", "/d")).isEqualTo("other");
    }
}
