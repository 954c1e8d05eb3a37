package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.evaluation.IncidentMatcher;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.IndexTemplates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fault injection on the real standalone cluster of {@code scripts/stack.sh}: the production job
 * (submitted with {@code scripts/submit.sh}, as a user would) reads paced generator traffic with
 * the demo incidents from Kafka; mid-stream the TaskManager running it is killed with SIGKILL and a
 * new one is started. The job must restore its last checkpoint on the new TaskManager and, once a
 * checkpoint covers all the input, its outputs must hold exactly what an uninterrupted run holds:
 *
 * <ul>
 *   <li>Kafka dead letters and late events: what the generator's ground truth says, nothing lost,
 *       nothing unexpected, every copy identical. Copies are counted and allowed: the Kafka sinks
 *       are at-least-once, so records written between the last checkpoint and the kill are written
 *       again by the replay.
 *   <li>Elasticsearch (the run's own index prefix): every session, metric row and alert document of
 *       the uninterrupted reference ({@link ReferenceRun}: the same graph and config over the same
 *       records on a MiniCluster), by id, with equal values; none missing, none extra, none stored
 *       twice (across all the run's indices); ingest dead letters exact against the truth.
 *   <li>Webhook: every notification of the reference received by the test's HTTP server, with the
 *       same body, exactly once per idempotency key (the server does not deduplicate).
 * </ul>
 *
 * Prints the counts (expected vs found, lost, duplicated, ...) and, for information, how the alerts
 * match the injected incidents (detection quality is not asserted here).
 */
class TaskManagerFailoverITCase {
    private static final ClusterStack STACK = new ClusterStack();

    /**
     * Two simulated hours: the demo incidents (30 to 105 minutes in) raise alerts. Enough for
     * opened and resolved notifications, short enough for the CI budget.
     */
    private static final String DURATION = "2h";

    /** Simulated seconds per second: 2 hours of traffic arrive over 60 s. */
    private static final double SPEED = 120;

    @Test
    void aTaskManagerKilledMidStreamIsReplacedAndTheJobRecoversWithNothingLostOrDuplicated()
            throws Exception {
        try (WebhookEndpoint webhook = WebhookEndpoint.start();
                ClusterRun run =
                        ClusterRun.create(
                                STACK,
                                "it-tm-kill",
                                ClusterRun.traffic(DURATION),
                                SPEED,
                                webhook.url())) {
            freshTaskManager(run);
            String job = run.startWithTraffic();

            // Mid-stream, after a checkpoint that holds real progress.
            long total = run.truth.records();
            run.awaitSent("a quarter", 4);
            run.awaitNextCheckpoint(job);
            String victim = taskManagerOf(job);
            long sentAtKill = run.traffic.sent();
            Instant killIssuedAt = Instant.now();
            String killed = STACK.stack("tm", "kill9", victim);
            run.log("killed tm-" + killed + " (SIGKILL) after " + sentAtKill + " records");
            Instant killedAt = Instant.now();
            assertThat(sentAtKill)
                    .as("the kill happens while traffic is still arriving")
                    .isLessThan(total);

            String replacement = nextTaskManagerId(Integer.parseInt(killed));
            STACK.stack("tm", "start", replacement);
            run.log("started tm-" + replacement);
            ClusterStack.await(
                    "job " + job + " to restore a checkpoint and run again",
                    Duration.ofSeconds(120),
                    () ->
                            STACK.checkpointCounts(job).path("restored").asLong() >= 1
                                    && STACK.allTasksRunning(job));
            Duration recovery = Duration.between(killedAt, Instant.now());
            run.log("job restored its checkpoint and runs again");
            JsonNode restored =
                    STACK.get("/jobs/" + job + "/checkpoints").path("latest").path("restored");

            long produced = run.awaitProduced(Duration.ofSeconds(180));
            // The reference reads the finished topic while the cluster job catches up.
            CompletableFuture<ReferenceRun.Result> reference =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return ReferenceRun.run(run);
                                } catch (Exception e) {
                                    throw new CompletionException(e);
                                }
                            });
            run.awaitCheckpointCoversAllInput(job);
            run.awaitCheckpointAfterAllOutputs(job);
            ReferenceRun.Result ref = reference.get(5, TimeUnit.MINUTES);
            run.log(
                    "reference run done in "
                            + ref.took().toSeconds()
                            + " s: "
                            + ref.sessions().size()
                            + " sessions, "
                            + ref.metrics().size()
                            + " metric rows, "
                            + ref.alerts().size()
                            + " alerts, "
                            + ref.notifications().size()
                            + " notifications");
            // Deliveries follow the checkpoint that completes a notification's batch; wait for
            // every expected transition (a lost one shows in the table below, not as a timeout).
            ObjectMapper json = new ObjectMapper();
            Set<String> transitions = new HashSet<>();
            for (String body : ref.notifications().values()) {
                transitions.add(FoundOutputs.transition(json.readTree(body)));
            }
            boolean allDelivered =
                    awaitQuietly(
                            Duration.ofSeconds(60),
                            () -> {
                                Set<String> received = new HashSet<>();
                                for (WebhookEndpoint.Request r : webhook.requests()) {
                                    try {
                                        received.add(
                                                FoundOutputs.transition(json.readTree(r.body())));
                                    } catch (Exception e) {
                                        received.add("unreadable");
                                    }
                                }
                                return received.containsAll(transitions);
                            });
            run.log("notifications " + (allDelivered ? "all delivered" : "NOT all delivered"));

            FoundOutputs found = FoundOutputs.read(run, webhook);
            List<OutputCheck> checks = found.compare(ExpectedOutputs.from(run.truth, ref), run);
            System.out.printf(
                    "%s   traffic: %d records produced (%d before the kill); tm-%s killed, tm-%s"
                            + " started; running again %d s after the kill, restored checkpoint %s"
                            + " (%s); late events carry %d distinct Kafka keys; reference run %d"
                            + " s%n",
                    OutputCheck.table(
                            "TaskManager kill -9 mid-stream: expected vs found (Elasticsearch and"
                                    + " webhook: expected = uninterrupted reference run)",
                            checks),
                    produced,
                    sentAtKill,
                    killed,
                    replacement,
                    recovery.toSeconds(),
                    restored.path("id").asText("?"),
                    restored.path("external_path").asText("?"),
                    found.lateEventKeys(),
                    ref.took().toSeconds());
            EsIndices es = new EsIndices(STACK.elasticsearchUrl);
            List<String> templates = es.templates(run.indexPrefix);
            Map<String, String> dynamic = es.dynamicMappingByIndex(run.indexPrefix + "*");
            System.out.printf(
                    "index templates of the run: %s; its indices and their dynamic mapping: %s%n",
                    templates, dynamic);
            printIncidentTable(run, found);
            Set<String> resentInTheWindow =
                    deliveryTrace(run, webhook, killIssuedAt, killedAt, killed, replacement);
            printAlerts("reference", ref.alerts().values());
            printAlerts(
                    "in Elasticsearch",
                    found.esAlerts.values().stream()
                            .flatMap(List::stream)
                            .map(d -> d.source())
                            .toList());

            assertThat(produced).as("records produced").isEqualTo(total);
            assertThat(restored.path("is_savepoint").asBoolean())
                    .as("restored from a checkpoint")
                    .isFalse();
            assertThat(ref.sessions()).as("reference sessions").isNotEmpty();
            assertThat(ref.metrics()).as("reference metric rows").isNotEmpty();
            assertThat(ref.alerts())
                    .as("the traffic raises alerts, so the alert checks check something")
                    .isNotEmpty();
            assertThat(ref.notifications().keySet())
                    .as("opened and resolved notifications in the reference")
                    .anyMatch(k -> k.contains(":opened:"))
                    .anyMatch(k -> k.contains(":resolved:"));
            assertThat(
                            ref.metrics().values().stream()
                                    .filter(m -> m.path("dimension").asText().equals("route"))
                                    .map(m -> m.path("dimension_value").asText()))
                    .as(
                            "no route folded into 'other' by the cardinality guard, whose choice"
                                    + " depends on arrival order (add a route rule to the run's"
                                    + " config)")
                    .doesNotContain("other");
            assertThat(ref.notificationCopies())
                    .as("the reference emits each notification once")
                    .isZero();
            // The job installed prefixed copies of the templates, and they shaped every index.
            assertThat(templates)
                    .containsExactlyInAnyOrder(
                            IndexTemplates.NAMES.stream()
                                    .map(n -> run.indexPrefix + n)
                                    .toArray(String[]::new));
            assertThat(dynamic)
                    .as("indices of the run, mapped by the prefixed templates (dynamic: false)")
                    .isNotEmpty()
                    .allSatisfy((index, d) -> assertThat(d).as(index).isIn("false", "strict"));
            for (OutputCheck c : checks) {
                if (c.output().equals("dead letters") || c.output().equals("late events")) {
                    // At-least-once Kafka sinks: replayed copies allowed, nothing else.
                    assertThat(c.complete()).as(c.line()).isTrue();
                } else if (c.output().startsWith("notification")) {
                    // Exactly once, but for the window the delivery log documents: the kill
                    // between the receiver's 2xx and the marker write (deliveryTrace).
                    assertThat(c.complete()).as(c.line()).isTrue();
                    assertThat(c.duplicated())
                            .as(
                                    c.line()
                                            + "; copies re-sent in the documented window: "
                                            + resentInTheWindow)
                            .isEqualTo(resentInTheWindow.size());
                } else {
                    assertThat(c.exact()).as(c.line()).isTrue();
                }
            }
        }
    }

    /** How the alerts in Elasticsearch match the injected incidents: information, not asserted. */
    private static void printIncidentTable(ClusterRun run, FoundOutputs found) throws Exception {
        ObjectMapper json = Json.newOutputMapper();
        List<Alert> alerts = new ArrayList<>();
        for (List<EsIndices.Doc> docs : found.esAlerts.values()) {
            for (EsIndices.Doc d : docs) alerts.add(json.treeToValue(d.source(), Alert.class));
        }
        List<IncidentTruth> incidents = TrafficGenerator.truths(run.generator);
        System.out.println("alerts in Elasticsearch after the failover vs injected incidents:");
        System.out.print(
                IncidentMatcher.table(
                        IncidentMatcher.match(
                                incidents, alerts, Duration.ofMinutes(1), Duration.ofMinutes(5))));
    }

    /**
     * Prints every webhook request with its arrival relative to the kill, the delivery log's
     * markers, and the notifier's lines from both TaskManagers' logs (deliveries, skips, retries),
     * so a key that arrives twice is explained by the run's own output.
     *
     * <p>Answers the keys re-sent in the one window {@link
     * io.beaconflow.jobs.io.webhook.DeliveryLog} leaves open: exactly two copies, the first
     * received before the kill command returned and the second after, and no "delivered" line for
     * the key in the killed TaskManager's log (it never saw the 2xx, so it wrote no marker). The
     * kill follows a completed checkpoint, which is when the committer delivers, so this window is
     * hit now and then. Any other copy (a retry, a re-send despite a marker, an upstream copy the
     * writer's dedupe let through) is not in the answer and fails the test.
     */
    private static Set<String> deliveryTrace(
            ClusterRun run,
            WebhookEndpoint webhook,
            Instant killIssuedAt,
            Instant killedAt,
            String killed,
            String replacement)
            throws java.io.IOException {
        System.out.printf(
                "webhook requests (ms relative to the kill command, which returned after %d"
                        + " ms):%n",
                Duration.between(killIssuedAt, killedAt).toMillis());
        for (WebhookEndpoint.Request r : webhook.requests()) {
            System.out.printf(
                    "  %+8d ms  %s%n", Duration.between(killIssuedAt, r.at()).toMillis(), r.key());
        }
        long markers = 0;
        if (java.nio.file.Files.isDirectory(run.deliveryLog)) {
            try (var files = java.nio.file.Files.walk(run.deliveryLog)) {
                markers = files.filter(java.nio.file.Files::isRegularFile).count();
            }
        }
        System.out.println("delivery log markers: " + markers);
        String deliveredByTheKilled = "";
        for (String tm : List.of(killed, replacement)) {
            String log = STACK.stack("logs", "tm-" + tm, "-n", "1000000");
            System.out.println("notifier lines in the log of tm-" + tm + ":");
            StringBuilder lines = new StringBuilder();
            log.lines()
                    .filter(l -> l.contains("Webhook ") || l.contains("delivery log"))
                    .forEach(l -> lines.append("  ").append(l).append('\n'));
            System.out.print(lines);
            if (tm.equals(killed)) deliveredByTheKilled = lines.toString();
        }
        Map<String, List<Instant>> arrivals = new java.util.TreeMap<>();
        for (WebhookEndpoint.Request r : webhook.requests()) {
            arrivals.computeIfAbsent(String.valueOf(r.key()), k -> new ArrayList<>()).add(r.at());
        }
        Set<String> inTheWindow = new TreeSet<>();
        for (Map.Entry<String, List<Instant>> e : arrivals.entrySet()) {
            List<Instant> at = e.getValue();
            if (at.size() == 2
                    && at.get(0).isBefore(killedAt)
                    && at.get(1).isAfter(killedAt)
                    && !deliveredByTheKilled.contains("delivered " + e.getKey() + " ")) {
                inTheWindow.add(e.getKey());
            }
        }
        System.out.println(
                "re-sent after the restore because the kill fell between the 2xx and the marker: "
                        + inTheWindow);
        return inTheWindow;
    }

    /** One line per alert document: enough to tell which one differs and how. */
    private static void printAlerts(String where, java.util.Collection<JsonNode> alerts) {
        System.out.println("alerts " + where + ":");
        alerts.stream()
                .sorted(java.util.Comparator.comparing(a -> a.path("alert_id").asText()))
                .forEach(
                        a ->
                                System.out.printf(
                                        "  %s %-18s %-8s %-9s %s %s first %s opened %s resolved %s"
                                                + " v%d members %s%n",
                                        a.path("alert_id").asText(),
                                        a.path("kind").asText(),
                                        a.path("state").asText(),
                                        a.path("severity").asText(),
                                        a.path("series").asText(),
                                        a.path("metric").asText(),
                                        Instant.ofEpochMilli(a.path("first_window").asLong()),
                                        Instant.ofEpochMilli(a.path("opened_at").asLong()),
                                        a.hasNonNull("resolved_at")
                                                ? Instant.ofEpochMilli(
                                                        a.path("resolved_at").asLong())
                                                : "-",
                                        a.path("update_seq").asInt(),
                                        a.path("members")));
    }

    /** Like {@link ClusterStack#await}, but answers whether the condition held in time. */
    private static boolean awaitQuietly(Duration timeout, BooleanSupplier condition) {
        try {
            ClusterStack.await("", timeout, condition);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /**
     * Replaces the running TaskManagers with one new one before the job starts. The stack's
     * TaskManagers keep about 145 MB of heap per job that ran on them (docs/cluster.md, found while
     * writing this test), so a TaskManager that hosted the other cluster ITCases' four jobs can run
     * out of heap with this one before the planned kill.
     */
    private static void freshTaskManager(ClusterRun run) {
        List<String> old = new ArrayList<>();
        for (String s : STACK.stack("tm", "list").split("\\s+")) {
            if (!s.isBlank()) old.add(s);
        }
        STACK.stack("tm", "start");
        for (String id : old) STACK.stack("tm", "stop", id);
        ClusterStack.await(
                "one fresh TaskManager with free slots",
                Duration.ofSeconds(60),
                () ->
                        STACK.registeredTaskManagers() == 1
                                && STACK.get("/overview").path("slots-available").asInt()
                                        >= ClusterRun.PARALLELISM);
        run.log("fresh TaskManager tm-" + STACK.stack("tm", "list").trim() + " instead of " + old);
    }

    /** The stack id (N of tm-N) of the TaskManager running the job's first task. */
    private static String taskManagerOf(String job) {
        JsonNode vertex = STACK.get("/jobs/" + job).path("vertices").get(0);
        JsonNode tms =
                STACK.get(
                        "/jobs/"
                                + job
                                + "/vertices/"
                                + vertex.path("id").asText()
                                + "/taskmanagers");
        String tm = tms.path("taskmanagers").get(0).path("taskmanager-id").asText();
        assertThat(tm).as("TaskManager ids of the stack look like tm-N").matches("tm-\\d+");
        return tm.substring(3);
    }

    /**
     * One past the highest TaskManager id in use, so the new process has a new identity (a new
     * process re-using the dead one's resource id would be taken for it by the JobManager).
     */
    private static String nextTaskManagerId(int killed) {
        TreeSet<Integer> ids = new TreeSet<>(List.of(killed));
        for (String s : STACK.stack("tm", "list").split("\\s+")) {
            if (!s.isBlank()) ids.add(Integer.parseInt(s));
        }
        return String.valueOf(ids.last() + 1);
    }

    /** Leaves the cluster with a healthy TaskManager for whatever runs next. */
    @AfterAll
    static void leaveOneTaskManagerRunning() {
        if (STACK.stack("tm", "list").isBlank()) STACK.stack("tm", "start");
    }
}
