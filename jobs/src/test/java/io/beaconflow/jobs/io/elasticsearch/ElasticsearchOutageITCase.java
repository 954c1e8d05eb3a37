package io.beaconflow.jobs.io.elasticsearch;

import static io.beaconflow.jobs.io.elasticsearch.TestDocs.counter;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.io.elasticsearch.TestDocs.Doc;
import io.beaconflow.jobs.testing.MiniClusters;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Elasticsearch goes away for 30 s in the middle of a checkpointed job and comes back ({@code
 * scripts/stack.sh down es} / {@code up es}): the writer keeps retrying, the job keeps running, and
 * at the end every document is there exactly once with its content.
 */
class ElasticsearchOutageITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withSlots(2, METRICS.addToConfiguration(new Configuration()));

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(ElasticsearchOutageITCase.class);
    private static final long N = 12_000;
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private EsCluster es;
    private String prefix;

    @BeforeEach
    void cluster() {
        es = EsCluster.plain();
        prefix = EsCluster.freshPrefix("outage");
    }

    @AfterEach
    void cleanUp() throws Exception {
        stack("up", "es"); // whatever happened, leave the cluster running for the next test
        es.deleteIndices(prefix);
    }

    /** Runs scripts/stack.sh on the ES port of BEACONFLOW_ES_URL; fails with its output. */
    private void stack(String... args) throws IOException, InterruptedException {
        Path script = Path.of("..", "scripts", "stack.sh").toAbsolutePath().normalize();
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = script.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("BEACONFLOW_ES_PORT", Integer.toString(URI.create(es.url).getPort()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("stack.sh finished").isTrue();
        assertThat(p.exitValue())
                .as("scripts/stack.sh " + String.join(" ", args) + ":\n" + out)
                .isZero();
    }

    @Test
    void elasticsearchDownForThirtySecondsLosesAndDuplicatesNothing() throws Exception {
        String index = prefix + "docs";
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(2_000);
        ElasticsearchSinkConfig config =
                ElasticsearchSinkConfig.parse(
                        String.join(
                                "\n",
                                "hosts: " + es.url,
                                "bulk:",
                                "  max-actions: 200",
                                "  flush-interval: 500ms",
                                "retry:",
                                "  max-backoff: 2s",
                                "  max-duration: 5m\n"),
                        "test");
        env.fromSource(
                        new DataGeneratorSource<>(
                                Doc::of,
                                N,
                                RateLimiterStrategy.perSecond(2_000),
                                TypeInformation.of(Doc.class)),
                        WatermarkStrategy.noWatermarks(),
                        "paced docs")
                .sinkTo(
                        ElasticsearchSink.<Doc>builder()
                                .config(config)
                                .emitter(TestDocs.emitter(index))
                                .build())
                .name("docs to Elasticsearch");
        JobClient job = env.executeAsync("outage");

        EsCluster.await(
                "some documents indexed before the outage",
                Duration.ofSeconds(60),
                () -> countOrZero(index) >= 3_000);
        long retriesBefore = counter(METRICS, job.getJobID(), "retries");

        stack("down", "es");
        long down = System.nanoTime();
        assertThat(es.isUp()).isFalse();
        EsCluster.await(
                "the outage to last " + OUTAGE + " with the writer retrying",
                OUTAGE.plusSeconds(30),
                () ->
                        System.nanoTime() - down >= OUTAGE.toNanos()
                                && counter(METRICS, job.getJobID(), "retries")
                                        >= retriesBefore + 5);
        assertThat(job.getJobStatus().get())
                .as("the job waits for Elasticsearch instead of failing")
                .isEqualTo(JobStatus.RUNNING);
        long upStart = System.nanoTime();
        stack("up", "es");
        LOG.info(
                "Elasticsearch was down {} s (restart took {} s)",
                (System.nanoTime() - down) / 1_000_000_000L,
                (System.nanoTime() - upStart) / 1_000_000_000L);

        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        LOG.info(
                "job finished {} s after the restart",
                (System.nanoTime() - upStart) / 1_000_000_000L);

        assertThat(es.count(index)).isEqualTo(N);
        TestDocs.assertExactly(es.all(index, "seq"), N);
        assertThat(counter(METRICS, job.getJobID(), "documentsSent")).isGreaterThanOrEqualTo(N);
        assertThat(counter(METRICS, job.getJobID(), "permanentFailures")).isZero();
    }

    private long countOrZero(String index) {
        try {
            return es.request("HEAD", "/" + index, null).status == 200 ? es.count(index) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
