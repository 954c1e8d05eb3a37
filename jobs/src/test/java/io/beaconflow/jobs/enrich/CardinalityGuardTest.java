package io.beaconflow.jobs.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.config.CardinalityConfig;
import io.beaconflow.jobs.enrich.CardinalityGuard.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CardinalityGuardTest {
    /** Every budget the guard keeps at {@code each}, set as a config file sets them. */
    static CardinalityConfig limits(int each) {
        String section =
                """
                ingest:
                  cardinality:
                    max-apps: %1$d
                    max-releases-per-app: %1$d
                    max-countries-per-app: %1$d
                    max-browsers-per-app: %1$d
                    max-os-per-app: %1$d
                    max-devices-per-app: %1$d
                    max-variants-per-app: %1$d
                    max-browser-versions-per-app: %1$d
                    max-endpoints-per-app: %1$d
                  privacy:
                    user-id-salt: s
                """;
        return BeaconflowConfig.parse(
                        section.formatted(each), "test.yaml", Map.<String, String>of()::get)
                .ingest
                .cardinality;
    }

    @Test
    void everyPerAppDimensionFoldsNewValuesBeyondItsBudgetAndCountsThem() {
        CardinalityGuard guard = new CardinalityGuard(2, limits(2));
        for (Kind kind : Kind.values()) {
            if (kind == Kind.APP) continue;
            assertThat(guard.admit(kind, "shop", "a")).isEqualTo("a");
            assertThat(guard.admit(kind, "shop", "b")).isEqualTo("b");
            assertThat(guard.admit(kind, "shop", "c")).as(kind.name()).isEqualTo("other");
            assertThat(guard.admit(kind, "shop", "a")).isEqualTo("a");
            // The budget is per app.
            assertThat(guard.admit(kind, "blog", "c")).isEqualTo("c");
            assertThat(guard.folded(kind)).as(kind.name()).isEqualTo(1);
            assertThat(guard.admittedCount(kind, "shop")).isEqualTo(2);
        }
    }

    @Test
    void appsHaveOneBudgetForTheWholeJobAndAbsentValuesStayAbsent() {
        CardinalityGuard guard = new CardinalityGuard(10, limits(2));
        assertThat(guard.admitApp("shop")).isEqualTo("shop");
        assertThat(guard.admitApp("blog")).isEqualTo("blog");
        assertThat(guard.admitApp("spam-1")).isEqualTo("other");
        assertThat(guard.admitApp("spam-2")).isEqualTo("other");
        assertThat(guard.admitApp("shop")).isEqualTo("shop");
        assertThat(guard.folded(Kind.APP)).isEqualTo(2);
        assertThat(guard.admit(Kind.RELEASE, "shop", null)).isNull();
        assertThat(guard.folded(Kind.RELEASE)).isZero();
    }

    @Test
    void tenThousandReleasesKeepTheConfiguredNumberAndFoldTheRest() {
        CardinalityGuard guard = new CardinalityGuard(500, new CardinalityConfig());
        long other = 0;
        for (int i = 0; i < 10_000; i++) {
            if (guard.admit(Kind.RELEASE, "shop", "shop@1.0." + i).equals("other")) other++;
        }
        int max = CardinalityConfig.DEFAULT_MAX_RELEASES_PER_APP;
        assertThat(guard.admittedCount(Kind.RELEASE, "shop")).isEqualTo(max);
        assertThat(other).isEqualTo(10_000 - max);
        assertThat(guard.folded(Kind.RELEASE)).isEqualTo(10_000 - max);
    }

    @Test
    void aRestoredGuardAdmitsWhatItHadAdmittedAndFoldsTheRest() {
        CardinalityGuard guard = new CardinalityGuard(2, limits(2));
        guard.admit(Kind.COUNTRY, "shop", "DE");
        guard.admit(Kind.COUNTRY, "shop", "FR");
        guard.admit(Kind.ROUTE, "shop", "/cart");
        guard.admitApp("shop");
        List<String> state = new ArrayList<>(guard.snapshot());
        state.add("SOMETHING_NEWER\tshop\tx");
        state.add("garbage");

        CardinalityGuard restored = new CardinalityGuard(2, limits(2));
        restored.restore(state);
        assertThat(restored.admit(Kind.COUNTRY, "shop", "FR")).isEqualTo("FR");
        assertThat(restored.admit(Kind.COUNTRY, "shop", "US")).isEqualTo("other");
        assertThat(restored.admit(Kind.ROUTE, "shop", "/cart")).isEqualTo("/cart");
        assertThat(restored.admit(Kind.ROUTE, "shop", "/search")).isEqualTo("/search");
        assertThat(restored.admittedCount(Kind.APP, null)).isEqualTo(1);
    }

    @Test
    void forgottenValuesGiveTheirBudgetBack() {
        CardinalityGuard guard = CardinalityGuard.forRoutes(2);
        guard.admit(Kind.ROUTE, "shop", "/category/a");
        guard.admit(Kind.ROUTE, "shop", "/category/b");
        assertThat(guard.admit(Kind.ROUTE, "shop", "/category/:slug")).isEqualTo("other");
        assertThat(guard.forget(Kind.ROUTE, "shop", r -> r.startsWith("/category/"))).isEqualTo(2);
        assertThat(guard.admit(Kind.ROUTE, "shop", "/category/:slug")).isEqualTo("/category/:slug");
        assertThat(guard.forget(Kind.ROUTE, "nobody", r -> true)).isZero();
    }

    @Test
    void equalValuesComeBackAsTheAdmittedInstanceAndEachAppKeepsItsOwnBudget() {
        CardinalityGuard guard = new CardinalityGuard(3, limits(2));
        String first = new String("DE");
        assertThat(guard.admit(Kind.COUNTRY, "shop", first)).isSameAs(first);
        // A later event's equal string (decoded afresh) gets the stored instance back.
        assertThat(guard.admit(Kind.COUNTRY, "shop", new String("DE"))).isSameAs(first);
        // Apps alternating from event to event, with equal but distinct app strings: each app's
        // budget is its own (the per-kind cache of the last app must not leak across apps).
        for (int i = 0; i < 3; i++) {
            assertThat(guard.admit(Kind.COUNTRY, new String("news"), "FR")).isEqualTo("FR");
            assertThat(guard.admit(Kind.COUNTRY, new String("shop"), "FR")).isEqualTo("FR");
            assertThat(guard.admit(Kind.COUNTRY, "news", "JP")).isEqualTo("JP");
            assertThat(guard.admit(Kind.COUNTRY, "shop", "JP")).isEqualTo("other");
            assertThat(guard.admit(Kind.COUNTRY, "news", "US")).isEqualTo("other");
        }
        assertThat(guard.admittedCount(Kind.COUNTRY, "shop")).isEqualTo(2);
        assertThat(guard.admittedCount(Kind.COUNTRY, "news")).isEqualTo(2);
        assertThat(guard.folded(Kind.COUNTRY)).isEqualTo(6);
        // A restored guard answers with its own instances too, and a value forgotten while its
        // app is the cached one is gone from the cached map as well.
        CardinalityGuard restored = new CardinalityGuard(3, limits(2));
        restored.restore(guard.snapshot());
        String de = restored.admit(Kind.COUNTRY, "shop", "DE");
        assertThat(restored.admit(Kind.COUNTRY, "shop", new String("DE"))).isSameAs(de);
        assertThat(restored.forget(Kind.COUNTRY, "shop", "DE"::equals)).isEqualTo(1);
        assertThat(restored.admit(Kind.COUNTRY, "shop", "GB")).isEqualTo("GB");
        assertThat(restored.admit(Kind.COUNTRY, "shop", "IT")).isEqualTo("other");
    }
}
