package io.beaconflow.detectors.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.backtest.Backtest;
import io.beaconflow.detectors.backtest.LabelledWindow;
import io.beaconflow.detectors.backtest.Point;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HtmlReportTest {
    static final long T0 = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000;

    @Test
    void aSeriesWithAGapDrawsTwoLinesAndTwoBandsWithEveryFinitePoint() throws Exception {
        SeriesChart.Builder b = SeriesChart.builder("lcp_p75 /checkout");
        for (int i = 0; i < 30; i++) {
            boolean gap = i >= 10 && i < 12; // two windows without traffic
            double v = gap ? Double.NaN : 1000 + i;
            b.point(T0 + i * MIN, v, 1000, 900, 1100, false);
        }
        Document doc = parse(HtmlReport.render("t", List.of(), List.of(b.build())));

        NodeList observed = nodes(doc, "//*[local-name()='polyline'][@class='observed']");
        assertThat(observed.getLength()).isEqualTo(2);
        assertThat(pointCount(observed)).isEqualTo(28);
        NodeList expected = nodes(doc, "//*[local-name()='polyline'][@class='expected']");
        assertThat(pointCount(expected)).isEqualTo(30);
        assertThat(nodes(doc, "//*[local-name()='path'][@class='band']").getLength()).isEqualTo(1);
    }

    @Test
    void everyAnomalousPointWithAValueGetsOneMarkerAndEveryAlertOneSpan() throws Exception {
        SeriesChart.Builder b = SeriesChart.builder("error_rate");
        int anomalous = 0;
        for (int i = 0; i < 120; i++) {
            boolean spike = i >= 60 && i < 70;
            if (spike) anomalous++;
            b.point(T0 + i * MIN, spike ? 0.2 : 0.01, 0.01, 0.0, 0.03, spike);
        }
        // A flagged point without a value (should not happen, but must not draw a marker at NaN).
        b.point(T0 + 120 * MIN, Double.NaN, 0.01, 0.0, 0.03, true);
        b.alert(T0 + 61 * MIN, T0 + 72 * MIN, "alert up");
        b.alert(T0 + 110 * MIN, -1, "alert up, still open");
        b.incident(T0 + 58 * MIN, T0 + 75 * MIN, "release 2.4.1 regression");
        String html = HtmlReport.render("Backtest", List.of("precision 1.0"), List.of(b.build()));
        Document doc = parse(html);

        assertThat(nodes(doc, "//*[local-name()='circle'][@class='anomaly']").getLength())
                .isEqualTo(anomalous);
        assertThat(nodes(doc, "//*[local-name()='rect'][@class='alert']").getLength()).isEqualTo(2);
        assertThat(nodes(doc, "//*[local-name()='rect'][@class='incident']").getLength())
                .isEqualTo(1);
        // The open alert runs to the right edge of the plot.
        Element open = (Element) nodes(doc, "//*[local-name()='rect'][@class='alert']").item(1);
        double right =
                Double.parseDouble(open.getAttribute("x"))
                        + Double.parseDouble(open.getAttribute("width"));
        assertThat(right)
                .isCloseTo(HtmlReport.WIDTH - 16, org.assertj.core.api.Assertions.within(0.2));
        assertThat(html).contains("still open").contains("precision 1.0");
    }

    @Test
    void theReportIsSelfContainedAndEscapesText() throws Exception {
        SeriesChart c =
                SeriesChart.builder("route /a?x=<script>&y=\"1\"")
                        .point(T0, 1, 1, 0, 2, false)
                        .point(T0 + MIN, 2, 1, 0, 2, false)
                        .build();
        String html = HtmlReport.render("A & B <report>", List.of(), List.of(c));
        parse(html); // well-formed, so the escaping held
        assertThat(html)
                .doesNotContain("<script")
                .doesNotContain("<link")
                .doesNotContain("src=")
                .doesNotContain("href=")
                .doesNotContain("url(")
                .contains("A &amp; B &lt;report&gt;")
                .contains("&lt;script&gt;&amp;y=&quot;1&quot;");
    }

    @Test
    void anEmptySeriesSaysSoInsteadOfDrawingNothing() throws Exception {
        SeriesChart c = SeriesChart.builder("quiet route").build();
        Document doc = parse(HtmlReport.render("r", List.of(), List.of(c)));
        assertThat(nodes(doc, "//*[local-name()='svg']").getLength()).isEqualTo(1);
        assertThat(doc.getDocumentElement().getTextContent()).contains("no values");
    }

    @Test
    void pointsMustComeInTimeOrder() {
        SeriesChart.Builder b = SeriesChart.builder("x").point(T0 + MIN, 1, 1, 0, 2, false);
        assertThatThrownBy(() -> b.point(T0, 1, 1, 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("time order");
    }

    @Test
    void aBacktestBecomesAChartWithItsAlertsAndLabelledWindows(@TempDir Path dir) throws Exception {
        Random r = new Random(7);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            double v = 1000 + r.nextGaussian() * 20 + (i >= 400 && i < 440 ? 800 : 0);
            points.add(new Point(i + 1, T0 + i * MIN, v, 200));
        }
        DetectorSpec spec = DetectorSpec.builder().kind(MetricKind.LATENCY).build();
        Backtest.Result result = Backtest.run(new Detector(spec), points);
        List<LabelledWindow> labels = List.of(new LabelledWindow(T0 + 400 * MIN, T0 + 440 * MIN));
        SeriesChart chart = SeriesChart.of("lcp_p75", result, labels);

        assertThat(result.alerts()).isNotEmpty();
        assertThat(chart.size()).isEqualTo(600);
        assertThat(chart.alerts()).hasSize(result.alerts().size());
        assertThat(chart.incidents()).hasSize(1);

        Path out = dir.resolve("nested/report.html");
        HtmlReport.write(out, "Backtest lcp_p75", List.of(chart));
        Document doc = parse(Files.readString(out, StandardCharsets.UTF_8));
        long flagged = result.scored().stream().filter(p -> p.anomaly()).count();
        assertThat(nodes(doc, "//*[local-name()='circle'][@class='anomaly']").getLength())
                .isEqualTo((int) flagged);
        assertThat(nodes(doc, "//*[local-name()='rect'][@class='alert']").getLength())
                .isEqualTo(result.alerts().size());
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(HtmlReport.niceStep(0.013)).isEqualTo(0.02);
        assertThat(HtmlReport.niceStep(170)).isEqualTo(200);
        assertThat(HtmlReport.niceStep(4.2)).isEqualTo(5);
        assertThat(HtmlReport.niceStep(7)).isEqualTo(10);
    }

    private static int pointCount(NodeList polylines) {
        int n = 0;
        for (int i = 0; i < polylines.getLength(); i++) {
            String pts = ((Element) polylines.item(i)).getAttribute("points").trim();
            n += pts.isEmpty() ? 0 : pts.split(" ").length;
        }
        return n;
    }

    private static NodeList nodes(Document doc, String xpath) throws Exception {
        XPath x = XPathFactory.newInstance().newXPath();
        return (NodeList) x.evaluate(xpath, doc, XPathConstants.NODESET);
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }
}
