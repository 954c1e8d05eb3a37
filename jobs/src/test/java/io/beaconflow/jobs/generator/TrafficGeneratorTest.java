package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.beaconflow.jobs.generator.GeneratedTraffic.Seen;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {
    private static final long SEED = 20261102L;
    private static GeneratorConfig demo;

    /** The shipped demo run (2 h, three incidents), all splits merged, parsed once. */
    private static List<RawBeacon> demoRecords;

    private static GenerationStats demoStats;
    private static List<Seen> demoEvents;
    private static int demoUnparseable;

    @BeforeAll
    static void generateDemoRun() {
        demo = GeneratedTraffic.shipped();
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(demo, SEED, demo.splits);
        demoRecords = new ArrayList<>();
        all.forEachRemaining(demoRecords::add);
        demoStats = all.stats();
        demoEvents = new ArrayList<>();
        for (RawBeacon r : demoRecords) {
            try {
                demoEvents.addAll(GeneratedTraffic.events(r));
            } catch (IOException e) {
                demoUnparseable++;
            }
        }
    }

    private static byte[] digest(TrafficGenerator g) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer header = ByteBuffer.allocate(20);
        while (g.hasNext()) {
            RawBeacon b = g.next();
            header.clear();
            header.putInt(b.partition).putLong(b.offset).putLong(b.receivedAt);
            md.update(header.array());
            md.update(b.payload);
        }
        return md.digest();
    }

    @Test
    void theSameConfigSeedAndSplitGiveByteIdenticalOutput() throws Exception {
        GeneratorConfig shortRun = demo.withDuration("20m");
        byte[] first = digest(new TrafficGenerator(shortRun, SEED, 1, 4));
        byte[] second = digest(new TrafficGenerator(shortRun.copy(), SEED, 1, 4));
        byte[] otherSeed = digest(new TrafficGenerator(shortRun, SEED + 1, 1, 4));
        byte[] otherSplit = digest(new TrafficGenerator(shortRun, SEED, 2, 4));
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(otherSplit).isNotEqualTo(first);
    }

    @Test
    void recordsArriveInCollectorOrderWithSplitOffsetsAndInsideTheRun() {
        long start = demo.startMillis();
        long end = demo.endMillis();
        Map<Integer, Long> nextOffset = new HashMap<>();
        long previous = Long.MIN_VALUE;
        for (RawBeacon r : demoRecords) {
            assertThat(r.source).isEqualTo("generator");
            assertThat(r.receivedAt).isBetween(start, end - 1).isGreaterThanOrEqualTo(previous);
            previous = r.receivedAt;
            long expected = nextOffset.getOrDefault(r.partition, 0L);
            assertThat(r.offset).isEqualTo(expected);
            nextOffset.put(r.partition, expected + 1);
        }
        assertThat(nextOffset.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat((long) demoRecords.size()).isEqualTo(demoStats.records());
    }

    @Test
    void skippingToAPositionContinuesWithTheIdenticalRemainder() throws Exception {
        GeneratorConfig shortRun = demo.withDuration("30m");
        TrafficGenerator uninterrupted = new TrafficGenerator(shortRun, SEED, 3, 4);
        List<RawBeacon> all = new ArrayList<>();
        uninterrupted.forEachRemaining(all::add);
        int cut = all.size() / 3;

        TrafficGenerator restored = new TrafficGenerator(shortRun, SEED, 3, 4);
        assertThat(restored.skip(cut)).isEqualTo(cut);
        List<RawBeacon> rest = new ArrayList<>();
        restored.forEachRemaining(rest::add);

        assertThat(rest).isEqualTo(all.subList(cut, all.size()));
        assertThat(restored.stats().toString()).isEqualTo(uninterrupted.stats().toString());
    }

    @Test
    void aWarmStartOpensOnASiteInSteadyStateAndSendsNothingBeforeTheStart() {
        GeneratorConfig warm =
                GeneratedTraffic.shipped().withDuration("20m").withIncidents(List.of());
        GeneratorConfig cold =
                GeneratedTraffic.shipped().withDuration("20m").withIncidents(List.of());
        warm.warmStart = "1h";
        cold.warmStart = "0s";
        long[] warmCounts = firstAndLastTenMinutes(warm);
        long[] coldCounts = firstAndLastTenMinutes(cold);
        // Cold, the first ten minutes hold only sessions that just started; warm, they also hold
        // the visits already under way, as the second ten minutes do.
        assertThat(coldCounts[0]).isLessThan(coldCounts[1] * 3 / 4);
        assertThat(warmCounts[0]).isGreaterThan(warmCounts[1] * 4 / 5); // the morning ramp
        assertThat(warmCounts[0]).isGreaterThan(coldCounts[0] * 3 / 2);
    }

    /** Records received in the first and in the second ten minutes; none before the start. */
    private static long[] firstAndLastTenMinutes(GeneratorConfig config) {
        long start = config.startMillis();
        long[] counts = new long[2];
        for (int split = 0; split < 4; split++) {
            TrafficGenerator g = new TrafficGenerator(config, SEED, split, 4);
            while (g.hasNext()) {
                RawBeacon b = g.next();
                assertThat(b.receivedAt).isGreaterThanOrEqualTo(start);
                counts[b.receivedAt < start + 600_000 ? 0 : 1]++;
            }
        }
        return counts;
    }

    @Test
    void anUnboundedGeneratorKeepsGoingPastTheConfiguredDuration() {
        GeneratorConfig endless = demo.withDuration("unbounded");
        TrafficGenerator g = new TrafficGenerator(endless, SEED, 0, 4);
        long threeHoursIn = demo.startMillis() + 3 * 3_600_000L;
        long records = 0;
        while (g.peekReceivedAt() < threeHoursIn) {
            g.next();
            records++;
        }
        assertThat(records).isGreaterThan(demoStats.records() / 4);
        assertThat(g.hasNext()).isTrue();
    }

    @Test
    void theCountersMatchWhatADownstreamScanOfThePayloadsFinds() {
        Map<String, Long> firstDeliveries = new TreeMap<>();
        Set<String> seenIds = new HashSet<>();
        long duplicates = 0;
        long bots = 0;
        for (Seen e : demoEvents) {
            if (!e.wellTyped()) continue;
            if (!seenIds.add(e.eventId())) {
                duplicates++;
                continue;
            }
            firstDeliveries.merge(e.type(), 1L, Long::sum);
            String ua = e.userAgent();
            if (ua.contains("bot") || ua.contains("Headless")) bots++;
        }
        // malformed records that still parse hold one event each with a fresh id
        long parseableMalformed = demoStats.malformedRecords() - demoUnparseable;
        long wellFormedFirst = firstDeliveries.values().stream().mapToLong(Long::longValue).sum();

        assertThat(duplicates).isEqualTo(demoStats.duplicateEvents());
        assertThat(wellFormedFirst)
                .isBetween(demoStats.uniqueEvents(), demoStats.uniqueEvents() + parseableMalformed);
        assertThat(demoStats.eventsByType().keySet())
                .containsExactlyInAnyOrder("page_view", "web_vital", "fetch", "error", "action");
        assertThat(bots).isEqualTo(demoStats.botEvents());
        assertThat(demoStats.duplicateRecords()).isPositive();
        assertThat(demoStats.lateRecords()).isPositive();
        assertThat(demoStats.skewedSessions()).isPositive();
        assertThat(demoStats.longSessions()).isPositive();
        assertThat(demoStats.idleResumeSessions()).isPositive();
        assertThat(demoStats.sessionsSampledOut()).isPositive();
        assertThat(demoStats.malformedByKind()).hasSize(MalformedKind.values().length);
    }

    @Test
    void everyRecordExceptTheInjectedMalformedOnesValidatesAgainstTheSchema() throws Exception {
        Schema schema =
                SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                        .getSchema(Files.readString(GeneratedTraffic.SCHEMA), InputFormat.JSON);
        TrafficGenerator.Merged run =
                TrafficGenerator.generateAll(demo.withDuration("15m"), SEED, demo.splits);
        ObjectMapper json = new ObjectMapper();
        long valid = 0;
        long invalid = 0;
        while (run.hasNext()) {
            byte[] payload = run.next().payload;
            boolean ok;
            try {
                String text =
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .decode(ByteBuffer.wrap(payload))
                                .toString();
                List<Error> errors = schema.validate(json.readTree(text));
                ok = errors.isEmpty();
            } catch (IOException e) { // includes CharacterCodingException
                ok = false;
            }
            if (ok) valid++;
            else invalid++;
        }
        GenerationStats stats = run.stats();
        assertThat(invalid).isEqualTo(stats.malformedRecords()).isPositive();
        assertThat(valid).isEqualTo(stats.records() - stats.malformedRecords());
    }

    @Test
    void moreSessionsStartAtTheEveningPeakThanAtNight() throws IOException {
        GeneratorConfig day = demo.withIncidents(List.of()).withStart("2026-11-03T00:00:00Z");
        day = day.withDuration("24h");
        day.apps.get(0).sessionsPerHour = 400;
        day.apps.get(1).sessionsPerHour = 1; // keep the run about one app
        day.validate();
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Map<String, Integer> firstHour = new HashMap<>();
        TrafficGenerator.Merged run = TrafficGenerator.generateAll(day, SEED, 2);
        while (run.hasNext()) {
            RawBeacon raw = run.next();
            List<Seen> events;
            try {
                events = GeneratedTraffic.events(raw);
            } catch (IOException malformed) {
                continue;
            }
            for (Seen e : events) {
                if (e.type().equals("page_view") && e.app().equals("shop-web")) {
                    int hour = Instant.ofEpochMilli(e.receivedAt()).atZone(berlin).getHour();
                    firstHour.putIfAbsent(e.sessionId(), hour);
                }
            }
        }
        int[] perHour = new int[24];
        firstHour.values().forEach(h -> perHour[h]++);
        int evening = perHour[19] + perHour[20];
        int night = perHour[3] + perHour[4];
        assertThat(evening).isGreaterThan(600);
        assertThat(evening).isGreaterThan(8 * night);
        assertThat(night).isPositive();
    }

    @Test
    void theLatencyRegressionTriplesTheProductRouteOnTheNewReleaseOnlyInsideItsWindow() {
        IncidentTruth truth = incident("product-latency-after-release");
        List<Double> before = new ArrayList<>();
        List<Double> inside = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        List<Double> otherRouteBefore = new ArrayList<>();
        List<Double> otherRouteInside = new ArrayList<>();
        for (Seen e : demoEvents) {
            if (!"LCP".equals(e.vitalName()) || !e.app().equals("shop-web")) continue;
            if (e.userAgent().contains("bot") || e.userAgent().contains("Headless")) continue;
            boolean product = e.path().matches("/product/\\d+");
            boolean category = e.path().startsWith("/category/");
            long t = e.receivedAt();
            if (product && t < truth.startMillis()) before.add(e.value());
            if (product
                    && e.release().equals("shop-web@2.4.0")
                    && t >= truth.startMillis() + 60_000
                    && t < truth.endMillis()) inside.add(e.value());
            if (product && t >= truth.endMillis() + 300_000) after.add(e.value());
            if (category && t < truth.startMillis()) otherRouteBefore.add(e.value());
            if (category && truth.contains(t)) otherRouteInside.add(e.value());
        }
        double base = GeneratedTraffic.p75(before);
        assertThat(inside.size()).isGreaterThan(300);
        assertThat(GeneratedTraffic.p75(inside) / base).isBetween(2.6, 3.4);
        assertThat(GeneratedTraffic.p75(after) / base).isBetween(0.85, 1.15);
        assertThat(GeneratedTraffic.p75(otherRouteInside) / GeneratedTraffic.p75(otherRouteBefore))
                .isBetween(0.85, 1.15);
        assertThat(demoStats.incidentAffected().get(truth.id())).isGreaterThan(1000);
    }

    @Test
    void theErrorSpikeHitsSafariOnlyInsideItsWindow() {
        IncidentTruth truth = incident("safari-error-spike");
        long[] safariViews = new long[2];
        long[] safariErrors = new long[2];
        long[] chromeViews = new long[2];
        long[] chromeErrors = new long[2];
        long incidentErrors = 0;
        for (Seen e : demoEvents) {
            if (!e.app().equals("shop-web")) continue;
            int in = truth.contains(e.receivedAt()) ? 1 : 0;
            boolean safari = GeneratedTraffic.isSafari(e.userAgent());
            boolean chrome = GeneratedTraffic.isDesktopOrMobileChrome(e.userAgent());
            if (e.type().equals("page_view")) {
                if (safari) safariViews[in]++;
                if (chrome) chromeViews[in]++;
            } else if (e.type().equals("error")) {
                if (safari) safariErrors[in]++;
                if (chrome) chromeErrors[in]++;
                if (e.message().contains("canMakePayments")) {
                    incidentErrors++;
                    assertThat(safari).as(e.userAgent()).isTrue();
                    // sent at most a batch delay plus a retry after the window
                    assertThat(e.receivedAt())
                            .isBetween(truth.startMillis(), truth.endMillis() + 5 * 60_000);
                }
            }
        }
        double safariInside = (double) safariErrors[1] / safariViews[1];
        double safariOutside = (double) safariErrors[0] / safariViews[0];
        double chromeInside = (double) chromeErrors[1] / chromeViews[1];
        assertThat(safariInside).isBetween(0.2, 0.35);
        assertThat(safariOutside).isLessThan(0.05);
        assertThat(chromeInside).isLessThan(0.05);
        assertThat(incidentErrors)
                .isGreaterThanOrEqualTo(demoStats.incidentAffected().get(truth.id()));
    }

    @Test
    void theTrafficDropCutsGermanSessionsOnlyInsideItsWindow() {
        IncidentTruth truth = incident("germany-traffic-drop");
        Map<String, long[]> firstSeen = new HashMap<>();
        for (Seen e : demoEvents) {
            if (e.app().equals("shop-web") && e.type().equals("page_view")) {
                firstSeen.putIfAbsent(
                        e.sessionId(),
                        new long[] {e.receivedAt(), e.country().equals("DE") ? 1 : 0});
            }
        }
        long window = truth.endMillis() - truth.startMillis();
        long[] inside = new long[2];
        long[] before = new long[2];
        for (long[] s : firstSeen.values()) {
            int de = (int) s[1];
            if (truth.contains(s[0])) inside[de]++;
            else if (s[0] >= truth.startMillis() - window && s[0] < truth.startMillis()) {
                before[de]++;
            }
        }
        double shareBefore = (double) before[1] / before[0];
        double shareInside = (double) inside[1] / inside[0];
        assertThat(before[1]).isGreaterThan(100);
        assertThat(shareInside / shareBefore).isBetween(0.1, 0.35);
        assertThat(demoStats.incidentAffected().get(truth.id())).isGreaterThan(100);
    }

    @Test
    void rageClickBurstsHaveThreeOrMoreClicksOnOneTargetWithinOneSecond() {
        Map<String, List<Seen>> clicksBySessionTarget = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (Seen e : demoEvents) {
            if (e.type().equals("action") && ids.add(e.eventId())) {
                clicksBySessionTarget
                        .computeIfAbsent(e.sessionId() + "|" + e.target(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        long bursts = 0;
        for (List<Seen> clicks : clicksBySessionTarget.values()) {
            clicks.sort((a, b) -> Long.compare(a.occurredAt(), b.occurredAt()));
            int i = 0;
            while (i + 2 < clicks.size()) {
                if (clicks.get(i + 2).occurredAt() - clicks.get(i).occurredAt() < 1000) {
                    bursts++;
                    long first = clicks.get(i).occurredAt();
                    while (i < clicks.size() && clicks.get(i).occurredAt() - first < 1000) i++;
                } else {
                    i++;
                }
            }
        }
        assertThat(demoStats.rageClickBursts()).isGreaterThan(100);
        // a burst cut by the run's end may lose clicks; random clicks rarely look like a burst
        // (three ordinary clicks on one target within a second: measured 1-1.5 % of the bursts)
        assertThat(bursts)
                .isBetween(
                        demoStats.rageClickBursts() - 5, demoStats.rageClickBursts() * 102 / 100);
    }

    @Test
    void urlsCarryIdsAndSecretsForRouteNormalizationToRemove() {
        Set<String> seen = new HashSet<>();
        for (Seen e : demoEvents) {
            String url = e.pageUrl();
            if (url.matches(
                    ".*/order/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/.*")) {
                seen.add("uuid");
            }
            if (url.matches(".*/account/[a-z]+\\.[a-z]+\\d+@[a-z.]+/settings")) seen.add("email");
            if (url.matches(".*/assets/invoice/[0-9a-f]{40}\\.pdf.*")) seen.add("sha");
            if (url.contains("email=") && url.contains("%40")) seen.add("email-in-query");
            if (url.matches(".*/product/\\d+(\\?.*)?")) seen.add("id");
        }
        assertThat(seen).containsExactlyInAnyOrder("uuid", "email", "sha", "email-in-query", "id");
    }

    @Test
    void theGroundTruthListsEachIncidentWithItsWindowAndExportsAsJson() {
        List<IncidentTruth> truths = TrafficGenerator.truths(demo);
        long start = demo.startMillis();
        assertThat(truths)
                .extracting(IncidentTruth::kind)
                .containsExactly("latency_regression", "error_spike", "traffic_drop");
        IncidentTruth latency = truths.get(0);
        assertThat(latency.startMillis()).isEqualTo(start + 30 * 60_000);
        assertThat(latency.endMillis()).isEqualTo(start + 70 * 60_000);
        assertThat(latency.metrics()).contains("web_vital.LCP");
        for (IncidentTruth t : truths) {
            assertThat(t.endMillis()).isLessThanOrEqualTo(demo.endMillis());
        }
        String json = IncidentTruth.toJson(truths);
        assertThat(json).contains("\"start_millis\" : " + latency.startMillis());
        assertThat(json).contains("\"value\" : \"/product/{id}\"");
    }

    private static IncidentTruth incident(String id) {
        return TrafficGenerator.truths(demo).stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .orElseThrow();
    }
}
