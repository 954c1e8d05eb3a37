#!/usr/bin/env python3
"""Builds Beaconflow's Kibana saved objects (docker/kibana/*.ndjson) from the compact definitions below.

Why a generator: a Kibana dashboard stores each Lens panel as JSON inside a JSON string
(panelsJSON), with layer and column ids repeated in three places (columns, visualization,
references). Writing that by hand invites typos that Kibana only reports when someone opens the
panel. Here a panel is a few lines (data view, query, columns); the script expands it into the
Kibana 9 export format (also imported by 8.17+), with ids derived from names so a rebuild gives
identical files.

    python3 docker/kibana/build_saved_objects.py          # rewrite the .ndjson files
    python3 docker/kibana/build_saved_objects.py --check  # exit 1 if they differ from the definitions

Every field a panel uses must exist in docker/elasticsearch/templates/*.json with a type the
operation accepts; jobs/src/test/java/io/beaconflow/jobs/dashboards/SavedObjectsTest checks that,
and DashboardQueriesITCase runs each panel's query against Elasticsearch filled by the job.
Queries keep to a small KQL subset the tests can translate: clauses `field : value`,
`field : "text"`, `field >= number` (also >, <, <=), `not field : value`, joined by ` and `.

Standard library only (Debian's python3).
"""

import json
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
NS = uuid.UUID("6f1c1d7e-52a4-4d38-9a57-0d7f3e2a9b10")

# Kibana 8.8+ saved-object versions. Older-than-current versions are migrated forward on import,
# so these import into 8.17 and every 9.x (dashboard model version 10.2.0 = v2; 9.x is at v3).
CORE_MIGRATION = "8.8.0"
TYPE_MIGRATION = {"index-pattern": "8.0.0", "dashboard": "10.2.0", "search": "8.0.0"}


def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(parts)))


# ---------------------------------------------------------------------------------------------
# Data views
# ---------------------------------------------------------------------------------------------

DATA_VIEWS = {
    # id: (index pattern, time field, display name)
    "beaconflow-rum-sessions": ("rum-sessions-*", "start", "Beaconflow sessions"),
    "beaconflow-rum-metrics": ("rum-metrics-*", "window_start", "Beaconflow metrics (1-minute series)"),
    "beaconflow-rum-alerts": ("rum-alerts*", "opened_at", "Beaconflow alerts"),
    "beaconflow-rum-deadletter": ("rum-deadletter*", "received_at", "Beaconflow dead letters"),
    "beaconflow-rum-error-groups": ("rum-error-groups*", "last_seen", "Beaconflow error groups"),
    "beaconflow-rum-late": ("rum-late*", "received_at", "Beaconflow late events"),
    "beaconflow-rum-comparisons": ("rum-comparisons*", "window_end", "Beaconflow comparisons"),
    # traces.enabled: each browser fetch joined with its backend's server span, and per endpoint
    "beaconflow-rum-fetch-timings": ("rum-fetch-timings-*", "event_time",
                                     "Beaconflow fetch timings (client vs server)"),
    "beaconflow-rum-endpoint-timings": ("rum-endpoint-timings-*", "window_start",
                                        "Beaconflow endpoint timings (1-minute)"),
}
(SESSIONS, METRICS, ALERTS, DEADLETTER, ERROR_GROUPS, LATE, COMPARISONS, FETCH_TIMINGS,
 ENDPOINT_TIMINGS) = DATA_VIEWS.keys()

# Where the detection stage writes a metric's expectation and band in a metric row. One place, so
# a change of shape is one edit here (the tests then check the new fields against the template).
def band_fields(metric):
    base = "scores." + metric
    return base + ".expected", base + ".lower", base + ".upper"


def data_view(view_id):
    pattern, time_field, name = DATA_VIEWS[view_id]
    return {
        "id": view_id,
        "type": "index-pattern",
        "attributes": {
            "title": pattern,
            "name": name,
            "timeFieldName": time_field,
            "fields": "[]",
            "fieldFormatMap": "{}",
            "runtimeFieldMap": "{}",
            "sourceFilters": "[]",
            "allowHidden": False,
        },
        "references": [],
        "managed": False,
        "coreMigrationVersion": CORE_MIGRATION,
        "typeMigrationVersion": TYPE_MIGRATION["index-pattern"],
    }


# ---------------------------------------------------------------------------------------------
# Lens columns
# ---------------------------------------------------------------------------------------------

def date_hist(field, label=None):
    return {"op": "date_histogram", "field": field, "label": label or field}


def terms(field, size=5, label=None, order_by=None):
    return {"op": "terms", "field": field, "size": size, "label": label or f"Top {size} {field}",
            "order_by": order_by}


def metric(op, field, label, kql=None, percentile=None):
    return {"op": op, "field": field, "label": label, "filter": kql, "percentile": percentile}


def last_text(field, label):
    """The latest document's value of a keyword field, shown as text (Lens last_value on a string)."""
    return {"op": "last_value", "field": field, "label": label, "filter": None,
            "percentile": None, "text": True}


def count(label="Count", kql=None):
    return {"op": "count", "field": "___records___", "label": label, "filter": kql}


def build_column(c, time_field):
    op = c["op"]
    col = {"label": c["label"], "customLabel": True, "operationType": op, "sourceField": c["field"]}
    if op == "date_histogram":
        col.update(dataType="date", isBucketed=True, scale="interval",
                   params={"interval": "auto", "includeEmptyRows": True, "dropPartials": False})
    elif op == "terms":
        # orderBy is set by lens_panel, which knows the layer's metric columns
        col.update(dataType="string", isBucketed=True, scale="ordinal",
                   params={"size": c["size"], "orderDirection": "desc", "otherBucket": False,
                           "missingBucket": False, "parentFormat": {"id": "terms"}})
    elif op == "count":
        col.update(dataType="number", isBucketed=False, scale="ratio", params={"emptyAsNull": True})
    elif op == "percentile":
        col.update(dataType="number", isBucketed=False, scale="ratio",
                   params={"percentile": c["percentile"]})
    elif op == "last_value":
        text = c.get("text", False)
        col.update(dataType="string" if text else "number", isBucketed=False,
                   scale="ordinal" if text else "ratio",
                   params={"sortField": time_field, "showArrayValues": False})
    elif op == "unique_count":
        col.update(dataType="number", isBucketed=False, scale="ratio", params={"emptyAsNull": False})
    else:  # average, sum, max, min, median
        col.update(dataType="number", isBucketed=False, scale="ratio", params={"emptyAsNull": True})
    if c.get("filter"):
        col["filter"] = {"query": c["filter"], "language": "kuery"}
    return col


# ---------------------------------------------------------------------------------------------
# Panels
# ---------------------------------------------------------------------------------------------

class Panel:
    """One Lens panel: chart type, data view, a query, bucket columns then metric columns."""

    def __init__(self, title, chart, view, columns, query="", w=24, h=12, description="",
                 series="line"):
        self.title, self.chart, self.view, self.columns = title, chart, view, columns
        self.query, self.w, self.h, self.description, self.series = query, w, h, description, series


class SavedSearch:
    """A Discover search shown as a table panel."""

    def __init__(self, sid, title, view, columns, sort, query="", w=48, h=15, description=""):
        self.id, self.title, self.view, self.columns, self.sort = sid, title, view, columns, sort
        self.query, self.w, self.h, self.description = query, w, h, description


def lens_panel(dash_id, p, grid):
    panel_index = uid(dash_id, p.title)
    layer_id = uid(dash_id, p.title, "layer")
    time_field = DATA_VIEWS[p.view][1]
    ids = {i: uid(dash_id, p.title, "col", str(i)) for i in range(len(p.columns))}
    buckets = [i for i, c in enumerate(p.columns) if c["op"] in ("date_histogram", "terms")]
    metrics = [i for i in range(len(p.columns)) if i not in buckets]
    columns = {}
    for i, c in enumerate(p.columns):
        col = build_column(c, time_field)
        if c["op"] == "terms":
            # ordered by the given column, else by the layer's first metric
            target = c.get("order_by")
            tid = ids[target] if target is not None else (ids[metrics[0]] if metrics else None)
            col["params"]["orderBy"] = ({"type": "column", "columnId": tid} if tid
                                        else {"type": "alphabetical", "fallback": True})
        columns[ids[i]] = col
    column_order = [ids[i] for i in buckets + metrics]

    if p.chart == "xy":
        dh = [i for i in buckets if p.columns[i]["op"] == "date_histogram"]
        tm = [i for i in buckets if p.columns[i]["op"] == "terms"]
        x = dh[0] if dh else tm[0]
        split = [i for i in tm if i != x]
        layer = {"layerId": layer_id, "layerType": "data", "seriesType": p.series,
                 "xAccessor": ids[x], "accessors": [ids[i] for i in metrics],
                 "position": "top", "showGridlines": False}
        if split:
            layer["splitAccessor"] = ids[split[0]]
        vis = {"legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
               "fittingFunction": "None", "preferredSeriesType": p.series,
               "axisTitlesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
               "tickLabelsVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
               "gridlinesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
               "layers": [layer]}
        vis_type = "lnsXY"
    elif p.chart == "metric":
        vis = {"layerId": layer_id, "layerType": "data", "metricAccessor": ids[metrics[0]]}
        vis_type = "lnsMetric"
    elif p.chart == "table":
        vis = {"layerId": layer_id, "layerType": "data",
               "columns": [{"columnId": cid, "isTransposed": False} for cid in column_order],
               "rowHeight": "single", "rowHeightLines": 1}
        vis_type = "lnsDatatable"
    else:
        raise ValueError(p.chart)

    attributes = {
        "title": p.title,
        "description": p.description,
        "visualizationType": vis_type,
        "type": "lens",
        "references": [{"type": "index-pattern", "id": p.view,
                        "name": "indexpattern-datasource-layer-" + layer_id}],
        "state": {
            "visualization": vis,
            "query": {"query": p.query, "language": "kuery"},
            "filters": [],
            "datasourceStates": {
                "formBased": {"layers": {layer_id: {"columns": columns, "columnOrder": column_order,
                                                    "incompleteColumns": {}}}},
                "indexpattern": {"layers": {}},
                "textBased": {"layers": {}},
            },
            "internalReferences": [],
            "adHocDataViews": {},
        },
    }
    panel = {"type": "lens", "title": p.title, "panelIndex": panel_index,
             "gridData": dict(grid, i=panel_index),
             "embeddableConfig": {"attributes": attributes, "enhancements": {}}}
    refs = [{"type": "index-pattern", "id": p.view,
             "name": f"{panel_index}:indexpattern-datasource-layer-{layer_id}"}]
    return panel, refs


def search_panel(dash_id, s, grid):
    panel_index = uid(dash_id, s.id)
    panel = {"type": "search", "title": s.title, "panelIndex": panel_index,
             "gridData": dict(grid, i=panel_index), "panelRefName": "panel_" + panel_index,
             "embeddableConfig": {"enhancements": {}}}
    refs = [{"type": "search", "id": s.id, "name": f"{panel_index}:panel_{panel_index}"}]
    return panel, refs


def saved_search(s):
    source = {"query": {"query": s.query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {
        "id": s.id,
        "type": "search",
        "attributes": {
            "title": s.title,
            "description": s.description,
            "columns": s.columns,
            "sort": [[f, d] for f, d in s.sort],
            "grid": {},
            "hideChart": False,
            "isTextBasedQuery": False,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, separators=(",", ":"))},
        },
        "references": [{"id": s.view, "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                        "type": "index-pattern"}],
        "managed": False,
        "coreMigrationVersion": CORE_MIGRATION,
        "typeMigrationVersion": TYPE_MIGRATION["search"],
    }


def dashboard(dash_id, title, description, panels):
    """Lays panels out left to right, top to bottom, on Kibana's 48-column grid."""
    x = y = row_h = 0
    panel_json, refs, searches = [], [], []
    for p in panels:
        if x + p.w > 48:
            x, y, row_h = 0, y + row_h, 0
        grid = {"x": x, "y": y, "w": p.w, "h": p.h}
        if isinstance(p, SavedSearch):
            pj, pr = search_panel(dash_id, p, grid)
            searches.append(saved_search(p))
        else:
            pj, pr = lens_panel(dash_id, p, grid)
        panel_json.append(pj)
        refs.extend(pr)
        x += p.w
        row_h = max(row_h, p.h)
    dash = {
        "id": dash_id,
        "type": "dashboard",
        "attributes": {
            "title": title,
            "description": description,
            "version": 3,
            # The dashboards follow the time picker (demo data lies in 2026-11, live data is now).
            "timeRestore": False,
            "refreshInterval": {"pause": False, "value": 60000},
            "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                       "syncTooltips": False, "hidePanelTitles": False},
                                      separators=(",", ":")),
            "panelsJSON": json.dumps(panel_json, separators=(",", ":")),
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []}, separators=(",", ":"))},
        },
        "references": refs,
        "managed": False,
        "coreMigrationVersion": CORE_MIGRATION,
        "typeMigrationVersion": TYPE_MIGRATION["dashboard"],
    }
    return searches + [dash]


# ---------------------------------------------------------------------------------------------
# The dashboards
# ---------------------------------------------------------------------------------------------

TOTAL = 'dimension : "all"'  # the app-total series of the metric rows
T = date_hist("window_start", "Minute")


def overview():
    return dashboard(
        "beaconflow-overview", "Beaconflow: overview",
        "Traffic, error rate, p75 web vitals and open alerts across apps (app-total series).",
        [
            Panel("Page views", "metric", METRICS, [metric("sum", "page_views", "Page views")],
                  TOTAL, w=12, h=6),
            Panel("JS errors per page view", "metric", METRICS,
                  [metric("average", "error_rate", "Error rate (mean of minutes)")], TOTAL, w=12, h=6),
            Panel("Open alerts", "metric", ALERTS, [count("Open alerts")], 'not state : "resolved"',
                  w=12, h=6),
            Panel("Sessions", "metric", SESSIONS, [count("Sessions")], "bot : false", w=12, h=6),
            Panel("Traffic", "xy", METRICS,
                  [T, metric("sum", "page_views", "Page views"), metric("sum", "events", "Events")],
                  TOTAL),
            Panel("Error rate", "xy", METRICS,
                  [T, metric("average", "error_rate", "JS errors per page view"),
                   metric("average", "fetch_error_rate", "Failed fetches per fetch")], TOTAL),
            Panel("p75 LCP and INP (ms)", "xy", METRICS,
                  [T, metric("average", "lcp_p75", "LCP p75"), metric("average", "inp_p75", "INP p75"),
                   metric("average", "ttfb_p75", "TTFB p75")], TOTAL),
            Panel("p75 CLS", "xy", METRICS, [T, metric("average", "cls_p75", "CLS p75")], TOTAL),
            Panel("Open alerts by series", "table", ALERTS,
                  [terms("series", 10, "Series"), terms("metric", 5, "Metric"),
                   metric("max", "score", "Score"), metric("max", "observed", "Observed"),
                   metric("max", "expected", "Expected")], 'not state : "resolved"'),
            Panel("Dead letters by reason", "xy", DEADLETTER,
                  [date_hist("received_at", "Received"), terms("reason", 8, "Reason"),
                   count("Dead letters")], series="bar_stacked"),
        ])


def page_performance():
    lcp = band_fields("lcp_p75")
    inp = band_fields("inp_p75")
    route = 'dimension : "route"'
    return dashboard(
        "beaconflow-page-performance", "Beaconflow: page performance",
        "Per route: web-vital percentiles over time and the detectors' expected band. Filter on "
        "dimension_value (a route) to see one route's band.",
        [
            Panel("LCP p75 by route (ms)", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Route"), metric("average", "lcp_p75", "LCP p75")],
                  route),
            Panel("INP p75 by route (ms)", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Route"), metric("average", "inp_p75", "INP p75")],
                  route),
            Panel("LCP p75 and expected band (ms)", "xy", METRICS,
                  [T, metric("average", "lcp_p75", "Observed"),
                   metric("average", lcp[0], "Expected"), metric("average", lcp[1], "Band low"),
                   metric("average", lcp[2], "Band high")], route,
                  description="Observed p75 against what the detector expected; outside the band "
                              "is anomalous. Meaningful for one route: filter dimension_value."),
            Panel("INP p75 and expected band (ms)", "xy", METRICS,
                  [T, metric("average", "inp_p75", "Observed"),
                   metric("average", inp[0], "Expected"), metric("average", inp[1], "Band low"),
                   metric("average", inp[2], "Band high")], route),
            Panel("LCP percentiles (ms)", "xy", METRICS,
                  [T, metric("average", "lcp_p50", "p50"), metric("average", "lcp_p75", "p75"),
                   metric("average", "lcp_p95", "p95"), metric("average", "lcp_p99", "p99")], route),
            Panel("Fetch duration percentiles (ms)", "xy", METRICS,
                  [T, metric("average", "fetch_p50", "p50"), metric("average", "fetch_p95", "p95"),
                   metric("average", "fetch_p99", "p99")], route),
            Panel("Routes", "table", METRICS,
                  [terms("dimension_value", 20, "Route"), metric("sum", "page_views", "Page views"),
                   metric("average", "lcp_p75", "LCP p75"), metric("average", "inp_p75", "INP p75"),
                   metric("average", "cls_p75", "CLS p75"), metric("average", "ttfb_p75", "TTFB p75"),
                   metric("average", "lcp_good_share", "Good LCP share"),
                   metric("average", "inp_good_share", "Good INP share"),
                   metric("average", "apdex", "Apdex"),
                   metric("average", "error_rate", "Errors / view")], route, w=48, h=14),
            # Web Vitals scores: web.dev's good / needs improvement / poor, counted exactly per
            # minute; shares are means of the minutes' shares.
            Panel("Share of good experiences (web.dev thresholds)", "xy", METRICS,
                  [T, metric("average", "lcp_good_share", "LCP good (<= 2.5 s)"),
                   metric("average", "inp_good_share", "INP good (<= 200 ms)"),
                   metric("average", "cls_good_share", "CLS good (<= 0.1)"),
                   metric("average", "fcp_good_share", "FCP good (<= 1.8 s)"),
                   metric("average", "ttfb_good_share", "TTFB good (<= 0.8 s)")], TOTAL,
                  description="Share of the vital's values rated good, app totals."),
            Panel("LCP ratings", "xy", METRICS,
                  [T, metric("sum", "lcp_good", "Good"),
                   metric("sum", "lcp_needs_improvement", "Needs improvement"),
                   metric("sum", "lcp_poor", "Poor")], TOTAL, series="bar_stacked"),
            Panel("Good LCP share by route", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Route"),
                   metric("average", "lcp_good_share", "Good LCP share")], route),
            Panel("Apdex of page loads by route", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Route"), metric("average", "apdex", "Apdex")],
                  route, description="(satisfied + tolerating / 2) / loads, T = "
                                     "metrics.apdex-threshold (2 s by default)."),
            Panel("Browser versions", "table", METRICS,
                  [terms("dimension_value", 15, "Browser version"),
                   metric("sum", "page_views", "Page views"), metric("average", "lcp_p75", "LCP p75"),
                   metric("average", "inp_p75", "INP p75"),
                   metric("average", "lcp_good_share", "Good LCP share"),
                   metric("average", "error_rate", "Errors / view")], 'dimension : "browser_version"'),
            Panel("Operating systems", "table", METRICS,
                  [terms("dimension_value", 15, "OS"), metric("sum", "page_views", "Page views"),
                   metric("average", "lcp_p75", "LCP p75"), metric("average", "inp_p75", "INP p75"),
                   metric("average", "lcp_good_share", "Good LCP share"),
                   metric("average", "error_rate", "Errors / view")], 'dimension : "os"'),
            # Single-page apps: a route change is a view of its route (page_views counts it);
            # route_changes says how many of the views were route changes, INP is per route.
            Panel("Views by route: document loads and SPA route changes", "table", METRICS,
                  [terms("dimension_value", 20, "Route"),
                   metric("sum", "page_views", "Views (loads + route changes)"),
                   metric("sum", "route_changes", "SPA route changes"),
                   metric("average", "inp_p75", "INP p75")], route, w=48, h=12,
                  description="route_change_p50..p99 (ms from the click to the new view being "
                              "ready) are in the same rows."),
        ])


def api_endpoints():
    endpoint = 'dimension : "endpoint"'
    p95 = band_fields("fetch_p95")
    return dashboard(
        "beaconflow-api-endpoints", "Beaconflow: API endpoints",
        "Fetches per endpoint (method + path template, as routes are templated): latency "
        "percentiles, status classes and failure rate (metrics.fetch-failure-statuses). Filter "
        "dimension_value on one endpoint to see its detector band.",
        [
            Panel("Fetch p95 by endpoint (ms)", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Endpoint"),
                   metric("average", "fetch_p95", "Fetch p95")], endpoint),
            Panel("Failure rate by endpoint", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Endpoint"),
                   metric("average", "fetch_failure_rate", "Failures per fetch")], endpoint),
            Panel("Status classes", "xy", METRICS,
                  [T, metric("sum", "fetches_2xx", "2xx"), metric("sum", "fetches_3xx", "3xx"),
                   metric("sum", "fetches_4xx", "4xx"), metric("sum", "fetches_5xx", "5xx"),
                   metric("sum", "fetches_network_error", "Network error")], endpoint,
                  series="bar_stacked"),
            Panel("Fetch p95 and expected band (ms)", "xy", METRICS,
                  [T, metric("average", "fetch_p95", "Observed"),
                   metric("average", p95[0], "Expected"), metric("average", p95[1], "Band low"),
                   metric("average", p95[2], "Band high")], endpoint,
                  description="Observed p95 against what the detector expected; meaningful for "
                              "one endpoint: filter dimension_value."),
            Panel("Endpoints", "table", METRICS,
                  [terms("dimension_value", 25, "Endpoint"), metric("sum", "fetches", "Fetches"),
                   metric("average", "fetch_p50", "p50 (ms)"), metric("average", "fetch_p95", "p95 (ms)"),
                   metric("average", "fetch_p99", "p99 (ms)"),
                   metric("average", "fetch_failure_rate", "Failure rate"),
                   metric("sum", "fetches_4xx", "4xx"), metric("sum", "fetches_5xx", "5xx"),
                   metric("sum", "fetches_network_error", "Network errors")], endpoint, w=48, h=14),
        ])


def errors():
    return dashboard(
        "beaconflow-errors", "Beaconflow: errors",
        "JS errors and failed fetches by release and browser; sessions that hit errors.",
        [
            Panel("JS errors by release", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Release"), metric("sum", "js_errors", "JS errors")],
                  'dimension : "release"', series="bar_stacked"),
            Panel("Error rate by browser", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Browser"),
                   metric("average", "error_rate", "JS errors per page view")],
                  'dimension : "browser"'),
            Panel("Error rate by release", "table", METRICS,
                  [terms("dimension_value", 20, "Release"), metric("sum", "js_errors", "JS errors"),
                   metric("sum", "page_views", "Page views"),
                   metric("average", "error_rate", "Errors / view"),
                   metric("average", "fetch_error_rate", "Failed fetch share")],
                  'dimension : "release"'),
            Panel("Error rate by browser and device", "table", SESSIONS,
                  [terms("browser", 10, "Browser"), terms("device_type", 4, "Device"),
                   count("Sessions with errors"), metric("sum", "errors", "JS errors"),
                   metric("sum", "failed_fetches", "Failed fetches")], "errors >= 1"),
            Panel("Sessions with errors by landing route", "table", SESSIONS,
                  [terms("landing_route", 15, "Landing route"), count("Sessions"),
                   metric("sum", "errors", "JS errors"), metric("sum", "error_clicks", "Error clicks")],
                  "errors >= 1"),
            Panel("Failed fetches by release", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Release"),
                   metric("sum", "failed_fetches", "Failed fetches")], 'dimension : "release"',
                  series="bar_stacked"),
            SavedSearch("beaconflow-search-error-sessions", "Sessions with errors", SESSIONS,
                        ["app", "release", "browser", "landing_route", "errors", "failed_fetches",
                         "timeline.type", "timeline.detail"],
                        [("start", "desc")], "errors >= 1"),
        ])


def sessions():
    return dashboard(
        "beaconflow-sessions", "Beaconflow: sessions",
        "Live sessions, duration, frustration signals (rage, error and dead clicks) and one "
        "session's timeline (filter session_id in the table).",
        [
            Panel("Live sessions", "metric", SESSIONS, [count("Open sessions")],
                  "closed : false and bot : false", w=12, h=6),
            Panel("Frustrated sessions", "metric", SESSIONS, [count("Frustrated")],
                  "frustrated : true", w=12, h=6),
            Panel("Median session duration (ms)", "metric", SESSIONS,
                  [metric("median", "duration_ms", "Median duration")], "bot : false", w=12, h=6),
            Panel("Bounces", "metric", SESSIONS, [count("Bounced sessions")], "bounce : true",
                  w=12, h=6),
            Panel("Sessions started", "xy", SESSIONS,
                  [date_hist("start", "Start"), terms("device_type", 4, "Device"), count("Sessions")],
                  "bot : false", series="bar_stacked"),
            Panel("Session duration (ms)", "xy", SESSIONS,
                  [date_hist("start", "Start"),
                   metric("percentile", "duration_ms", "p50", percentile=50),
                   metric("percentile", "duration_ms", "p95", percentile=95)], "bot : false"),
            Panel("Frustration signals", "xy", SESSIONS,
                  [date_hist("start", "Start"), metric("sum", "rage_clicks", "Rage clicks"),
                   metric("sum", "error_clicks", "Error clicks"),
                   metric("sum", "dead_clicks", "Dead clicks")], series="bar_stacked"),
            Panel("Frustration by landing route", "table", SESSIONS,
                  [terms("landing_route", 15, "Landing route"), count("Frustrated sessions"),
                   metric("sum", "rage_clicks", "Rage clicks"), metric("average", "lcp_p75", "LCP p75"),
                   metric("average", "inp_p75", "INP p75")], "frustrated : true"),
            SavedSearch("beaconflow-search-session-timelines", "Session timelines", SESSIONS,
                        ["session_id", "app", "duration_ms", "events", "frustrated", "landing_route",
                         "exit_route", "timeline.t", "timeline.type", "timeline.route",
                         "timeline.detail"],
                        [("start", "desc")], "bot : false",
                        description="One row per session with its ordered timeline; filter "
                                    "session_id to follow one session."),
        ])


def alerts():
    return dashboard(
        "beaconflow-alerts", "Beaconflow: alerts",
        "Open and resolved alerts, detection delay and root-cause hints.",
        [
            Panel("Open", "metric", ALERTS, [count("Open alerts")], 'not state : "resolved"', w=12, h=6),
            Panel("Resolved", "metric", ALERTS, [count("Resolved alerts")], 'state : "resolved"',
                  w=12, h=6),
            Panel("Mean detection delay (ms)", "metric", ALERTS,
                  [metric("average", "lag_ms", "Detection delay")], w=12, h=6),
            Panel("p95 detection delay (ms)", "metric", ALERTS,
                  [metric("percentile", "lag_ms", "p95 delay", percentile=95)], w=12, h=6),
            Panel("Alerts opened", "xy", ALERTS,
                  [date_hist("opened_at", "Opened"), terms("severity", 4, "Severity"),
                   count("Alerts")], series="bar_stacked"),
            Panel("Detection delay by metric (ms)", "xy", ALERTS,
                  [terms("metric", 10, "Metric"), metric("average", "lag_ms", "Mean delay"),
                   metric("max", "lag_ms", "Worst delay")], series="bar"),
            Panel("Alerts by series and state", "table", ALERTS,
                  [terms("series", 20, "Series"), terms("state", 3, "State"),
                   count("Alerts"), metric("max", "score", "Peak score"),
                   metric("average", "lag_ms", "Mean delay (ms)")]),
            Panel("Root-cause hints", "table", ALERTS,
                  [terms("root_cause_hints", 15, "Hint"), count("Alerts")]),
            SavedSearch("beaconflow-search-alerts", "Alert log", ALERTS,
                        ["state", "severity", "kind", "series", "metric", "observed", "expected",
                         "score", "lag_ms", "root_cause_hints", "resolved_at"],
                        [("opened_at", "desc")]),
        ])


def releases():
    return dashboard(
        "beaconflow-releases", "Beaconflow: releases and experiments",
        "Releases and experiment variants side by side: traffic, errors and web vitals per "
        "release / variant series.",
        [
            Panel("LCP p75 by release (ms)", "xy", METRICS,
                  [T, terms("dimension_value", 5, "Release"), metric("average", "lcp_p75", "LCP p75")],
                  'dimension : "release"'),
            Panel("Error rate by release", "xy", METRICS,
                  [T, terms("dimension_value", 5, "Release"),
                   metric("average", "error_rate", "JS errors per page view")],
                  'dimension : "release"'),
            Panel("Releases side by side", "table", METRICS,
                  [terms("dimension_value", 10, "Release"), metric("sum", "page_views", "Page views"),
                   metric("average", "error_rate", "Errors / view"),
                   metric("average", "lcp_p75", "LCP p75"), metric("average", "inp_p75", "INP p75"),
                   metric("average", "cls_p75", "CLS p75")], 'dimension : "release"', w=48, h=10),
            Panel("Experiment variants side by side", "table", METRICS,
                  [terms("dimension_value", 20, "Experiment = variant"),
                   metric("sum", "page_views", "Page views"),
                   metric("average", "error_rate", "Errors / view"),
                   metric("average", "lcp_p75", "LCP p75"), metric("average", "inp_p75", "INP p75"),
                   metric("average", "fetch_error_rate", "Failed fetch share")],
                  'dimension : "variant"', w=48, h=10),
            Panel("LCP p75 by variant (ms)", "xy", METRICS,
                  [T, terms("dimension_value", 6, "Variant"), metric("average", "lcp_p75", "LCP p75")],
                  'dimension : "variant"'),
            Panel("Frustrated sessions by release", "xy", SESSIONS,
                  [terms("release", 8, "Release"), count("Frustrated sessions")],
                  "frustrated : true", series="bar"),
        ])


def error_groups():
    return dashboard(
        "beaconflow-error-groups", "Beaconflow: error groups",
        "JS errors grouped by fingerprint (one document per app and fingerprint, latest state): "
        "which errors are new in a release (first_release), how many sessions and users they hit, "
        "on which browsers. Filter fingerprint to follow one group; a new-error alert links here.",
        [
            Panel("Error groups", "metric", ERROR_GROUPS, [count("Error groups")], w=12, h=6),
            Panel("Sessions hit (sum over groups)", "metric", ERROR_GROUPS,
                  [metric("sum", "sessions", "Sessions hit")], w=12, h=6),
            Panel("Users hit (sum over groups)", "metric", ERROR_GROUPS,
                  [metric("sum", "users", "Users hit")], w=12, h=6),
            Panel("Occurrences (weighted by sampling)", "metric", ERROR_GROUPS,
                  [metric("sum", "weighted_count", "Occurrences")], w=12, h=6),
            Panel("Errors new in each release", "table", ERROR_GROUPS,
                  [terms("first_release", 10, "First seen on release"),
                   terms("fingerprint", 10, "Fingerprint"), last_text("title", "Error"),
                   metric("max", "sessions", "Sessions"), metric("max", "users", "Users"),
                   metric("max", "count", "Occurrences")], w=48, h=12,
                  description="Each group under the release of its first occurrence: the groups "
                              "under the newest release are the errors it brought, with the "
                              "sessions and (pseudonymous) users they hit so far."),
            Panel("Error groups first seen over time", "xy", ERROR_GROUPS,
                  [date_hist("first_seen", "First seen"), terms("first_release", 6, "Release"),
                   count("New groups")], series="bar_stacked"),
            Panel("Groups by browser", "xy", ERROR_GROUPS,
                  [terms("browsers", 8, "Browser"), metric("sum", "sessions", "Sessions hit")],
                  series="bar"),
            Panel("Top groups by sessions", "table", ERROR_GROUPS,
                  [terms("fingerprint", 15, "Fingerprint"), last_text("title", "Error"),
                   metric("max", "sessions", "Sessions"), metric("max", "users", "Users"),
                   metric("max", "weighted_count", "Occurrences (weighted)")], w=48, h=12),
            SavedSearch("beaconflow-search-error-groups", "Error groups", ERROR_GROUPS,
                        ["app", "fingerprint", "error_type", "message", "first_release",
                         "first_seen", "last_seen", "count", "sessions", "users", "releases",
                         "browsers", "routes", "stack"],
                        [("last_seen", "desc")],
                        description="One row per group, latest state; message and stack are a "
                                    "scrubbed sample (the earliest occurrence)."),
        ])


def bots_and_late():
    bots = "bot : true"
    return dashboard(
        "beaconflow-bots", "Beaconflow: bots and late events",
        "Traffic the job classified as bots (kept, flagged, left out of the aggregates): by kind, "
        "share of sessions, top user agents; and events that arrived too late to be counted.",
        [
            Panel("Bot sessions", "metric", SESSIONS, [count("Bot sessions")], bots, w=12, h=6),
            Panel("All sessions", "metric", SESSIONS, [count("Sessions")], w=12, h=6),
            Panel("Late events", "metric", LATE, [count("Late events")], w=12, h=6),
            Panel("p95 lateness (ms)", "metric", LATE,
                  [metric("percentile", "lateness_ms", "p95 lateness", percentile=95)], w=12, h=6),
            Panel("Sessions: bots and humans", "xy", SESSIONS,
                  [date_hist("start", "Start"), terms("bot", 2, "Bot"), count("Sessions")],
                  series="bar_percentage_stacked",
                  description="Share of sessions flagged as bots, over time."),
            Panel("Bot sessions by kind", "xy", SESSIONS,
                  [date_hist("start", "Start"), terms("device_type", 4, "Kind"),
                   count("Bot sessions")], bots, series="bar_stacked",
                  description="device_type bot: a declared crawler (user agent); any other device "
                              "type: flagged by behaviour (page views far faster than people)."),
            Panel("Top bot user agents", "table", SESSIONS,
                  [terms("browser", 15, "Agent"), terms("app", 5, "App"), count("Sessions"),
                   metric("sum", "page_views", "Page views"), metric("sum", "events", "Events")],
                  bots),
            Panel("Bot sessions by country", "xy", SESSIONS,
                  [terms("country", 10, "Country"), count("Bot sessions")], bots, series="bar"),
            Panel("Late events by type", "xy", LATE,
                  [date_hist("received_at", "Received"), terms("type", 6, "Type"),
                   count("Late events")], series="bar_stacked"),
            Panel("Late events by app and release", "table", LATE,
                  [terms("app", 10, "App"), terms("release", 10, "Release"), count("Late events"),
                   metric("max", "lateness_ms", "Max lateness (ms)"),
                   metric("median", "lateness_ms", "Median lateness (ms)")]),
            SavedSearch("beaconflow-search-late-events", "Late events", LATE,
                        ["app", "type", "release", "event_time", "lateness_ms", "detail"],
                        [("received_at", "desc")]),
        ])


def comparisons():
    exp = "kind : experiment"
    rel = "kind : release"
    return dashboard(
        "beaconflow-comparisons", "Beaconflow: experiments and releases compared",
        "Each experiment variant against its control, each release against the previous release "
        "of the app, cumulative since the comparison began, one document per arm and metric every "
        "comparisons.emit-every of event time. verdict: worse / better when the Holm-adjusted "
        "p-value is below alpha, no_difference otherwise, insufficient_data below "
        "comparisons.min-samples-per-arm. diff is arm - control (rates: absolute; latencies: "
        "Hodges-Lehmann shift in ms) with its 95 % interval diff_low..diff_high. With "
        "comparisons.sequential (the default) p-values are always-valid and intervals are "
        "confidence sequences: reading the latest verdict at any time, as often as you like, "
        "keeps the false-verdict rate at alpha (intervals are wider than fixed-horizon ones).",
        [
            Panel("Experiment arms compared", "metric", COMPARISONS,
                  [metric("unique_count", "variant", "Variants")], exp, w=12, h=6),
            Panel("Releases compared", "metric", COMPARISONS,
                  [metric("unique_count", "variant", "Releases")], rel, w=12, h=6),
            Panel("Smallest adjusted p (experiments)", "metric", COMPARISONS,
                  [metric("min", "adjusted_p", "Min adjusted p")], exp, w=12, h=6),
            Panel("Documents with no difference", "metric", COMPARISONS,
                  [count("Documents")], "verdict : no_difference", w=12, h=6,
                  description="Documents whose metric showed no significant difference."),
            # The verdict is the latest document's (last_value), not a bucket: an arm whose
            # verdict changed over time would otherwise show one row per verdict it ever had.
            Panel("Experiments: verdict per variant and metric", "table", COMPARISONS,
                  [terms("experiment", 10, "Experiment"), terms("variant", 10, "Variant"),
                   terms("metric", 6, "Metric"), last_text("verdict", "Verdict"),
                   last_text("statement", "Statement (effect, 95 % interval, adjusted p, n)"),
                   metric("last_value", "relative", "Relative change"),
                   metric("last_value", "adjusted_p", "Adjusted p")], exp, w=48, h=14,
                  description="Latest state of each variant against its control. Statement: "
                              "the verdict in words with the effect, its interval "
                              "(1 - comparisons.alpha; always-valid by default: valid at every "
                              "look), the Holm-adjusted p and the sample sizes. "
                              "Relative: arm / control - 1 for rates, shift / control median for "
                              "latencies."),
            Panel("Load time shift over time (experiments)", "xy", COMPARISONS,
                  [date_hist("window_end", "Event time"), terms("variant", 8, "Variant"),
                   metric("average", "diff", "Hodges-Lehmann shift (ms)")],
                  exp + " and metric : load",
                  description="The cumulative shift of page load against the control; its "
                              "interval narrows as data comes in."),
            Panel("Adjusted p-value over time (experiments, load)", "xy", COMPARISONS,
                  [date_hist("window_end", "Event time"), terms("variant", 8, "Variant"),
                   metric("min", "adjusted_p", "Adjusted p")],
                  exp + " and metric : load"),
            Panel("Releases: verdict per release and metric", "table", COMPARISONS,
                  [terms("app", 5, "App"), terms("variant", 10, "Release"),
                   terms("control", 10, "Previous release"), terms("metric", 6, "Metric"),
                   last_text("verdict", "Verdict"),
                   last_text("statement", "Statement (effect, 95 % interval, adjusted p, n)"),
                   metric("last_value", "relative", "Relative change"),
                   metric("last_value", "adjusted_p", "Adjusted p")], rel, w=48, h=14),
            Panel("Verdicts over time", "xy", COMPARISONS,
                  [date_hist("window_end", "Event time"), terms("verdict", 4, "Verdict"),
                   count("Documents")], series="bar_stacked"),
            Panel("Error rate difference by variant", "xy", COMPARISONS,
                  [terms("variant", 10, "Variant"), metric("last_value", "diff", "Difference")],
                  exp + " and metric : error_rate", series="bar"),
            SavedSearch("beaconflow-search-comparisons", "Comparisons", COMPARISONS,
                        ["app", "kind", "experiment", "variant", "control", "metric", "verdict",
                         "statement", "estimate", "estimate_control", "diff", "diff_low", "diff_high",
                         "relative", "p_value", "adjusted_p", "n", "n_control", "test",
                         "window_start"],
                        [("window_end", "desc")],
                        description="Every comparison document; filter variant or metric to "
                                    "follow one arm."),
        ])


def traces():
    joined = "joined : true"
    ew = date_hist("window_start", "Minute")
    return dashboard(
        "beaconflow-traces", "Beaconflow: traces (client vs server time)",
        "With traces.enabled, each browser fetch is joined with the SERVER span its request caused "
        "(same trace, parent = the fetch's span; backends export to the collector with the app's "
        "backend key). client = what the browser waited, server = the span's duration, network = "
        "client - server (DNS, connect, TLS, the wire, proxies, queueing before the span). "
        "Unmatched: fetches whose backend exported no span (not instrumented, sampled out, or "
        "another origin).",
        [
            Panel("Joined fetches", "metric", FETCH_TIMINGS, [count("Joined")], joined,
                  w=12, h=6),
            Panel("Unmatched fetches", "metric", ENDPOINT_TIMINGS,
                  [metric("sum", "unmatched", "Unmatched")], w=12, h=6,
                  description="Fetches for which no server span arrived within the join's "
                              "bounds (0 when every backend exports its spans)."),
            Panel("Server share of client time", "metric", ENDPOINT_TIMINGS,
                  [metric("average", "server_share", "Server share")], w=12, h=6,
                  description="Mean over endpoint windows of server time / client time of the "
                              "joined fetches: near 1, the backend is where the time goes."),
            Panel("Backend services", "metric", FETCH_TIMINGS,
                  [metric("unique_count", "service", "Services")], joined, w=12, h=6),
            Panel("Where the time goes: p95 client, server, network (ms)", "xy",
                  ENDPOINT_TIMINGS,
                  [ew, metric("average", "client_p95", "Client p95"),
                   metric("average", "server_p95", "Server p95"),
                   metric("average", "network_p95", "Network p95")],
                  description="Client p95 against its server and network parts; filter endpoint "
                              "to follow one API."),
            Panel("Server and network time per endpoint (ms)", "xy", FETCH_TIMINGS,
                  [terms("endpoint", 10, "Endpoint"),
                   metric("average", "server_ms", "Server (mean)"),
                   metric("average", "network_ms", "Network (mean)")], joined,
                  series="bar_horizontal_stacked",
                  description="The mean client time of each endpoint split into the server's span "
                              "and the rest."),
            Panel("Server p95 by endpoint (ms)", "xy", ENDPOINT_TIMINGS,
                  [ew, terms("endpoint", 6, "Endpoint"),
                   metric("average", "server_p95", "Server p95")]),
            Panel("Server share by endpoint", "xy", ENDPOINT_TIMINGS,
                  [ew, terms("endpoint", 6, "Endpoint"),
                   metric("average", "server_share", "Server share")]),
            Panel("Endpoints: client vs server", "table", ENDPOINT_TIMINGS,
                  [terms("endpoint", 25, "Endpoint"), terms("service", 5, "Service"),
                   metric("sum", "fetches", "Fetches"), metric("sum", "joined", "Joined"),
                   metric("sum", "unmatched", "Unmatched"),
                   metric("average", "client_p50", "Client p50 (ms)"),
                   metric("average", "server_p50", "Server p50 (ms)"),
                   metric("average", "client_p95", "Client p95 (ms)"),
                   metric("average", "server_p95", "Server p95 (ms)"),
                   metric("average", "network_p95", "Network p95 (ms)"),
                   metric("average", "server_share", "Server share")], w=48, h=14),
            Panel("Server time by service and route", "table", FETCH_TIMINGS,
                  [terms("service", 10, "Service"), terms("server_route", 10, "Server route"),
                   count("Calls"), metric("median", "server_ms", "Server median (ms)"),
                   metric("percentile", "server_ms", "Server p95 (ms)", percentile=95),
                   metric("max", "server_ms", "Server max (ms)")], joined,
                  description="The backend's own view: service.name and the span's route."),
            Panel("Fetches by route and endpoint", "table", FETCH_TIMINGS,
                  [terms("route", 10, "Page route"), terms("endpoint", 10, "Endpoint"),
                   count("Fetches"), metric("average", "client_ms", "Client (ms)"),
                   metric("average", "server_ms", "Server (ms)")], joined,
                  description="Which pages make the slow calls."),
            SavedSearch("beaconflow-search-fetch-timings", "Fetch timings", FETCH_TIMINGS,
                        ["app", "endpoint", "route", "status", "client_ms", "server_ms",
                         "network_ms", "service", "server_route", "trace_id", "session_id"],
                        [("event_time", "desc")], joined,
                        description="One row per joined fetch; search trace_id to follow a "
                                    "request into the backend's traces."),
        ])


FILES = {
    "data-views.ndjson": lambda: [data_view(v) for v in DATA_VIEWS],
    "dashboard-overview.ndjson": overview,
    "dashboard-page-performance.ndjson": page_performance,
    "dashboard-errors.ndjson": errors,
    "dashboard-sessions.ndjson": sessions,
    "dashboard-alerts.ndjson": alerts,
    "dashboard-releases.ndjson": releases,
    "dashboard-error-groups.ndjson": error_groups,
    "dashboard-bots.ndjson": bots_and_late,
    "dashboard-api-endpoints.ndjson": api_endpoints,
    "dashboard-comparisons.ndjson": comparisons,
    "dashboard-traces.ndjson": traces,
}


def render(objects):
    return "".join(json.dumps(o, sort_keys=True, separators=(",", ":")) + "\n" for o in objects)


def main(argv):
    check = "--check" in argv
    stale = []
    for name, build in FILES.items():
        text = render(build())
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent)} ({text.count(chr(10))} objects)")
    if stale:
        print("out of date with build_saved_objects.py: " + ", ".join(stale)
              + "; run python3 docker/kibana/build_saved_objects.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
