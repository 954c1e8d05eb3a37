package io.beaconflow.jobs.alerts;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Kibana links: the series dashboard, filtered to one series by a KQL query on the metrics index
 * fields ({@code app}, {@code dimension}, {@code dimension_value}), over an absolute time range
 * around the incident. Kibana's URL state is Rison; string literals are quoted with {@code '} and
 * escape {@code '} and {@code !} with {@code !}.
 */
public final class DashboardLinks {
    private DashboardLinks() {}

    public static String series(
            String kibanaUrl,
            String dashboardId,
            String app,
            String dimension,
            String value,
            long fromMillis,
            long toMillis) {
        String kql = "app:\"" + kql(app) + "\"";
        if (dimension != null) {
            kql += " and dimension:\"" + kql(dimension) + "\"";
        }
        if (value != null) {
            kql += " and dimension_value:\"" + kql(value) + "\"";
        }
        String g =
                "(time:(from:'"
                        + Instant.ofEpochMilli(fromMillis)
                        + "',to:'"
                        + Instant.ofEpochMilli(toMillis)
                        + "'))";
        String a = "(query:(language:kuery,query:'" + rison(kql) + "'))";
        String base =
                kibanaUrl.endsWith("/")
                        ? kibanaUrl.substring(0, kibanaUrl.length() - 1)
                        : kibanaUrl;
        return base
                + "/app/dashboards#/view/"
                + encode(dashboardId)
                + "?_g="
                + encode(g)
                + "&_a="
                + encode(a);
    }

    private static String kql(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String rison(String s) {
        return s.replace("!", "!!").replace("'", "!'");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
