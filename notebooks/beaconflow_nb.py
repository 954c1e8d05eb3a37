"""Small helpers shared by the Beaconflow notebooks: Elasticsearch over its REST API (urllib, no
client library), metric series as pandas frames, the backtest command, and loading a demo run's
NDJSON outputs into Elasticsearch.

Settings come from environment variables, with defaults for a local `scripts/stack.sh up es`:

    BEACONFLOW_ES_URL         http://127.0.0.1:9200
    BEACONFLOW_ES_USER / BEACONFLOW_ES_PASSWORD   basic auth, when the cluster has security on
    BEACONFLOW_INDEX_PREFIX   "" (e.g. "nb-" when the outputs were loaded under a prefix)
    BEACONFLOW_REPO           the repository (default: the parent of this folder); its
                              ./beaconflow runs the backtests

Only Debian-packaged libraries are used: pandas, matplotlib, PyYAML.
"""

import base64
import glob
import json
import os
import re
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

REPO = Path(os.environ.get("BEACONFLOW_REPO") or Path(__file__).resolve().parent.parent)
ES_URL = os.environ.get("BEACONFLOW_ES_URL", "http://127.0.0.1:9200").rstrip("/")
PREFIX = os.environ.get("BEACONFLOW_INDEX_PREFIX", "")


def index(name):
    """The index (or pattern) `name` under the configured prefix: index("rum-metrics-*")."""
    return PREFIX + name


def es(method, path, body=None, ndjson=False, ok=(200, 201)):
    """One REST call; returns the decoded JSON answer. Raises with Elasticsearch's message."""
    data = None
    headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
    if body is not None:
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
    user = os.environ.get("BEACONFLOW_ES_USER")
    if user:
        token = f"{user}:{os.environ.get('BEACONFLOW_ES_PASSWORD', '')}".encode("utf-8")
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
    req = urllib.request.Request(ES_URL + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            status, text = r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    except urllib.error.URLError as e:
        raise RuntimeError(
            f"cannot reach Elasticsearch at {ES_URL} ({e.reason}); start it with "
            "`scripts/stack.sh up es` or set BEACONFLOW_ES_URL") from None
    if status not in ok:
        raise RuntimeError(f"{method} {path}: HTTP {status}: {text[:500]}")
    return json.loads(text) if text else {}


def search(pattern, body):
    return es("POST", f"/{pattern}/_search", body)


def documents(pattern, query=None, sort=None, limit=50_000, page=5_000, source=None):
    """The _source of every matching document (up to `limit`), paged with search_after.

    `sort` must end on a field that tells documents apart (e.g. an id keyword).
    """
    sort = sort or [{"_doc": "asc"}]
    out, after = [], None
    while len(out) < limit:
        body = {"size": min(page, limit - len(out)), "query": query or {"match_all": {}},
                "sort": sort}
        if source is not None:
            body["_source"] = source
        if after is not None:
            body["search_after"] = after
        hits = search(pattern, body)["hits"]["hits"]
        if not hits:
            break
        out.extend(h["_source"] for h in hits)
        after = hits[-1]["sort"]
    return out


def millis_to_utc(series):
    return pd.to_datetime(series, unit="ms", utc=True)


def metric_series(app, dimension, value, metric, denominator=None):
    """One series of the job's 1-minute metric rows: columns timestamp (UTC), value, denominator.

    denominator defaults to what the detector weighs the metric by: page views for error_rate,
    fetches for fetch_error_rate, the sample count for a percentile, none for counts.
    """
    if denominator is None:
        if metric == "error_rate":
            denominator = "page_views"
        elif metric == "fetch_error_rate":
            denominator = "fetches"
        elif re.match(r"^[a-z]+_p\d+$", metric):
            denominator = metric.split("_")[0] + "_count"
    query = {"bool": {"filter": [{"term": {"app": app}}, {"term": {"dimension": dimension}},
                                 {"term": {"dimension_value": value}}]}}
    fields = ["window_start", metric] + ([denominator] if denominator else [])
    rows = documents(index("rum-metrics-*"), query, sort=[{"window_start": "asc"}, {"id": "asc"}],
                     source=fields)
    df = pd.DataFrame(rows, columns=fields)
    df = df.rename(columns={"window_start": "timestamp", metric: "value"})
    if denominator:
        df = df.rename(columns={denominator: "denominator"})
    df["timestamp"] = millis_to_utc(df["timestamp"])
    return df.dropna(subset=["value"]).reset_index(drop=True)


def write_series_csv(df, path):
    """The backtest's input format: timestamp,value[,denominator] with ISO-8601 UTC timestamps."""
    cols = ["timestamp", "value"] + (["denominator"] if "denominator" in df else [])
    out = df[cols].copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, header=False)
    return Path(path)


def incident_windows(incidents_yaml=None, generator_yaml=None, **match):
    """Labelled windows (start, end as UTC timestamps) of the demo's scheduled incidents.

    Start and duration in the incidents file are offsets from the generator's `start`. Keyword
    arguments filter on incident keys (app=..., dimension=..., value=..., kind=...); route
    templates match in either spelling, the generator's `/product/{id}` or the job's
    normalized `/product/:id`.
    """
    import yaml  # python3-yaml

    incidents_yaml = Path(incidents_yaml or REPO / "flink-conf/incidents/demo.yaml")
    generator_yaml = Path(generator_yaml or REPO / "flink-conf/generator.yaml")
    start = pd.Timestamp(yaml.safe_load(generator_yaml.read_text())["start"])
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    rows = []
    for inc in yaml.safe_load(incidents_yaml.read_text())["incidents"]:
        if all(_route(inc.get(k)) == _route(v) for k, v in match.items()):
            s = start + pd.Timedelta(str(inc["start"]))
            rows.append({"id": inc["id"], "start": s, "end": s + pd.Timedelta(str(inc["duration"]))})
    return pd.DataFrame(rows, columns=["id", "start", "end"])


def _route(v):
    return re.sub(r"\{(\w+)\}", r":\1", str(v))


def write_labels_csv(windows, path):
    out = pd.DataFrame({"start": windows["start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "end": windows["end"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")})
    out.to_csv(path, index=False, header=False)
    return Path(path)


_NUM = r"([-+0-9.eE]+|NaN)"


def backtest(spec, metric, series_csv, out_dir, labels_csv=None, app=None, dimension=None,
             value=None):
    """Runs `./beaconflow backtest` and returns its figures, scored points and alerts.

    Returns a dict: precision, recall, mean_delay_s, median_delay_s, alerts (counts, NaN when
    not printed), scored (DataFrame of scored.csv), alert_rows (DataFrame of alerts.csv), stdout.
    """
    cmd = [str(REPO / "beaconflow"), "backtest", "--spec", str(spec), "--metric", metric,
           "--input", str(series_csv), "--out", str(out_dir)]
    for flag, v in (("--labels", labels_csv), ("--app", app), ("--dimension", dimension),
                    ("--value", value)):
        if v is not None:
            cmd += [flag, str(v)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}\n{run.stdout}")
    text = run.stdout

    def grab(pattern):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else float("nan")

    scored = pd.read_csv(Path(out_dir) / "scored.csv")
    scored["timestamp"] = pd.to_datetime(scored["timestamp"], utc=True)
    alert_rows = pd.read_csv(Path(out_dir) / "alerts.csv")
    return {
        "precision": grab(r"precision: " + _NUM),
        "recall": grab(r"recall: " + _NUM),
        "mean_delay_s": grab(r"detection delay: mean " + _NUM),
        "median_delay_s": grab(r"median " + _NUM + " s"),
        "alerts": grab(r"alerts: (\d+)"),
        "scored": scored,
        "alert_rows": alert_rows,
        "stdout": text,
    }


# ---- loading a demo run into Elasticsearch ----------------------------------------------------

_OUTPUTS = {
    # file prefix: (index name from a document, document id field)
    "sessions": (lambda d: "rum-sessions-" + _day(d["start"]), "session_key"),
    "metrics": (lambda d: "rum-metrics-" + _day(d["window_start"]), "id"),
    "alerts": (lambda d: "rum-alerts", "alert_id"),
    "dead-letters": (lambda d: "rum-deadletter", None),
}


def _day(millis):
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).strftime("%Y.%m.%d")


def load_outputs(directory, prefix=PREFIX, templates_dir=None):
    """Indexes a demo run's NDJSON (`./beaconflow demo --out DIR`) as the job's sink would:
    the repository's index templates (under `prefix`), daily indices, document ids from the
    record (a later update_seq overwrites an earlier one). Returns documents indexed per kind."""
    templates_dir = Path(templates_dir or REPO / "docker/elasticsearch/templates")
    for t in sorted(templates_dir.glob("*.json")):
        tpl = json.loads(t.read_text())
        tpl["index_patterns"] = [prefix + p for p in tpl["index_patterns"]]
        if prefix:
            tpl["priority"] = tpl.get("priority", 0) + 1
        es("PUT", f"/_index_template/{prefix}{t.stem}", tpl)
    counts = {}
    for kind, (index_of, id_field) in _OUTPUTS.items():
        latest = {}
        anonymous = []
        for f in sorted(glob.glob(str(Path(directory) / f"{kind}*.ndjson"))):
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    d = json.loads(line)
                    if id_field is None:
                        anonymous.append(d)
                        continue
                    key = d[id_field]
                    if key not in latest or d.get("update_seq", 0) >= latest[key].get("update_seq", 0):
                        latest[key] = d
        docs = [(index_of(d), d[id_field], d) for d in latest.values()]
        docs += [(index_of(d), None, d) for d in anonymous]
        for i in range(0, len(docs), 2000):
            lines = []
            for idx, doc_id, d in docs[i:i + 2000]:
                meta = {"_index": prefix + idx}
                if doc_id is not None:
                    meta["_id"] = doc_id
                lines.append(json.dumps({"index": meta}))
                lines.append(json.dumps(d))
            res = es("POST", "/_bulk", "\n".join(lines) + "\n", ndjson=True)
            if res.get("errors"):
                bad = [it["index"]["error"] for it in res["items"] if "error" in it["index"]][:3]
                raise RuntimeError(f"bulk indexing {kind} failed: {bad}")
        counts[kind] = len(docs)
    es("POST", f"/{prefix}rum-*/_refresh")
    return counts
