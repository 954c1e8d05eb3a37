package io.beaconflow.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pins the detector's observable bytes before and after restructuring (the project's "golden tests
 * first" rule): every {@link PointResult}, the final {@link DetectorState} (every public field) and
 * the spec's identity text (which state fingerprints tie state to), for specs that together use
 * every knob: the shipped kinds' settings (proportion with pooled rates and min_events, log latency
 * with a capped evidence ring and visitors, sqrt throughput on weekly slots), static budgets, the
 * drift test, exact counts, anchored scales, novelty, the fast smoother, robust seasonal slots in a
 * daylight-saving zone and the count scorer. The series carry incidents, a ramp, thin windows and
 * invalid points, so every path of {@link Detector#update} is taken. A change in behaviour changes
 * the hash; a change in structure must not.
 */
class DetectorGoldenTest {
    private static final long T0 = 1_709_251_200_000L; // 2024-03-01T00:00Z
    private static final long MINUTE = 60_000;
    private static final int POINTS = 3 * 1440;

    static Map<String, DetectorSpec> specs() {
        Map<String, DetectorSpec> m = new LinkedHashMap<>();
        DetectorSpecBuilder errorRate =
                DetectorSpec.builder()
                        .kind(MetricKind.ERROR_RATE)
                        .direction(Direction.UP)
                        .evidenceWindows(32)
                        .evidencePooledRate(true)
                        .minVolume(20)
                        .minAbsChange(0.01)
                        .minRelChange(0.5)
                        .relearnAfter(60)
                        .robustZ(2.5)
                        .baselineMinEvents(30)
                        .freezeWhileOpen(true)
                        .staticExpected(0.01)
                        .staticUpper(0.05)
                        .triggerPoints(2)
                        .clearPoints(3)
                        .cooldownPoints(10);
        m.put("error_rate", errorRate.build());
        m.put(
                "error_rate_anchored_drift",
                errorRate
                        .evidenceAnchored(true)
                        .driftReferenceAlpha(0.005)
                        .driftLevelAlpha(0.1)
                        .build());
        DetectorSpecBuilder latency =
                DetectorSpec.builder()
                        .kind(MetricKind.LATENCY)
                        .direction(Direction.UP)
                        .transform(Transform.LOG)
                        .logOffset(1)
                        .evidenceWindows(16)
                        .evidenceCap(2.5)
                        .minVolume(20)
                        .minRelChange(0.2)
                        .minAbsChange(250)
                        .minSessions(5)
                        .sdFloor(0.05)
                        .relearnAfter(60)
                        .robustZ(2.5)
                        .freezeWhileOpen(true)
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .slotMinutes(60)
                        .triggerPoints(2)
                        .cooldownPoints(10);
        m.put("lcp_p75", latency.build());
        m.put(
                "lcp_p75_drift_anchored",
                latency.evidenceAnchored(true)
                        .driftReferenceAlpha(0.005)
                        .driftMinRelChange(0.3)
                        .build());
        m.put(
                "lcp_p75_robust_slots_berlin",
                latency.robust(true)
                        .pooledSpread(true)
                        .robustWindow(7)
                        .minSeasons(1)
                        .timeZone(ZoneId.of("Europe/Berlin"))
                        .build());
        DetectorSpecBuilder throughput =
                DetectorSpec.builder()
                        .kind(MetricKind.THROUGHPUT)
                        .scorer(ScorerKind.GAUSSIAN)
                        .transform(Transform.SQRT)
                        .sdFloor(1)
                        .minVolume(20)
                        .minRelChange(0.3)
                        .relearnAfter(60)
                        .robustZ(2.5)
                        .freezeWhileOpen(true)
                        .seasonalPeriod(SeasonalPeriod.WEEK)
                        .minSeasons(1)
                        .triggerPoints(2)
                        .cooldownPoints(10);
        m.put("page_views", throughput.build());
        m.put(
                "page_views_exact_evidence_down",
                throughput
                        .exactCounts(true)
                        .evidenceWindows(8)
                        .evidenceDirection(Direction.DOWN)
                        .build());
        m.put(
                "count_scorer",
                DetectorSpec.builder()
                        .kind(MetricKind.THROUGHPUT)
                        .scorer(ScorerKind.COUNT)
                        .minVolume(5)
                        .staticLower(10)
                        .staticUpper(5000)
                        .build());
        m.put(
                "good_share_down",
                DetectorSpec.builder()
                        .kind(MetricKind.LATENCY)
                        .scorer(ScorerKind.PROPORTION)
                        .direction(Direction.DOWN)
                        .minVolume(50)
                        .minAbsChange(0.1)
                        .minRelChange(0.15)
                        .staticLower(0.3)
                        .evidenceWindows(4)
                        .build());
        m.put(
                "generic_novelty_smoothing",
                DetectorSpec.builder()
                        .zThreshold(3)
                        .allowNegative(true)
                        .noveltyHalfLife(500)
                        .noveltyRatio(1.1)
                        .smoothingAlpha(0.2)
                        .anomalyWeight(0.1)
                        .sdFloorRel(0.01)
                        .minPoints(10)
                        .build());
        // Last, so the specs above keep their seeds.
        m.put("lcp_p75_body", m.get("lcp_p75").toBuilder().bodyShare(0.5).build());
        return m;
    }

    /** One series per spec: a daily cycle, a spike, an outage, a ramp, thin windows, bad points. */
    static List<double[]> series(DetectorSpec spec, long seed) {
        Random r = new Random(seed);
        Random bodyNoise = new Random(seed + 1);
        List<double[]> points = new ArrayList<>(); // {t, value, denominator, sessions, median}
        long t = T0;
        for (int i = 0; i < POINTS; i++, t += MINUTE) {
            double day = Math.sin(2 * Math.PI * (i % 1440) / 1440.0);
            double views = Math.max(0, (i % 97 == 0 ? 3 : 150 + 100 * day) + 10 * r.nextGaussian());
            double spike = i >= 2000 && i < 2040 ? 1 : 0;
            double outage = i >= 2600 && i < 2660 ? 1 : 0;
            double ramp = i >= 3400 && i < 3800 ? (i - 3400) / 400.0 : i >= 3800 ? 1 : 0;
            double value;
            double denominator = Math.round(views);
            switch (spec.scorer()) {
                case PROPORTION -> {
                    double p =
                            spec.direction() == Direction.DOWN
                                    ? 0.8 - 0.4 * spike - 0.2 * ramp
                                    : 0.02 + 0.1 * spike + 0.03 * ramp;
                    long events = 0;
                    for (int k = 0; k < denominator; k++) {
                        events += r.nextDouble() < p ? 1 : 0;
                    }
                    value = denominator > 0 ? events / denominator : 0;
                }
                case COUNT -> {
                    value = Math.round(views * (1 - 0.9 * outage) + 20 * spike);
                    denominator = Double.NaN;
                }
                default -> {
                    if (spec.kind() == MetricKind.THROUGHPUT) {
                        value = Math.round(views * (1 - 0.8 * outage));
                        denominator = Double.NaN;
                    } else {
                        value =
                                (1200 + 200 * day)
                                        * Math.exp(0.15 * r.nextGaussian())
                                        * (1 + 1.5 * spike + 1.5 * ramp);
                        if (spec.allowNegative()) {
                            value -= 1300;
                        }
                    }
                }
            }
            long sessions = r.nextLong() & (i % 13 == 0 ? 0x3L : -1L);
            double body = Double.NaN;
            if (spec.bodyShare() > 0) {
                // The median under the p75 (its own draws, so the other series keep theirs); every
                // 211th window a tail spike: the p75 triples and the median stays.
                body = value / Math.exp(0.3 + 0.05 * bodyNoise.nextGaussian());
                value *= i % 211 == 0 ? 3 : 1;
            }
            points.add(new double[] {t, value, denominator, sessions, body});
            if (i % 500 == 7) {
                points.add(new double[] {t, value, denominator, sessions, body}); // duplicate
                points.add(new double[] {t + 1, Double.NaN, denominator, sessions, body});
                points.add(new double[] {t + 2, value, 0, sessions, body});
            }
        }
        return points;
    }

    static String digest(DetectorSpec spec, long seed) throws Exception {
        Detector d = new Detector(spec);
        DetectorState s = d.newState();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(spec.toString().getBytes(StandardCharsets.UTF_8));
        int alerts = 0;
        for (double[] p : series(spec, seed)) {
            PointResult r = d.update(s, (long) p[0], p[1], p[2], (long) p[3], p[4]);
            alerts += r.alertOpened() ? 1 : 0;
            md.update(r.toString().getBytes(StandardCharsets.UTF_8));
        }
        md.update(state(s).getBytes(StandardCharsets.UTF_8));
        return alerts + " " + HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    static String state(DetectorState s) throws IllegalAccessException {
        StringBuilder b = new StringBuilder();
        for (Field f : DetectorState.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Object v = f.get(s);
            String text =
                    v instanceof double[] a
                            ? Arrays.toString(a)
                            : v instanceof long[] a ? Arrays.toString(a) : String.valueOf(v);
            b.append(f.getName()).append('=').append(text).append('\n');
        }
        return b.toString();
    }

    @Test
    void everyPointResultTheFinalStateAndTheSpecIdentityStayByteForByteTheSame() throws Exception {
        Map<String, String> digests = new LinkedHashMap<>();
        long seed = 1;
        for (Map.Entry<String, DetectorSpec> e : specs().entrySet()) {
            digests.put(e.getKey(), digest(e.getValue(), seed++));
            // toBuilder carries every knob back (the sections too): the same identity.
            assertThat(e.getValue().toBuilder().build()).hasToString(e.getValue().toString());
        }
        assertThat(digests).containsExactlyEntriesOf(GOLDEN);
    }

    /**
     * Per spec: its name, the alerts it opened and the first 16 hex digits of the SHA-256, recorded
     * before the split.
     */
    private static final Map<String, String> GOLDEN = new LinkedHashMap<>();

    static {
        String recorded =
                """
            error_rate 2 3badf5536bdcc53e
            error_rate_anchored_drift 7 5f0289c3b4d7545c
            lcp_p75 2 29fef7fd55243afc
            lcp_p75_drift_anchored 3 27b4a1a1b2cf113b
            lcp_p75_robust_slots_berlin 19 c707dd1ef8c5962e
            page_views 2 83cc8f7cd7df4ba0
            page_views_exact_evidence_down 30 6cb59d4a208d257d
            count_scorer 41 c72720e734ecbde8
            good_share_down 1 48f89b4a1b05230c
            generic_novelty_smoothing 18 d44af37d8584ceaf
            lcp_p75_body 5 48c74db8b8918c18
                """;
        for (String line : recorded.strip().split("\n")) {
            String[] f = line.strip().split(" ", 2);
            GOLDEN.put(f[0], f[1]);
        }
    }
}
