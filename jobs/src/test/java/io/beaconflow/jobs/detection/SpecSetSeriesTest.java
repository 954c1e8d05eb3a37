package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.PointStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@link SpecSet#series}: what the scoring reads per series is what {@link SpecSet#resolve} says
 * per metric, with the shipped spec file (its overrides match by dimension and metric, and some
 * disable a metric on a dimension).
 */
class SpecSetSeriesTest {
    private static final SpecSet SHIPPED =
            SpecSet.parse(
                    SpecUpdate.readFile(Path.of("..", "flink-conf", "detectors", "defaults.yaml")));

    private static final List<List<String>> SERIES =
            List.of(
                    List.of("shop-web", "all", "*"),
                    List.of("shop-web", "route", "/product/:id"),
                    List.of("shop-web", "release", "shop-web@2.3.0"),
                    List.of("news-web", "variant", "paywall=metered"),
                    List.of("news-web", "endpoint", "GET /api/articles/:id"),
                    List.of("news-web", "browser", "Safari"),
                    List.of("news-web", "browser_version", "Safari 17"),
                    List.of("news-web", "os", "Mac OS"),
                    List.of("news-web", "country", "JP"));

    @Test
    void eachMetricOfASeriesHasTheSpecDetectorAndFingerprintThatResolvingItGives() {
        int scored = 0;
        int notScored = 0;
        for (List<String> id : SERIES) {
            SpecSet.SeriesSpecs series = SHIPPED.series(id.get(0), id.get(1), id.get(2));
            List<String> metrics = SHIPPED.rowMetrics();
            for (int i = 0; i < metrics.size(); i++) {
                DetectorSpec expected =
                        SHIPPED.resolve(id.get(0), id.get(1), id.get(2), metrics.get(i));
                String what = id + " " + metrics.get(i);
                if (expected == null) {
                    assertThat(series.spec(i)).as(what).isNull();
                    assertThat(series.detector(i)).as(what).isNull();
                    notScored++;
                    continue;
                }
                assertThat(series.spec(i)).as(what).isEqualTo(expected);
                assertThat(series.spec(i).toString()).as(what).isEqualTo(expected.toString());
                assertThat(series.detector(i)).as(what).isSameAs(SHIPPED.detector(expected));
                assertThat(series.fingerprint(i))
                        .as(what)
                        .isEqualTo(SpecSet.stateFingerprint(expected));
                scored++;
            }
        }
        // The shipped file both scores and disables metrics on these series, and its overrides
        // give some series other specs than the app total's: the comparison covers all three.
        assertThat(scored).isGreaterThan(100);
        assertThat(notScored).isPositive();
        int pageViews = SHIPPED.rowMetrics().indexOf("page_views");
        assertThat(SHIPPED.series("news-web", "variant", "paywall=metered").spec(pageViews))
                .isNotEqualTo(SHIPPED.series("news-web", "all", "*").spec(pageViews));
    }

    @Test
    void aSeriesIsResolvedOnceAndTheCacheStartsOverAtItsBound() {
        SpecSet set =
                SpecSet.parse(
                        SpecUpdate.readFile(
                                Path.of("..", "flink-conf", "detectors", "defaults.yaml")));
        SpecSet.SeriesSpecs first = set.series("shop-web", "country", "DE");
        assertThat(set.series("shop-web", "country", "DE")).isSameAs(first);
        // Same text, other fields: a separator inside a value must not make two series one.
        assertThat(set.series("shop-web", "country|DE", "*")).isNotSameAs(first);
        for (int i = 0; i < SpecSet.MAX_CACHED_SERIES; i++) {
            set.series("shop-web", "route", "/r" + i);
        }
        SpecSet.SeriesSpecs again = set.series("shop-web", "country", "DE");
        assertThat(again).isNotSameAs(first);
        for (int i = 0; i < set.rowMetrics().size(); i++) {
            assertThat(again.spec(i)).isEqualTo(first.spec(i));
            assertThat(again.detector(i)).isSameAs(first.detector(i));
        }
    }

    /**
     * The digest {@code DetectorFunction} keeps in state to skip the fingerprint reads: equal
     * exactly when every row metric's fingerprint is, and the same number in every JVM.
     */
    @Test
    void theFingerprintDigestChangesExactlyWhenAMetricsScaleDoes() {
        List<String> metrics = SHIPPED.rowMetrics();
        for (List<String> a : SERIES) {
            for (List<String> b : SERIES) {
                SpecSet.SeriesSpecs x = SHIPPED.series(a.get(0), a.get(1), a.get(2));
                SpecSet.SeriesSpecs y = SHIPPED.series(b.get(0), b.get(1), b.get(2));
                boolean same = true;
                for (int i = 0; i < metrics.size(); i++) {
                    same &= java.util.Objects.equals(x.fingerprint(i), y.fingerprint(i));
                }
                assertThat(x.fingerprintHash() == y.fingerprintHash())
                        .as(a + " " + b)
                        .isEqualTo(same);
            }
        }
        String[] fingerprints = {"poisson/sqrt", null};
        long digest = SpecSet.fingerprintHash(List.of("page_views", "error_rate"), fingerprints);
        // FNV-1a 64 of "page_views=poisson/sqrt;error_rate=-;", computed outside Java (Python)
        assertThat(digest).isEqualTo(0x9dd912053ce75dabL);
        assertThat(
                        SpecSet.fingerprintHash(
                                List.of("page_views", "error_rate"),
                                new String[] {"poisson/linear", null}))
                .isNotEqualTo(digest);
        assertThat(SpecSet.fingerprintHash(List.of("page_views", "fetches"), fingerprints))
                .isNotEqualTo(digest);
        assertThat(
                        SpecSet.fingerprintHash(
                                List.of("page_views", "error_rate"),
                                new String[] {"poisson/sqrt", "-"}))
                .as("an absent fingerprint is written as '-'; no spec's fingerprint is that")
                .isEqualTo(digest);
    }

    @Test
    void enumNamesAreWrittenInLowerCaseAsBefore() {
        for (Class<? extends Enum<?>> type :
                List.<Class<? extends Enum<?>>>of(
                        Direction.class, PointStatus.class, BaselineKind.class, MetricKind.class)) {
            for (Enum<?> e : type.getEnumConstants()) {
                assertThat(Scoring.lower(e)).isEqualTo(e.name().toLowerCase(Locale.ROOT));
            }
        }
        // A constant with a body of its own is an instance of a subclass of its enum.
        for (java.util.concurrent.TimeUnit u : java.util.concurrent.TimeUnit.values()) {
            assertThat(Scoring.lower(u)).isEqualTo(u.name().toLowerCase(Locale.ROOT));
        }
        assertThat(Scoring.lower(Bodied.B)).isEqualTo("b");
        assertThat(Scoring.lower(Bodied.A)).isEqualTo("a");
        assertThat(Scoring.lower(null)).isNull();
        assertThat(Scoring.direction(null)).isNull();
    }

    private enum Bodied {
        A,
        B {
            @Override
            public String toString() {
                return "bee";
            }
        }
    }
}
