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
                        "generator",
                        "collector");
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
                List.of(
                        "kafka",
                        "elasticsearch",
                        "kibana",
                        "jobmanager",
                        "taskmanager",
                        "collector")) {
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
                        "flink/job-config.sh",
                        "setup/setup.sh",
                        "setup/secrets.sh",
                        "setup/kibana-entrypoint.sh",
                        "setup/dashboards.sh",
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
                .isEqualTo("https://elasticsearch:9200");
        assertThat(strings(service("elasticsearch").get("ports"))).contains("127.0.0.1:9200:9200");

        // The collector writes the job's raw topic through the broker the job reads, and listens
        // where its published port and health check point.
        Map<String, Object> collectorConfig = load(REPO.resolve("flink-conf/collector.yaml"));
        Map<String, Object> collectorKafka = cast(collectorConfig.get("kafka"));
        assertThat(String.valueOf(collectorKafka.get("topic"))).isEqualTo(kafka.get("raw-topic"));
        assertThat(String.valueOf(collectorKafka.get("bootstrap-servers")))
                .startsWith("${BEACONFLOW_KAFKA_BOOTSTRAP");
        assertThat(String.valueOf(collectorConfig.get("listen")))
                .startsWith("${BEACONFLOW_COLLECTOR_LISTEN");
        Map<String, Object> collectorEnv = cast(service("collector").get("environment"));
        assertThat(String.valueOf(collectorEnv.get("BEACONFLOW_KAFKA_BOOTSTRAP")))
                .isEqualTo(bootstrap);
        assertThat(String.valueOf(collectorEnv.get("BEACONFLOW_COLLECTOR_LISTEN")))
                .isEqualTo("0.0.0.0:4318");
        assertThat(strings(service("collector").get("ports")))
                .containsExactly("127.0.0.1:4318:4318");
        Map<String, Object> collectorHealth = cast(service("collector").get("healthcheck"));
        assertThat(String.join(" ", strings(collectorHealth.get("test"))))
                .contains("http://localhost:4318/readyz");

        // Flink REST: the port of flink-conf/config.yaml, published by the jobmanager, used by
        // the submitter.
        Map<String, Object> flink = load(REPO.resolve("flink-conf/config.yaml"));
        String restPort = String.valueOf(flink.get("rest.port"));
        assertThat(strings(service("jobmanager").get("ports")))
                .contains("127.0.0.1:" + restPort + ":" + restPort);
        assertThat(readDocker("flink/submit-job.sh")).contains("jobmanager:" + restPort);
        Map<String, Object> flinkServices = cast(COMPOSE.get("x-flink"));
        Map<String, Object> flinkEnv = cast(flinkServices.get("environment"));
        assertThat(String.valueOf(flinkEnv.get("TASK_MANAGER_NUMBER_OF_TASK_SLOTS")))
                .as("the image's entry point sets the slots; keep them as in config.yaml")
                .isEqualTo(String.valueOf(flink.get("taskmanager.numberOfTaskSlots")));
    }

    @Test
    void everyPublishedPortIsBoundToLoopbackAndKafkaIsNotPublished() {
        int published = 0;
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            for (String port : strings(s.getValue().get("ports"))) {
                published++;
                assertThat(port)
                        .as(s.getKey() + " publishes " + port + ": only on 127.0.0.1")
                        .matches("127\\.0\\.0\\.1:\\d+:\\d+");
            }
            assertThat(s.getValue())
                    .as(s.getKey() + ": host networking would bypass the port bindings")
                    .doesNotContainKey("network_mode");
        }
        assertThat(published).as("Elasticsearch, Kibana, Flink REST, the collector").isEqualTo(4);
        Map<String, Object> kafka = service("kafka");
        assertThat(kafka).as("plaintext Kafka stays inside the network").doesNotContainKey("ports");
        Map<String, Object> env = cast(kafka.get("environment"));
        assertThat(String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS")))
                .isEqualTo("INTERNAL://kafka:9092");
    }

    @Test
    void elasticsearchRunsWithSecurityAndTlsAndEveryClientUsesThem() {
        Map<String, Object> es = cast(service("elasticsearch").get("environment"));
        assertThat(es)
                .containsEntry("xpack.security.enabled", "true")
                .containsEntry("xpack.security.http.ssl.enabled", "true")
                .containsEntry("xpack.security.transport.ssl.enabled", "true")
                .containsEntry("ELASTIC_PASSWORD_FILE", "/opt/beaconflow/secrets/elastic-password")
                .doesNotContainKey("ELASTIC_PASSWORD");
        assertThat(String.valueOf(service("elasticsearch").get("healthcheck")))
                .contains("https://localhost:9200")
                .contains("--cacert");
        Map<String, Object> kibana = cast(service("kibana").get("environment"));
        assertThat(String.valueOf(kibana.get("ELASTICSEARCH_HOSTS")))
                .isEqualTo("https://elasticsearch:9200");
        assertThat(kibana).containsEntry("ELASTICSEARCH_USERNAME", "kibana_system");
        Map<String, Object> setup = cast(service("setup").get("environment"));
        assertThat(String.valueOf(setup.get("ES_URL"))).startsWith("https://");
        assertThat(readDocker("setup/setup.sh"))
                .contains("/_security/user/kibana_system/_password")
                .contains("/_security/user/beaconflow")
                .contains("--cacert");
        // The certificates and passwords exist before anything needs them.
        Map<String, Map<String, Object>> esDeps = cast(service("elasticsearch").get("depends_on"));
        assertThat(esDeps.get("secrets"))
                .containsEntry("condition", "service_completed_successfully");
        assertThat(readDocker("setup/secrets.sh"))
                .contains("elasticsearch-certutil ca")
                .contains("elasticsearch-certutil cert");
    }

    @Test
    void noPasswordSaltOrKeyIsWrittenInTheComposeFilesOnlyGeneratedOnes() throws IOException {
        Pattern secretName = Pattern.compile("(?i).*(password|salt|secret|token|api_?key)$");
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            Object envs = s.getValue().get("environment");
            if (!(envs instanceof Map)) continue;
            Map<String, Object> env = cast(envs);
            env.forEach(
                    (k, v) ->
                            assertThat(secretName.matcher(k).matches())
                                    .as(s.getKey() + " sets " + k + " in the compose file")
                                    .isFalse());
        }
        String composeText = Files.readString(DOCKER.resolve("docker-compose.yml"));
        assertThat(composeText)
                .doesNotContain("change-me")
                .doesNotContain("demo-salt")
                .doesNotContainPattern("(?i)password\\s*[:=]\\s*[\"']?[A-Za-z0-9]");
        // Every secret a service or script reads is one that secrets.sh generates.
        String generator = readDocker("setup/secrets.sh");
        Matcher m = Pattern.compile("/opt/beaconflow/secrets/([a-z0-9-]+)").matcher("");
        int secrets = 0;
        List<String> texts = new ArrayList<>(List.of(composeText));
        for (String script :
                List.of(
                        "flink/entrypoint.sh",
                        "flink/submit-job.sh",
                        "setup/setup.sh",
                        "setup/kibana-entrypoint.sh",
                        "setup/dashboards.sh")) {
            texts.add(readDocker(script));
        }
        for (String text : texts) {
            m.reset(text.replace("$secrets/", "/opt/beaconflow/secrets/"));
            while (m.find()) {
                secrets++;
                assertThat(generator).as("secrets.sh generates " + m.group(1)).contains(m.group(1));
            }
        }
        assertThat(secrets).isGreaterThanOrEqualTo(6);
        // The job's salt comes from there too: the shipped config has no default.
        assertThat(String.valueOf(cast(JOB_CONFIG.get("ingest")).toString()))
                .doesNotContain("demo-salt");
        assertThat(readDocker("flink/submit-job.sh")).contains("secrets/user-id-salt");
    }

    @Test
    void flinkRefusesWebJarUploadsAndTheComposeEntrypointKeepsItThatWay() {
        Map<String, Object> flink = load(REPO.resolve("flink-conf/config.yaml"));
        assertThat(flink.get("web.submit.enable")).isEqualTo(false);
        assertThat(readDocker("flink/entrypoint.sh")).doesNotContain("web.submit.enable");
        assertThat(String.valueOf(service("jobmanager").get("environment")))
                .doesNotContain("web.submit.enable");
    }

    @Test
    void theSubmittersJobConfigAuthenticatesToElasticsearchWithTheGeneratedUser() throws Exception {
        Path out = Files.createTempFile("compose-job-config", ".yaml");
        try {
            Process p =
                    new ProcessBuilder(
                                    "bash",
                                    DOCKER.resolve("flink/job-config.sh").toString(),
                                    REPO.resolve("flink-conf/beaconflow.yaml").toString(),
                                    out.toString())
                            .redirectErrorStream(true)
                            .start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            Map<String, String> env =
                    Map.of(
                            "BEACONFLOW_ES_URL", "https://elasticsearch:9200",
                            "BEACONFLOW_KAFKA_BOOTSTRAP", "kafka:9092",
                            "BEACONFLOW_USER_ID_SALT", "generated");
            io.beaconflow.jobs.config.BeaconflowConfig c =
                    io.beaconflow.jobs.config.BeaconflowConfig.parse(
                            Files.readString(out), out.toString(), env::get);
            var es = c.elasticsearchSinkConfig(out.toString());
            assertThat(es.username()).isEqualTo("beaconflow");
            assertThat(es.passwordEnv()).isEqualTo("BEACONFLOW_ES_PASSWORD");
            assertThat(es.caCert()).isEqualTo("/opt/beaconflow/certs/ca/ca.crt");
            assertThat(es.hosts()).containsExactly("https://elasticsearch:9200");
            assertThat(String.valueOf(es))
                    .doesNotContain(String.valueOf(System.getenv("BEACONFLOW_ES_PASSWORD")));
            assertThat(Path.of(c.detection.specsFile)).isAbsolute().isRegularFile();
            // The TaskManagers export the variable the config names, from the generated file.
            assertThat(readDocker("flink/entrypoint.sh"))
                    .contains(
                            "BEACONFLOW_ES_PASSWORD=\"$(cat /opt/beaconflow/secrets/beaconflow-es-password)\"");
            assertThat(readDocker("setup/setup.sh")).contains("beaconflow-es-password");
        } finally {
            Files.deleteIfExists(out);
        }
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
