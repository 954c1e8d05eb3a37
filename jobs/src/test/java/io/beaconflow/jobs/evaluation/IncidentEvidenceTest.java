package io.beaconflow.jobs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.junit.jupiter.api.Test;

/**
 * Each test of {@link IncidentEvidence} against its hand computation (Commons Math distributions),
 * and the choice of series: the incident's segment, endpoint and app total, nothing else.
 */
class IncidentEvidenceTest {
    static final long M = 60_000;
    static final long START = 7 * 60 * M; // 7 h in: six hours of windows before
    static final NormalDistribution N = new NormalDistribution(null, 0, 1);

    static MetricAggregate row(String app, String dim, String value, long minute) {
        MetricAggregate r = new MetricAggregate();
        r.app = app;
        r.dimension = dim;
        r.dimensionValue = value;
        r.windowStart = minute * M;
        r.windowEnd = r.windowStart + M;
        return r;
    }

    /** A window of {@code views} received views (sample rate 1) with {@code errors} errors. */
    static MetricAggregate views(
            String app, String dim, String value, long minute, int views, int errors) {
        MetricAggregate r = row(app, dim, value, minute);
        r.pageViews = views;
        r.events = views;
        r.samples = views;
        r.jsErrors = errors;
        r.errorRate = views > 0 ? errors / (double) views : null;
        return r;
    }

    static IncidentTruth truth(String kind, String dim, String value, List<String> metrics) {
        return new IncidentTruth(
                "i", kind, "shop", dim, value, null, 1, metrics, START, START + 30 * M);
    }

    @Test
    void anErrorSpikeIsTheExactPoissonTailOfItsReceivedErrorsAtTheRateBefore() {
        List<MetricAggregate> rows = new ArrayList<>();
        int errorsBefore = 0;
        for (long m = START / M - 360; m < START / M; m++) {
            int errors = m % 50 == 0 ? 1 : 0;
            errorsBefore += errors;
            rows.add(views("shop", "country", "FR", m, 50, errors)); // 7 in 18,000
        }
        for (long m = START / M; m < START / M + 30; m++) {
            rows.add(views("shop", "country", "FR", m, 10, m % 10 == 0 ? 1 : 0)); // 3 in 300
        }
        IncidentTruth t = truth("error_spike", "country", "FR", IncidentTruth.ERROR_METRICS);

        IncidentEvidence.Finding f = IncidentEvidence.of(List.of(t), rows).get("i");

        assertEquals(7, errorsBefore);
        double lambda = 300 * (errorsBefore / 18_000.0);
        double tail = 1 - new PoissonDistribution(lambda).cumulativeProbability(2);
        assertEquals(-N.inverseCumulativeProbability(tail), f.z(), 1e-6);
        assertEquals("shop|country|FR", f.series());
        assertEquals("error_rate", f.metric());
    }

    @Test
    void aSampledAppCountsWhatWasReceivedNotTheWeightedCounts() {
        // One view in four is sent: the weighted 40 views and 4 errors a window are 10 and 1.
        MetricAggregate before = views("news", "all", "*", 0, 40, 4);
        before.samples = 10;
        MetricAggregate during = views("news", "all", "*", 1, 40, 4);
        during.samples = 10;

        double z = IncidentEvidence.rateRise("error_rate", List.of(before), List.of(during));

        double tail = 1 - new PoissonDistribution(1.0).cumulativeProbability(0);
        assertEquals(-N.inverseCumulativeProbability(tail), z, 1e-9);
    }

    @Test
    void tailsBeyondWhatOneMinusTheCdfHoldsAreSummedInLogSpace() {
        // Where 1 - cdf still holds digits (a tail of ~1e-10), both agree.
        double poisson = 1 - new PoissonDistribution(10).cumulativeProbability(34);
        assertEquals(Math.log(poisson), IncidentEvidence.poissonUpperLogTail(35, 10), 1e-6);
        double binomial = new BinomialDistribution(200, 0.85).cumulativeProbability(140);
        assertEquals(
                Math.log(binomial), IncidentEvidence.binomialLowerLogTail(140, 200, 0.85), 1e-6);
        // Where it holds none (Commons Math returns 0 for both), the log tail is finite, each
        // term counted once: at least the first term, at most it over the ratio of the next ones.
        assertEquals(0.0, new BinomialDistribution(533, 0.85).cumulativeProbability(368));
        double first = new BinomialDistribution(533, 0.85).logProbability(368);
        double log = IncidentEvidence.binomialLowerLogTail(368, 533, 0.85);
        assertTrue(log >= first && log < first + Math.log(2), log + " vs " + first);
        // z grows with the evidence instead of stopping at one cap: 85 fewer good values of 533
        // at 85 % is ~10 standard errors; twice the shortfall is further out.
        double z1 = IncidentEvidence.zOfLogTail(log);
        double z2 =
                IncidentEvidence.zOfLogTail(IncidentEvidence.binomialLowerLogTail(283, 533, 0.85));
        assertTrue(z1 > 9 && z1 < 11, "z " + z1);
        assertTrue(z2 > z1 + 5, z2 + " vs " + z1);
        // Below 1e-15 the asymptote continues the normal quantile smoothly, and agrees with it
        // where both hold (1e-12 and 1e-15: z 7.03 and 7.94).
        double b = IncidentEvidence.ASYMPTOTE_BELOW;
        assertEquals(
                IncidentEvidence.zOfLogTail(b + 1e-9), IncidentEvidence.zOfLogTail(b - 1e-9), 0.02);
        assertEquals(7.941, IncidentEvidence.zOfLogTail(b - 1e-9), 0.02);
        assertEquals(
                -N.inverseCumulativeProbability(1e-12),
                IncidentEvidence.zOfLogTail(Math.log(1e-12)),
                1e-9);
        assertEquals(-IncidentEvidence.Z_CAP, IncidentEvidence.zOfLogTail(0));
    }

    @Test
    void noFailureInTheIncidentIsEvidenceAgainstIt() {
        double z =
                IncidentEvidence.rateRise(
                        "error_rate",
                        List.of(views("a", "all", "*", 0, 100, 5)),
                        List.of(views("a", "all", "*", 1, 100, 0)));
        assertEquals(-IncidentEvidence.Z_CAP, z);
    }

    @Test
    void aGoodShareFallIsTheExactBinomialLowerTailAtTheShareBefore() {
        MetricAggregate before = row("shop", "browser", "Firefox", 0);
        before.cls.count = 1000;
        before.clsRatings.goodShare = 0.85;
        MetricAggregate during = row("shop", "browser", "Firefox", 1);
        during.cls.count = 200;
        during.clsRatings.goodShare = 0.7; // 140 good

        double z =
                IncidentEvidence.goodShareFall("cls_good_share", List.of(before), List.of(during));

        double tail = new BinomialDistribution(200, 0.85).cumulativeProbability(140);
        assertEquals(-N.inverseCumulativeProbability(tail), z, 1e-9);
        assertTrue(z > 5, "30 fewer good in 200 at 85 % is far out: " + z);
    }

    @Test
    void aPercentileRiseIsTheShiftOfTheMeanLogInStandardErrorsOfTheWindowsBefore() {
        List<MetricAggregate> before = new ArrayList<>();
        double[] values = {900, 1100, 1000, 950, 1050, 1000, 980, 1020, 1000, 1000, 1010, 990};
        for (int i = 0; i < values.length; i++) {
            MetricAggregate r = row("shop", "route", "/cart", i);
            r.load.p50 = values[i];
            before.add(r);
        }
        List<MetricAggregate> during = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            MetricAggregate r = row("shop", "route", "/cart", 20 + i);
            r.load.p50 = 1500.0;
            during.add(r);
        }

        double z = IncidentEvidence.percentileRise("load_p50", before, during);

        double mean = 0;
        for (double v : values) mean += Math.log(v + 1);
        mean /= values.length;
        double ss = 0;
        for (double v : values) ss += Math.pow(Math.log(v + 1) - mean, 2);
        double sd = Math.sqrt(ss / (values.length - 1));
        double expected = (Math.log(1501) - mean) / (sd * Math.sqrt(1 / 4.0 + 1.0 / values.length));
        assertEquals(expected, z, 1e-9);
    }

    @Test
    void tooFewWindowsBeforeGiveNoPercentileVerdict() {
        List<MetricAggregate> before = new ArrayList<>();
        for (int i = 0; i < IncidentEvidence.MIN_WINDOWS_BEFORE - 1; i++) {
            MetricAggregate r = row("shop", "route", "/cart", i);
            r.load.p50 = 1000.0 + i;
            before.add(r);
        }
        MetricAggregate during = row("shop", "route", "/cart", 30);
        during.load.p50 = 5000.0;
        assertTrue(
                Double.isNaN(IncidentEvidence.percentileRise("load_p50", before, List.of(during))));
    }

    @Test
    void aTrafficDropIsTheSegmentsShareOfItsAppsViewsWidenedByTheDispersionBefore() {
        TreeMap<Long, MetricAggregate> app = new TreeMap<>();
        TreeMap<Long, MetricAggregate> seg = new TreeMap<>();
        for (long m = 0; m < 20; m++) {
            app.put(m * M, views("shop", "all", "*", m, 100, 0));
            // 6 and 14 views in turn: share 0.1 with more spread than a binomial split
            seg.put(m * M, views("shop", "country", "GB", m, m % 2 == 0 ? 6 : 14, 0));
        }
        for (long m = 20; m < 30; m++) {
            app.put(m * M, views("shop", "all", "*", m, 100, 0));
            if (m % 5 == 0) {
                seg.put(m * M, views("shop", "country", "GB", m, 10, 0)); // 20 of 1,000; no row: 0
            }
        }

        double z = IncidentEvidence.shareDrop(seg, app, 0, 20 * M, 30 * M);

        double dispersion = (16 / (100 * 0.1 * 0.9)); // each window's residual is +-4
        double expected = (100 - 20) / Math.sqrt(dispersion * 0.1 * 0.9 * 1000);
        assertEquals(expected, z, 1e-9);
    }

    @Test
    void theSeriesAreTheSegmentTheEndpointAndTheAppTotalOfTheIncidentsApp() {
        List<MetricAggregate> rows = new ArrayList<>();
        for (long m = START / M - 60; m < START / M + 30; m++) {
            boolean during = m >= START / M;
            // The route template's series (the job names {slug} as :slug), the app total, an
            // endpoint, another route and another app: the failures only on the endpoint.
            for (String[] s :
                    new String[][] {
                        {"shop", "route", "/search"},
                        {"shop", "all", "*"},
                        {"shop", "endpoint", "GET /api/v2/suggest"},
                        {"shop", "route", "/cart"},
                        {"news", "all", "*"},
                    }) {
                MetricAggregate r = row(s[0], s[1], s[2], m);
                r.events = 20;
                r.samples = 20;
                r.fetches = 20;
                boolean failing = during && s[1].equals("endpoint");
                r.fetchErrorRate = failing ? 0.5 : 0.01;
                rows.add(r);
            }
        }
        IncidentTruth t =
                new IncidentTruth(
                        "i",
                        "api_failure",
                        "shop",
                        "route",
                        "/search",
                        null,
                        0.5,
                        List.of(
                                "fetch.status",
                                IncidentTruth.ENDPOINT_PREFIX + "GET /api/v2/suggest?q={slug}"),
                        START,
                        START + 30 * M);

        IncidentEvidence.Finding f = IncidentEvidence.of(List.of(t), rows).get("i");

        assertEquals("shop|endpoint|GET /api/v2/suggest", f.series());
        assertEquals("fetch_error_rate", f.metric());
        assertTrue(f.z() > 30, "300 failures at 1 %: " + f.z());
        assertTrue(IncidentEvidence.concerns(t, rows.get(0)));
        assertTrue(IncidentEvidence.concerns(t, rows.get(1)));
        assertFalse(IncidentEvidence.concerns(t, rows.get(3)), "another route");
        assertFalse(IncidentEvidence.concerns(t, rows.get(4)), "another app");
    }

    @Test
    void anIncidentWithoutRowsHasNoEvidence() {
        IncidentTruth t = truth("error_spike", "country", "FR", IncidentTruth.ERROR_METRICS);
        assertTrue(Double.isNaN(IncidentEvidence.of(List.of(t), List.of()).get("i").z()));
    }

    @Test
    void theSummaryCountsTheIncidentsAboveTheThresholdAndNamesTheMisses() {
        IncidentTruth found = EvaluationTest.incident("found", "FR", 100);
        IncidentTruth missed = EvaluationTest.incident("missed", "DE", 300);
        IncidentMatcher.Result result =
                IncidentMatcher.match(
                        List.of(found, missed),
                        List.of(EvaluationTest.alert("a", "FR", 102)),
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(5));
        Evaluation.Run run =
                new Evaluation.Run(
                        "x.yaml",
                        1,
                        1,
                        result,
                        0,
                        0,
                        Map.of(
                                "found",
                                        new IncidentEvidence.Finding(
                                                9, "shop|country|FR", "error_rate"),
                                "missed",
                                        new IncidentEvidence.Finding(
                                                4.2, "shop|country|DE", "error_rate")));

        // A file without incidents (none.yaml) has no evidence and does not hide the others'.
        Evaluation.Run quiet =
                new Evaluation.Run(
                        "none.yaml", 1, 1, new IncidentMatcher.Result(List.of(), List.of()), 0, 0);
        String s = Evaluation.evidenceSummary(List.of(run, quiet), 5.3);

        assertTrue(
                s.startsWith(
                        "evidence: 1/2 incidents show z >= 5.30 in their own series (a test that"
                                + " knows where and when); alerted 1 of those, and 0 of the others\n"),
                s);
        assertTrue(
                s.contains(
                        "missed x.yaml seed 1 missed: evidence z 4.2 (error_rate on shop|country|DE)"),
                s);
        assertEquals(
                null,
                Evaluation.evidenceSummary(
                        List.of(new Evaluation.Run("x.yaml", 1, 1, result, 0, 0)), 5.3),
                "no evidence read: no summary");
        assertEquals(null, Evaluation.evidenceSummary(List.of(quiet), 5.3), "no incident at all");
    }
}
