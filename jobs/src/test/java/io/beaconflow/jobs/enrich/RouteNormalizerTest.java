package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.IngestConfig.RouteRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteNormalizerTest {
    private final RouteNormalizer plain = new RouteNormalizer(List.of());

    @Test
    void identifiersInPathsBecomePlaceholders() {
        assertThat(plain.normalize("shop", "https://shop.example/orders/8812/items/3"))
                .isEqualTo("/orders/:id/items/:id");
        assertThat(plain.normalize("shop", "/u/123e4567-e89b-12d3-a456-426614174000/profile"))
                .isEqualTo("/u/:uuid/profile");
        assertThat(plain.normalize("shop", "/assets/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"))
                .isEqualTo("/assets/:hash");
        assertThat(plain.normalize("shop", "/users/jane.doe@example.com/settings"))
                .isEqualTo("/users/:email/settings");
        assertThat(plain.normalize("shop", "/reset/aZ09aZ09aZ09aZ09aZ09aZ09xx"))
                .isEqualTo("/reset/:token");
    }

    @Test
    void queryStringsFragmentsAndTrailingSlashesDoNotMakeNewRoutes() {
        assertThat(plain.normalize("shop", "https://shop.example/cart/?step=2#top"))
                .isEqualTo("/cart");
        assertThat(plain.normalize("shop", "https://shop.example")).isEqualTo("/");
        assertThat(plain.normalize("shop", null)).isEqualTo("/");
    }

    /** Before: every view of a hash-routed single-page app was route "/". */
    @Test
    void aHashRouteOfASinglePageAppIsPartOfTheRouteAndTemplatedLikeAPath() {
        assertThat(plain.normalize("spa", "https://app.example/#/orders/8812?tab=items"))
                .isEqualTo("/#/orders/:id");
        assertThat(plain.normalize("spa", "https://app.example/admin/#!/users/42/"))
                .isEqualTo("/admin/#!/users/:id");
        assertThat(plain.normalize("spa", "https://app.example/?lang=de#/settings#anchor"))
                .isEqualTo("/#/settings");
        // An ordinary fragment stays out of the route.
        assertThat(plain.normalize("spa", "https://app.example/docs#install")).isEqualTo("/docs");
    }

    @Test
    void ordinaryWordsAndShortHexLikeWordsAreKept() {
        assertThat(plain.normalize("shop", "/products/coffee-beans/reviews"))
                .isEqualTo("/products/coffee-beans/reviews");
        assertThat(plain.normalize("shop", "/cafe/decaf")).isEqualTo("/cafe/decaf");
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
