package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.RumEvents.T0;
import static io.beaconflow.jobs.metrics.RumEvents.bot;
import static io.beaconflow.jobs.metrics.RumEvents.fetch;
import static io.beaconflow.jobs.metrics.RumEvents.jsError;
import static io.beaconflow.jobs.metrics.RumEvents.pageView;
import static io.beaconflow.jobs.metrics.RumEvents.sampled;
import static io.beaconflow.jobs.metrics.RumEvents.vital;
import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The window operator exactly as {@link MetricStage} builds it (taken from the stream graph),
 * driven with explicit watermarks. Events go through {@link SeriesFanOut} first, as in the job.
 */
class MetricWindowOperatorTest {
    private static final long MIN = 60_000;
    private static final long LATENESS = Duration.ofMinutes(5).toMillis();
    private static final String TOTAL = "shop|all|*|" + T0;
    private static final String ROUTE = "shop|route|/products/:id|" + T0;

    private KeyedOneInputStreamOperatorTestHarness<String, Object, MetricAggregate> harness;
    private OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> preAggregator;
    private MetricsConfig config;
    private long checkpoint;

    static MetricsConfig routeOnly(boolean twoPhase) {
        MetricsConfig c = new MetricsConfig();
        c.dimensions = List.of("route");
        c.allowedLateness = Duration.ofMillis(LATENESS);
        c.preAggregate = twoPhase;
        return c;
    }

    void open(MetricsConfig c) throws Exception {
        open(c, null);
    }

    /**
     * One-phase: samples go straight to the window. Two-phase: through a {@link
     * LocalPreAggregator}, flushed after each {@link #send} call (as a checkpoint barrier or
     * watermark would), then its partials go to the window.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void open(MetricsConfig c, OperatorSubtaskState restore) throws Exception {
        config = c;
        KeySelector key =
                c.preAggregate
                        ? new MetricStage.PartialKeySelector()
                        : new MetricStage.SeriesKeySelector();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<String, Object, MetricAggregate>(
                        windowOperatorOf(c), key, Types.STRING);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        if (c.preAggregate) {
            preAggregator =
                    new OneInputStreamOperatorTestHarness<>(
                            new LocalPreAggregator(MIN, c.sketchRelativeAccuracy));
            preAggregator.open();
        }
    }

    /** The window operator from the graph {@link MetricStage#apply} builds. */
    @SuppressWarnings("unchecked")
    static OneInputStreamOperator<Object, MetricAggregate> windowOperatorOf(MetricsConfig c) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        MetricStage.apply(env.fromData(pageView(T0, 1)), c).sinkTo(new DiscardingSink());
        for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
            if (MetricStage.UID.equals(node.getTransformationUID())) {
                return (OneInputStreamOperator<Object, MetricAggregate>)
                        ((SimpleOperatorFactory<?>) node.getOperatorFactory()).getOperator();
            }
        }
        throw new AssertionError("no operator with uid " + MetricStage.UID);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (preAggregator != null) {
            preAggregator.close();
        }
    }

    void send(RumEvent... events) throws Exception {
        for (RumEvent e : events) {
            List<SeriesSample> samples = new ArrayList<>();
            SeriesFanOut.emit(
                    e,
                    config.dimensionList().toArray(new Dimension[0]),
                    new ListCollector<>(samples));
            for (SeriesSample s : samples) {
                if (preAggregator != null) {
                    preAggregator.processElement(s, e.eventTime);
                } else {
                    harness.processElement(s, e.eventTime);
                }
            }
        }
        if (preAggregator != null) {
            preAggregator.prepareSnapshotPreBarrier(++checkpoint);
            forwardPartials();
        }
    }

    @SuppressWarnings("unchecked")
    private void forwardPartials() throws Exception {
        for (Object o : preAggregator.getOutput()) {
            if (o instanceof StreamRecord) {
                StreamRecord<PartialAggregate> r = (StreamRecord<PartialAggregate>) o;
                harness.processElement(r.getValue(), r.getTimestamp());
            }
        }
        preAggregator.getOutput().clear();
    }

    void watermark(long t) throws Exception {
        if (preAggregator != null) {
            preAggregator.processWatermark(new Watermark(t));
            forwardPartials();
        }
        harness.processWatermark(new Watermark(t));
    }

    List<MetricAggregate> rows() {
        return new ArrayList<>(harness.extractOutputValues());
    }

    MetricAggregate row(String id, int seq) {
        List<MetricAggregate> matches =
                rows().stream()
                        .filter(r -> r.id.equals(id) && r.updateSeq == seq)
                        .collect(Collectors.toList());
        assertThat(matches).as("rows %s seq %d", id, seq).hasSize(1);
        return matches.get(0);
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void aWindowFiresOnceAtTheWatermarkWithItsBoundsAndIdsPerSeries(boolean twoPhase)
            throws Exception {
        open(routeOnly(twoPhase));
        send(pageView(T0 + 1_000, 800), pageView(T0 + 2_000, 1200), jsError(T0 + 3_000));
        watermark(T0 + MIN - 2);
        assertThat(rows()).as("nothing before the window's last millisecond").isEmpty();

        watermark(T0 + MIN - 1);
        assertThat(rows()).extracting(r -> r.id).containsExactlyInAnyOrder(TOTAL, ROUTE);
        MetricAggregate total = row(TOTAL, 0);
        assertThat(total.app).isEqualTo("shop");
        assertThat(total.dimension).isEqualTo("all");
        assertThat(total.dimensionValue).isEqualTo("*");
        assertThat(total.windowStart).isEqualTo(T0);
        assertThat(total.windowEnd).isEqualTo(T0 + MIN);
        assertThat(total.pageViews).isEqualTo(2.0);
        assertThat(total.jsErrors).isEqualTo(1.0);
        assertThat(total.events).isEqualTo(3.0);
        assertThat(total.samples).isEqualTo(3);
        assertThat(total.errorRate).isEqualTo(0.5);
        assertThat(total.fetchErrorRate).as("no fetches: no rate").isNull();
        assertThat(total.load.count).isEqualTo(2);
        assertThat(total.lcp.p75).isNull();
        assertThat(row(ROUTE, 0).dimensionValue).isEqualTo("/products/:id");
        assertThat(harness.getOutput())
                .filteredOn(o -> o instanceof StreamRecord)
                .extracting(o -> ((StreamRecord<?>) o).getTimestamp())
                .as("rows carry the window's last millisecond as timestamp")
                .containsOnly(T0 + MIN - 1);
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void aLateEventWithinTheAllowedLatenessUpdatesTheSameIdWithTheNextSequence(boolean twoPhase)
            throws Exception {
        open(routeOnly(twoPhase));
        send(pageView(T0 + 1_000, 800));
        watermark(T0 + MIN + 30_000);
        send(pageView(T0 + 5_000, 900));
        send(fetch(T0 + 6_000, 503, 120));

        assertThat(rows()).extracting(r -> r.id).containsOnly(TOTAL, ROUTE);
        assertThat(row(TOTAL, 0).pageViews).isEqualTo(1.0);
        MetricAggregate first = row(TOTAL, 1);
        assertThat(first.pageViews).as("an update carries the whole window").isEqualTo(2.0);
        MetricAggregate second = row(TOTAL, 2);
        assertThat(second.pageViews).isEqualTo(2.0);
        assertThat(second.fetches).isEqualTo(1.0);
        assertThat(second.fetchErrorRate).isEqualTo(1.0);
        assertThat(second.fetch.count).isEqualTo(1);
        assertThat(second.windowStart).isEqualTo(T0);
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void anEventLaterThanTheAllowedLatenessIsNotCountedAndTheWindowStateIsGone(boolean twoPhase)
            throws Exception {
        open(routeOnly(twoPhase));
        send(pageView(T0 + 1_000, 800));
        watermark(T0 + MIN - 1);
        assertThat(harness.numKeyedStateEntries())
                .as("window contents and firing counts of two series")
                .isEqualTo(4);

        watermark(T0 + MIN - 1 + LATENESS);
        assertNothingLeft(harness);

        send(pageView(T0 + 2_000, 900));
        assertThat(rows()).hasSize(2).allMatch(r -> r.updateSeq == 0 && r.pageViews == 1.0);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void stateIsClearedAtCleanupTimeAfterOnTimeAndLateFirings(boolean twoPhase) throws Exception {
        open(routeOnly(twoPhase));
        send(pageView(T0 + 1_000, 800), vital(T0 + 1_500, "LCP", 2100));
        send(pageView(T0 + MIN + 1_000, 700));
        watermark(T0 + MIN + 10_000);
        send(pageView(T0 + 3_000, 900));
        assertThat(harness.numKeyedStateEntries()).isPositive();

        watermark(T0 + 2 * MIN - 1 + LATENESS);
        assertNothingLeft(harness);
        assertThat(rows()).extracting(r -> r.updateSeq).containsOnly(0, 1);
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void countsAreWeightedByTheInverseSampleRateAndSketchesTakeTheWeight(boolean twoPhase)
            throws Exception {
        open(routeOnly(twoPhase));
        send(
                sampled(pageView(T0 + 1_000, 100), 1.0),
                sampled(pageView(T0 + 2_000, 1000), 0.1),
                sampled(jsError(T0 + 3_000), 0.5));
        watermark(T0 + MIN - 1);

        MetricAggregate total = row(TOTAL, 0);
        assertThat(total.pageViews).isEqualTo(11.0);
        assertThat(total.jsErrors).isEqualTo(2.0);
        assertThat(total.events).isEqualTo(13.0);
        assertThat(total.samples).as("unweighted").isEqualTo(3);
        assertThat(total.load.count).as("unweighted").isEqualTo(2);
        // Weighted, 1000 ms stands for 10 of the 11 page loads: the median is 1000, not 100.
        assertThat(total.load.p50).isCloseTo(1000.0, within(10.0));
        assertThat(total.errorRate).isEqualTo(2.0 / 11.0);
    }

    @Test
    void botsAreLeftOutByDefaultAndKeptWhenConfigured() throws Exception {
        OneInputStreamOperatorTestHarness<RumEvent, SeriesSample> fanOut =
                new OneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.ProcessOperator<>(
                                new SeriesFanOut(routeOnly(false))));
        fanOut.open();
        fanOut.processElement(bot(pageView(T0, 500)), T0);
        fanOut.processElement(pageView(T0, 500), T0);
        assertThat(fanOut.extractOutputValues()).hasSize(2);
        assertThat(fanOut.extractOutputValues()).allMatch(s -> s.kind == SeriesSample.PAGE_VIEW);
        fanOut.close();

        MetricsConfig keep = routeOnly(false);
        keep.excludeBots = false;
        OneInputStreamOperatorTestHarness<RumEvent, SeriesSample> keeping =
                new OneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.ProcessOperator<>(
                                new SeriesFanOut(keep)));
        keeping.open();
        keeping.processElement(bot(pageView(T0, 500)), T0);
        assertThat(keeping.extractOutputValues()).hasSize(2);
        keeping.close();
    }

    @ParameterizedTest(name = "two-phase: {0}")
    @ValueSource(booleans = {false, true})
    void windowStateSurvivesASnapshotAndRestore(boolean twoPhase) throws Exception {
        MetricsConfig c = routeOnly(twoPhase);
        open(c);
        send(pageView(T0 + 1_000, 800), vital(T0 + 2_000, "LCP", 2400), fetch(T0 + 3_000, 200, 90));
        var snapshot = harness.snapshot(1L, T0 + 3_000);
        harness.close();

        if (preAggregator != null) {
            preAggregator.close();
        }
        open(c, snapshot);
        send(vital(T0 + 4_000, "LCP", 2600));
        watermark(T0 + MIN - 1);

        MetricAggregate total = row(TOTAL, 0);
        assertThat(total.samples).isEqualTo(4);
        assertThat(total.lcp.count).isEqualTo(2);
        // DDSketch's p99 of two values is the value at rank floor(0.99 * (2 - 1)) = 0: 2400.
        assertThat(total.lcp.p99).isCloseTo(2400.0, within(24.0));
        assertThat(total.fetch.p50).isCloseTo(90.0, within(0.9));
    }

    @Test
    void thePreAggregatorSendsOnePartialPerSeriesOfTheWindowsAWatermarkClosesBeforeForwardingIt()
            throws Exception {
        config = routeOnly(true);
        OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> pre = preAggregator();
        for (RumEvent e :
                List.of(
                        pageView(T0 + 1_000, 800),
                        pageView(T0 + 2_000, 900),
                        jsError(T0 + 3_000),
                        pageView(T0 + MIN + 1_000, 700))) {
            List<SeriesSample> samples = new ArrayList<>();
            SeriesFanOut.emit(
                    e,
                    config.dimensionList().toArray(new Dimension[0]),
                    new ListCollector<>(samples));
            for (SeriesSample s : samples) {
                pre.processElement(s, e.eventTime);
            }
        }
        assertThat(pre.getOutput()).as("buffered until a watermark or barrier").isEmpty();

        pre.processWatermark(new Watermark(T0 + MIN - 2));
        assertThat(pre.getOutput())
                .as("a watermark before the window's last millisecond closes nothing")
                .containsExactly(new Watermark(T0 + MIN - 2));

        pre.processWatermark(new Watermark(T0 + MIN - 1));
        List<Object> out = new ArrayList<>(pre.getOutput()).subList(1, pre.getOutput().size());
        assertThat(out).hasSize(3);
        assertThat(out.get(2)).isEqualTo(new Watermark(T0 + MIN - 1));
        assertThat(partials(out.subList(0, 2)))
                .as("the first window's two series (app total and route), the second one held")
                .containsExactly((T0 + MIN - 1) + ":3", (T0 + MIN - 1) + ":3");

        pre.processWatermark(new Watermark(T0 + 2 * MIN - 1));
        out = new ArrayList<>(pre.getOutput()).subList(4, pre.getOutput().size());
        assertThat(partials(out.subList(0, 2)))
                .containsExactly((T0 + 2 * MIN - 1) + ":1", (T0 + 2 * MIN - 1) + ":1");
        assertThat(out.get(2)).isEqualTo(new Watermark(T0 + 2 * MIN - 1));
        pre.close();
    }

    /** An opened pre-aggregator of 1-minute windows. */
    private static OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> preAggregator()
            throws Exception {
        OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> pre =
                new OneInputStreamOperatorTestHarness<>(new LocalPreAggregator(MIN, 0.01));
        pre.open();
        return pre;
    }

    /** One page view of the shop's app total at {@code t}. */
    private static void view(
            OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> pre, long t)
            throws Exception {
        String key = SeriesKey.of("shop", Dimension.ALL, Dimension.ALL_VALUE);
        pre.processElement(new SeriesSample(key, SeriesSample.PAGE_VIEW, 1, (byte) -1, 0), t);
    }

    /** "timestamp:samples" of each partial record. */
    private static List<String> partials(List<Object> records) {
        List<String> out = new ArrayList<>();
        for (Object o : records) {
            StreamRecord<?> r = (StreamRecord<?>) o;
            out.add(r.getTimestamp() + ":" + ((PartialAggregate) r.getValue()).acc.samples());
        }
        return out;
    }

    /**
     * A window held across watermarks is still sent before the next checkpoint barrier and at the
     * end of the input: the operator has no state, so nothing may stay behind at a snapshot.
     */
    @Test
    void thePreAggregatorSendsOpenWindowsAtABarrierAndAtTheEnd() throws Exception {
        OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> pre = preAggregator();
        view(pre, T0 + 1);
        pre.processWatermark(new Watermark(T0 + 10));
        view(pre, T0 + 20);
        assertThat(pre.getOutput()).containsExactly(new Watermark(T0 + 10));
        pre.prepareSnapshotPreBarrier(1);
        assertThat(partials(new ArrayList<>(pre.getOutput()).subList(1, 2)))
                .containsExactly((T0 + MIN - 1) + ":2");
        view(pre, T0 + 30);
        pre.processWatermark(new Watermark(T0 + 40));
        pre.getOperator().finish();
        List<Object> out = new ArrayList<>(pre.getOutput());
        assertThat(out).hasSize(4);
        assertThat(out.get(2)).isEqualTo(new Watermark(T0 + 40));
        assertThat(partials(out.subList(3, 4))).containsExactly((T0 + MIN - 1) + ":1");
        pre.close();
    }

    @Test
    void thePreAggregatorKeepsWindowsApartWhenSamplesAlternateAndAfterAFlush() throws Exception {
        OneInputStreamOperatorTestHarness<SeriesSample, PartialAggregate> pre = preAggregator();
        // Out of order across a window boundary: first, second, first, second window.
        for (long t : new long[] {T0 + 1_000, T0 + MIN + 1, T0 + 2_000, T0 + MIN + 2}) {
            view(pre, t);
        }
        pre.prepareSnapshotPreBarrier(1);
        // After the flush a sample of the same window starts a new partial; none is lost.
        view(pre, T0 + 3);
        pre.processWatermark(new Watermark(T0 + 2 * MIN - 1));
        List<long[]> partials = new ArrayList<>();
        for (Object o : pre.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                partials.add(
                        new long[] {
                            r.getTimestamp(), ((PartialAggregate) r.getValue()).acc.samples()
                        });
            }
        }
        assertThat(partials)
                .extracting(p -> p[0] + ":" + p[1])
                .containsExactlyInAnyOrder(
                        (T0 + MIN - 1) + ":2", (T0 + 2 * MIN - 1) + ":2", (T0 + MIN - 1) + ":1");
        pre.close();
    }

    /** A sink that drops everything: the graph only needs an end to be built. */
    static final class DiscardingSink implements Sink<MetricAggregate> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<MetricAggregate> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(MetricAggregate element, Context context) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
