package io.beaconflow.detectors.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A self-contained HTML report: one inline SVG chart per series with the observed line, the
 * detector's expected value and band, anomalous points, alert spans and labelled incidents. No
 * JavaScript, no external CSS, fonts or images, so the file can be mailed, attached to a ticket or
 * opened offline years later and look the same.
 *
 * <p>The output is well-formed XML (XHTML syntax inside an HTML5 document), which keeps it easy to
 * check and to post-process. Times are shown in UTC, like every other Beaconflow output.
 *
 * <pre>{@code
 * HtmlReport.write(out.resolve("report.html"), "Backtest: lcp_p75 /checkout",
 *         List.of(SeriesChart.of("lcp_p75", result, labels)));
 * }</pre>
 */
public final class HtmlReport {
    /** Chart size in SVG user units (pixels at 100 % zoom). */
    static final int WIDTH = 960;

    static final int HEIGHT = 280;
    private static final int LEFT = 72;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 40;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_TIME =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FULL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    /** Tick spacings tried for the time axis, smallest first. */
    private static final long[] TIME_STEPS = {
        60_000L,
        5 * 60_000L,
        15 * 60_000L,
        30 * 60_000L,
        3_600_000L,
        3 * 3_600_000L,
        6 * 3_600_000L,
        12 * 3_600_000L,
        86_400_000L,
        7 * 86_400_000L,
        30 * 86_400_000L
    };

    // Presentation attributes as well as classes: the SVG then looks the same when copied out of
    // the page or opened by a renderer that ignores the page's CSS.
    private static final String EXPECTED_STYLE =
            "\" fill=\"none\" stroke=\"#3d6fb6\" stroke-width=\"1\" stroke-dasharray=\"4 3\"";
    private static final String OBSERVED_STYLE =
            "\" fill=\"none\" stroke=\"#1d2433\" stroke-width=\"1.3\"";

    private static final String CSS =
            "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;"
                    + "color:#1d2433;background:#fff}"
                    + "h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 2px}"
                    + ".notes{margin:2px 0;color:#4a5468}.summary{margin:0 0 6px;color:#4a5468;"
                    + "font-size:13px}"
                    + "svg{display:block;max-width:100%;height:auto;border:1px solid #e3e6ec}"
                    + ".band{fill:#8fb8e8;fill-opacity:.35;stroke:none}"
                    + ".expected{fill:none;stroke:#3d6fb6;stroke-width:1;stroke-dasharray:4 3}"
                    + ".observed{fill:none;stroke:#1d2433;stroke-width:1.3}"
                    + ".anomaly{fill:#d6336c;stroke:#fff;stroke-width:.8}"
                    + ".alert{fill:#f08c00;fill-opacity:.18;stroke:#f08c00;stroke-opacity:.6}"
                    + ".incident{fill:#2f9e44;fill-opacity:.55}"
                    + ".grid{stroke:#eef0f4;stroke-width:1}.axis{stroke:#9aa3b5;stroke-width:1}"
                    + "text{font-size:11px;fill:#4a5468}"
                    + ".legend{font-size:12px;color:#4a5468;margin:4px 0 0}"
                    + ".key{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;"
                    + "vertical-align:middle}";

    private HtmlReport() {}

    /** Writes the report to {@code out} (UTF-8), creating parent folders. */
    public static void write(Path out, String title, List<SeriesChart> charts) throws IOException {
        write(out, title, List.of(), charts);
    }

    /**
     * Writes the report with a few lines of notes under the title (e.g. the spec used, precision
     * and recall).
     */
    public static void write(Path out, String title, List<String> notes, List<SeriesChart> charts)
            throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(out, render(title, notes, charts), StandardCharsets.UTF_8);
    }

    /** The report as a string. */
    public static String render(String title, List<String> notes, List<SeriesChart> charts) {
        Objects.requireNonNull(title, "title");
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n")
                .append("<head><meta charset=\"utf-8\"/><title>")
                .append(esc(title))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head>\n<body>\n<h1>")
                .append(esc(title))
                .append("</h1>\n");
        for (String n : notes) {
            h.append("<p class=\"notes\">").append(esc(n)).append("</p>\n");
        }
        if (charts.isEmpty()) {
            h.append("<p class=\"notes\">No series.</p>\n");
        }
        for (SeriesChart c : charts) {
            chart(h, c);
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void chart(StringBuilder h, SeriesChart c) {
        int anomalies = 0;
        for (int i = 0; i < c.size(); i++) if (c.anomaly(i) && finite(c.value(i))) anomalies++;
        h.append("<section class=\"chart\">\n<h2>").append(esc(c.title())).append("</h2>\n");
        h.append("<p class=\"summary\">").append(c.size()).append(" points");
        if (c.size() > 0) {
            h.append(", ")
                    .append(esc(FULL.format(Instant.ofEpochMilli(c.timestamp(0)))))
                    .append(" to ")
                    .append(esc(FULL.format(Instant.ofEpochMilli(c.timestamp(c.size() - 1)))));
        }
        h.append("; ")
                .append(anomalies)
                .append(" anomalous, ")
                .append(c.alerts().size())
                .append(c.alerts().size() == 1 ? " alert" : " alerts");
        if (!c.incidents().isEmpty()) {
            h.append(", ").append(c.incidents().size()).append(" labelled incident(s)");
        }
        h.append("</p>\n");

        Scale s = Scale.of(c);
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"")
                .append(esc(c.title()))
                .append("\">\n");
        if (s == null) {
            h.append("<text x=\"")
                    .append(WIDTH / 2)
                    .append("\" y=\"")
                    .append(HEIGHT / 2)
                    .append("\" text-anchor=\"middle\">no values</text>\n</svg>\n</section>\n");
            return;
        }
        axes(h, s);
        // Behind everything: incidents as a strip under the plot, alerts as spans over it.
        for (SeriesChart.Interval in : c.incidents()) {
            double x0 = s.x(in.startMillis());
            double x1 = s.x(in.open() ? s.t1 : in.endMillis());
            h.append("<rect class=\"incident\" fill=\"#2f9e44\" fill-opacity=\"0.55\" x=\"")
                    .append(f(x0))
                    .append("\" y=\"")
                    .append(f(HEIGHT - BOTTOM + 2))
                    .append("\" width=\"")
                    .append(f(Math.max(1, x1 - x0)))
                    .append("\" height=\"4\"><title>")
                    .append(esc(span(in)))
                    .append("</title></rect>\n");
        }
        for (SeriesChart.Interval a : c.alerts()) {
            double x0 = s.x(a.startMillis());
            double x1 = s.x(a.open() ? s.t1 : a.endMillis());
            h.append(
                            "<rect class=\"alert\" fill=\"#f08c00\" fill-opacity=\"0.18\" stroke=\"#f08c00\" stroke-opacity=\"0.6\" x=\"")
                    .append(f(x0))
                    .append("\" y=\"")
                    .append(TOP)
                    .append("\" width=\"")
                    .append(f(Math.max(1.5, x1 - x0)))
                    .append("\" height=\"")
                    .append(HEIGHT - TOP - BOTTOM)
                    .append("\"><title>")
                    .append(esc(span(a)))
                    .append("</title></rect>\n");
        }
        band(h, c, s);
        line(h, c, s, "expected", true);
        line(h, c, s, "observed", false);
        for (int i = 0; i < c.size(); i++) {
            if (!c.anomaly(i) || !finite(c.value(i))) continue;
            h.append(
                            "<circle class=\"anomaly\" fill=\"#d6336c\" stroke=\"#fff\" stroke-width=\"0.8\" cx=\"")
                    .append(f(s.x(c.timestamp(i))))
                    .append("\" cy=\"")
                    .append(f(s.y(c.value(i))))
                    .append("\" r=\"3\"><title>")
                    .append(esc(FULL.format(Instant.ofEpochMilli(c.timestamp(i)))))
                    .append(": ")
                    .append(esc(num(c.value(i))))
                    .append(" (expected ")
                    .append(esc(num(c.expected(i))))
                    .append(")</title></circle>\n");
        }
        h.append("</svg>\n<p class=\"legend\">")
                .append("<span class=\"key\" style=\"background:#1d2433;height:2px\"></span>")
                .append("observed")
                .append("<span class=\"key\" style=\"background:#8fb8e8\"></span>expected band")
                .append("<span class=\"key\" style=\"background:#d6336c;border-radius:5px;")
                .append("width:8px;height:8px\"></span>anomalous point")
                .append("<span class=\"key\" style=\"background:#fbe3c4\"></span>alert")
                .append("<span class=\"key\" style=\"background:#2f9e44;height:4px\"></span>")
                .append("labelled incident</p>\n</section>\n");
    }

    /** One closed path per run of points that all have a finite band. */
    private static void band(StringBuilder h, SeriesChart c, Scale s) {
        int i = 0;
        while (i < c.size()) {
            if (!finite(c.lower(i)) || !finite(c.upper(i))) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < c.size() && finite(c.lower(j + 1)) && finite(c.upper(j + 1))) j++;
            h.append(
                    "<path class=\"band\" fill=\"#8fb8e8\" fill-opacity=\"0.35\" stroke=\"none\" d=\"M");
            for (int k = i; k <= j; k++) {
                if (k > i) h.append(" L");
                h.append(f(s.x(c.timestamp(k)))).append(',').append(f(s.y(c.upper(k))));
            }
            for (int k = j; k >= i; k--) {
                h.append(" L").append(f(s.x(c.timestamp(k)))).append(',');
                h.append(f(s.y(c.lower(k))));
            }
            h.append(" Z\"/>\n");
            i = j + 1;
        }
    }

    /** One polyline per run of finite values (a gap in the data is a gap in the line). */
    private static void line(StringBuilder h, SeriesChart c, Scale s, String cls, boolean exp) {
        int i = 0;
        while (i < c.size()) {
            double v = exp ? c.expected(i) : c.value(i);
            if (!finite(v)) {
                i++;
                continue;
            }
            h.append("<polyline class=\"")
                    .append(cls)
                    .append(exp ? EXPECTED_STYLE : OBSERVED_STYLE)
                    .append(" points=\"");
            boolean first = true;
            while (i < c.size()) {
                v = exp ? c.expected(i) : c.value(i);
                if (!finite(v)) break;
                if (!first) h.append(' ');
                h.append(f(s.x(c.timestamp(i)))).append(',').append(f(s.y(v)));
                first = false;
                i++;
            }
            h.append("\"/>\n");
        }
    }

    private static void axes(StringBuilder h, Scale s) {
        int bottom = HEIGHT - BOTTOM;
        double yStep = niceStep((s.v1 - s.v0) / 5);
        for (double v = Math.ceil(s.v0 / yStep) * yStep; v <= s.v1 + yStep * 1e-9; v += yStep) {
            double y = s.y(v);
            h.append("<line class=\"grid\" stroke=\"#eef0f4\" x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(f(y))
                    .append("\" y2=\"")
                    .append(f(y))
                    .append("\"/><text font-size=\"11\" fill=\"#4a5468\" x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(f(y + 4))
                    .append("\" text-anchor=\"end\">")
                    .append(esc(tick(v, yStep)))
                    .append("</text>\n");
        }
        long span = Math.max(1, s.t1 - s.t0);
        long step = TIME_STEPS[TIME_STEPS.length - 1];
        for (long candidate : TIME_STEPS) {
            if (span / candidate <= 8) {
                step = candidate;
                break;
            }
        }
        DateTimeFormatter fmt = span > 86_400_000L ? DAY_TIME : TIME;
        for (long t = ceilTo(s.t0, step); t <= s.t1; t += step) {
            double x = s.x(t);
            h.append("<line class=\"axis\" stroke=\"#9aa3b5\" x1=\"")
                    .append(f(x))
                    .append("\" x2=\"")
                    .append(f(x))
                    .append("\" y1=\"")
                    .append(bottom)
                    .append("\" y2=\"")
                    .append(bottom + 4)
                    .append("\"/><text font-size=\"11\" fill=\"#4a5468\" x=\"")
                    .append(f(x))
                    .append("\" y=\"")
                    .append(bottom + 18)
                    .append("\" text-anchor=\"middle\">")
                    .append(esc(fmt.format(Instant.ofEpochMilli(t))))
                    .append("</text>\n");
        }
        h.append("<line class=\"axis\" stroke=\"#9aa3b5\" x1=\"")
                .append(LEFT)
                .append("\" x2=\"")
                .append(WIDTH - RIGHT)
                .append("\" y1=\"")
                .append(bottom)
                .append("\" y2=\"")
                .append(bottom)
                .append("\"/>\n<text font-size=\"11\" fill=\"#4a5468\" x=\"")
                .append(WIDTH - RIGHT)
                .append("\" y=\"")
                .append(HEIGHT - 4)
                .append("\" text-anchor=\"end\">UTC</text>\n");
    }

    private static long ceilTo(long t, long step) {
        return Math.floorDiv(t + step - 1, step) * step;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !finite(raw)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String tick(double v, double step) {
        if (Math.abs(v) < step * 1e-9) v = 0;
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
    }

    private static String span(SeriesChart.Interval in) {
        return in.label()
                + ": "
                + FULL.format(Instant.ofEpochMilli(in.startMillis()))
                + (in.open()
                        ? ", still open"
                        : " to " + FULL.format(Instant.ofEpochMilli(in.endMillis())));
    }

    private static String num(double v) {
        if (!finite(v)) return "n/a";
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static boolean finite(double v) {
        return !Double.isNaN(v) && !Double.isInfinite(v);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // XML 1.0 forbids most control characters even when escaped.
                    if (ch >= 0x20 || ch == '\n' || ch == '\t') b.append(ch);
                }
            }
        }
        return b.toString();
    }

    /** Maps time and value to SVG coordinates; the value range covers the line and the band. */
    private record Scale(long t0, long t1, double v0, double v1) {
        static Scale of(SeriesChart c) {
            long t0 = Long.MAX_VALUE;
            long t1 = Long.MIN_VALUE;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c.size(); i++) {
                double[] vs = {c.value(i), c.expected(i), c.lower(i), c.upper(i)};
                boolean any = false;
                for (double v : vs) {
                    if (!finite(v)) continue;
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    any = true;
                }
                if (any) {
                    t0 = Math.min(t0, c.timestamp(i));
                    t1 = Math.max(t1, c.timestamp(i));
                }
            }
            if (t0 > t1) return null;
            for (SeriesChart.Interval a : c.alerts()) {
                t0 = Math.min(t0, a.startMillis());
                if (!a.open()) t1 = Math.max(t1, a.endMillis());
            }
            if (t1 == t0) t1 = t0 + 60_000;
            double pad = (hi - lo) * 0.05;
            if (pad == 0) pad = Math.max(Math.abs(hi) * 0.1, 1);
            // Non-negative metrics (latencies, rates, counts) keep 0 as the floor.
            double v0 = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
            return new Scale(t0, t1, v0, hi + pad);
        }

        double x(long t) {
            double w = WIDTH - LEFT - RIGHT;
            // Intervals reaching outside the series are cut at the plot's edges.
            return Math.max(
                    LEFT, Math.min(WIDTH - RIGHT, LEFT + w * (t - t0) / (double) (t1 - t0)));
        }

        double y(double v) {
            double ht = HEIGHT - TOP - BOTTOM;
            return TOP + ht * (1 - (v - v0) / (v1 - v0));
        }
    }
}
