package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/docker-compose.yml cannot run where the tests run (no Docker engine), so it is checked
 * statically: it parses (merge keys included), images are pinned to the versions the project is
 * built for, every mounted repository path and every script a service runs exists, dependencies
 * wait on health checks or completed one-shots (never on sleeps), and addresses, ports and topic
 * names agree with flink-conf/beaconflow.yaml and flink-conf/config.yaml.
 */
class DockerComposeTest {
    private static final Path REPO = ClusterStack.REPO;
    private static final Path DOCKER = REPO.resolve("docker");
    private static final Map<String, Object> COMPOSE = load(DOCKER.resolve("docker-compose.yml"));
    private static final Map<String, Object> JOB_CONFIG =
            load(REPO.resolve("flink-conf/beaconflow.yaml"));

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static Map<String, Object> load(Path file) {
        try {
            return new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Map<String, Object>> services() {
        return cast(COMPOSE.get("services"));
    }

    private static Map<String, Object> service(String name) {
        Map<String, Object> s = services().get(name);
        assertThat(s).as("service " + name).isNotNull();
        return s;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) l.forEach(x -> out.add(String.valueOf(x)));
        else if (o != null) out.add(String.valueOf(o));
        return out;
    }

    @Test
    void theStackHasEveryServiceTheIssueAsksFor() {
        assertThat(services().keySet())
                .contains(
                        "kafka",
                        "jobmanager",
                        "taskmanager",
                        "elasticsearch",
                        "kibana",
                        "setup",
                        "submitter",
                        "generator");
    }

    @Test
    void everyImageIsPinnedToTheVersionsTheProjectIsBuiltFor() {
        Pattern pinned = Pattern.compile("[a-z0-9./_-]+:(\\d+\\.\\d+\\.\\d+)[a-z0-9._-]*");
        services()
                .forEach(
                        (name, s) -> {
                            String image = String.valueOf(s.get("image"));
                            assertThat(image)
                                    .as(name + ": image with a full x.y.z tag, never latest")
                                    .matches(pinned);
                        });
        for (String flink : List.of("jobmanager", "taskmanager", "submitter", "generator")) {
            assertThat(String.valueOf(service(flink).get("image")))
                    .as(flink + " runs the official Flink 2.2 image on Java 17")
                    .startsWith("flink:2.2.")
                    .endsWith("-java17");
        }
        assertThat(String.valueOf(service("elasticsearch").get("image")))
                .startsWith("docker.elastic.co/elasticsearch/elasticsearch:9.2.");
        assertThat(String.valueOf(service("kibana").get("image")))
                .startsWith("docker.elastic.co/kibana/kibana:9.2.");
        assertThat(String.valueOf(service("kafka").get("image"))).startsWith("apache/kafka:4.");
    }

    @Test
    void everyMountedRepositoryPathAndNamedVolumeExists() {
        Map<String, Object> volumes = cast(COMPOSE.get("volumes"));
        int bindMounts = 0;
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            for (String v : strings(s.getValue().get("volumes"))) {
                String source = v.split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    bindMounts++;
                    assertThat(DOCKER.resolve(source).normalize())
                            .as(s.getKey() + " mounts " + source)
                            .exists();
                } else {
                    assertThat(volumes)
                            .as(s.getKey() + " uses volume " + source)
                            .containsKey(source);
                }
            }
        }
        assertThat(bindMounts).isGreaterThan(5);
    }

    @Test
    void everyScriptAServiceRunsIsMountedFromTheRepository() {
        Pattern script = Pattern.compile("(/opt/beaconflow/[\\w./-]+\\.sh)");
        int scripts = 0;
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            List<String> words = new ArrayList<>(strings(s.getValue().get("entrypoint")));
            words.addAll(strings(s.getValue().get("command")));
            for (String w : words) {
                Matcher m = script.matcher(w);
                while (m.find()) {
                    scripts++;
                    assertThat(hostPath(s.getValue(), m.group(1)))
                            .as(s.getKey() + " runs " + m.group(1))
                            .isRegularFile();
                }
            }
        }
        assertThat(scripts).as("scripts run by services").isGreaterThanOrEqualTo(5);
    }

    /** The repository file a container path comes from, through the service's bind mounts. */
    private static Path hostPath(Map<String, Object> service, String containerPath) {
        for (String v : strings(service.get("volumes"))) {
            String[] parts = v.split(":");
            if (parts[0].startsWith(".") && containerPath.startsWith(parts[1] + "/")) {
                return DOCKER.resolve(parts[0])
                        .resolve(containerPath.substring(parts[1].length() + 1))
                        .normalize();
            }
        }
        return DOCKER.resolve("no-mount-for" + containerPath);
    }

    @Test
    void servicesWaitOnHealthChecksOrFinishedOneShotsNeverOnSleeps() {
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            Object deps = s.getValue().get("depends_on");
            if (deps == null) continue;
            assertThat(deps)
                    .as(s.getKey() + ": depends_on with conditions")
                    .isInstanceOf(Map.class);
            Map<String, Map<String, Object>> conditions = cast(deps);
            conditions.forEach(
                    (target, c) -> {
                        String condition = String.valueOf(c.get("condition"));
                        Map<String, Object> t = service(target);
                        if (condition.equals("service_healthy")) {
                            assertThat(t)
                                    .as(target + " has a health check")
                                    .containsKey("healthcheck");
                        } else {
                            assertThat(condition)
                                    .as(s.getKey() + " -> " + target)
                                    .isEqualTo("service_completed_successfully");
                            assertThat(String.valueOf(t.get("restart")))
                                    .as(target + " is a one-shot")
                                    .isEqualTo("no");
                        }
                    });
        }
        for (String longRunning :
                List.of("kafka", "elasticsearch", "kibana", "jobmanager", "taskmanager")) {
            assertThat(service(longRunning)).containsKey("healthcheck");
        }
        assertThat(COMPOSE.toString()).as("no sleeps in the compose file").doesNotContain("sleep ");
    }

    @Test
    void composeScriptsWaitOnConditionsNotSleeps() throws IOException {
        for (String script :
                List.of(
                        "flink/entrypoint.sh",
                        "flink/submit-job.sh",
                        "setup/setup.sh",
                        "build/build-jar.sh")) {
            assertThat(Files.readString(DOCKER.resolve(script)))
                    .as(script)
                    .doesNotContain("sleep ");
        }
    }

    @Test
    void topicsAddressesAndPortsAgreeWithTheJobConfig() {
        Map<String, Object> kafka = cast(JOB_CONFIG.get("kafka"));
        Map<String, Object> es = cast(JOB_CONFIG.get("elasticsearch"));
        String topicsCommand = String.join(" ", strings(service("topics").get("command")));
        for (String key : List.of("raw-topic", "dead-letter-topic", "late-topic")) {
            assertThat(topicsCommand).as("topics creates " + key).contains(kafka.get(key) + ":");
        }
        assertThat(strings(service("generator").get("command")))
                .contains("--topic=" + kafka.get("raw-topic"));

        // The job config reads the addresses from the environment the submitter sets.
        assertThat(String.valueOf(kafka.get("bootstrap-servers")))
                .startsWith("${BEACONFLOW_KAFKA_BOOTSTRAP");
        assertThat(String.valueOf(es.get("hosts"))).startsWith("${BEACONFLOW_ES_URL");
        Map<String, Object> env = cast(service("submitter").get("environment"));
        Map<String, Object> kafkaEnv = cast(service("kafka").get("environment"));
        String bootstrap = String.valueOf(env.get("BEACONFLOW_KAFKA_BOOTSTRAP"));
        assertThat(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS")))
                .as("the broker advertises what the job and the generator connect to")
                .contains("://" + bootstrap);
        assertThat(strings(service("generator").get("command")))
                .contains("--bootstrap=" + bootstrap);
        assertThat(String.valueOf(env.get("BEACONFLOW_ES_URL")))
                .isEqualTo("http://elasticsearch:9200");
        assertThat(strings(service("elasticsearch").get("ports"))).contains("9200:9200");

        // Flink REST: the port of flink-conf/config.yaml, published by the jobmanager, used by
        // the submitter.
        Map<String, Object> flink = load(REPO.resolve("flink-conf/config.yaml"));
        String restPort = String.valueOf(flink.get("rest.port"));
        assertThat(strings(service("jobmanager").get("ports"))).contains(restPort + ":" + restPort);
        assertThat(readDocker("flink/submit-job.sh")).contains("jobmanager:" + restPort);
        Map<String, Object> flinkServices = cast(COMPOSE.get("x-flink"));
        Map<String, Object> flinkEnv = cast(flinkServices.get("environment"));
        assertThat(String.valueOf(flinkEnv.get("TASK_MANAGER_NUMBER_OF_TASK_SLOTS")))
                .as("the image's entry point sets the slots; keep them as in config.yaml")
                .isEqualTo(String.valueOf(flink.get("taskmanager.numberOfTaskSlots")));
    }

    @Test
    void everyKeyTheFlinkEntrypointRewritesExistsInTheClusterConfig() {
        Map<String, Object> flink = load(REPO.resolve("flink-conf/config.yaml"));
        Matcher m =
                Pattern.compile("(?m)^set_key ([a-z.-]+) ")
                        .matcher(readDocker("flink/entrypoint.sh"));
        int keys = 0;
        while (m.find()) {
            keys++;
            assertThat(flink)
                    .as("flink-conf/config.yaml has " + m.group(1))
                    .containsKey(m.group(1));
        }
        assertThat(keys).isGreaterThanOrEqualTo(8);
    }

    @Test
    void theGeneratorAndJobMainClassesExist() throws Exception {
        List<String> entry = strings(service("generator").get("entrypoint"));
        Class.forName(entry.get(entry.size() - 1));
        assertThat(
                        Class.forName("io.beaconflow.jobs.BeaconflowJob")
                                .getMethod("main", String[].class))
                .isNotNull();
    }

    private static String readDocker(String file) {
        try {
            return Files.readString(DOCKER.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
