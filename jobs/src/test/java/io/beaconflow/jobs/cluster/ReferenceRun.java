package io.beaconflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.BeaconflowJob;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.JsonDocumentEmitter.SerializableFunction;
import io.beaconflow.jobs.io.webhook.WebhookConfig;
import io.beaconflow.jobs.io.webhook.WebhookPayloads;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The uninterrupted reference a failover run is compared with: the same graph ({@link
 * BeaconflowPipeline}) with the same job config file, on an embedded MiniCluster in the test JVM,
 * reading the very records the cluster job read (the run's raw topic, bounded at its end offsets,
 * so the same partitions, offsets and order), never failing. What it keeps per output is what an
 * Elasticsearch sink that overwrites by id ends up holding: the highest version of each document
 * id, as the JSON the sink writes ({@link Json#newOutputMapper()}); and every webhook notification
 * as the JSON body the notifier POSTs.
 *
 * <p>It ends differently from the cluster job: a bounded source ends with the maximal watermark,
 * which fires every window and session still open. The run's end-of-stream markers ({@link
 * ClusterRun#END_APP}) move the cluster job's watermark hours past the traffic, so both close
 * everything of the traffic; the markers' own documents exist only here and are left out.
 */
final class ReferenceRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Final documents by id (markers excluded), notification bodies by idempotency key. */
    record Result(
            Map<String, JsonNode> sessions,
            Map<String, JsonNode> metrics,
            Map<String, JsonNode> alerts,
            Map<String, String> notifications,
            long notificationCopies,
            Duration took) {}

    private ReferenceRun() {}

    static Result run(ClusterRun run) throws Exception {
        long started = System.nanoTime();
        BeaconflowConfig config = BeaconflowConfig.load(run.configFile);
        config.kafka.groupId = run.id + "-reference";
        config.kafka.startFrom = "earliest";
        // As flink-conf/config.yaml sets for the cluster.
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        // Watermarks every 5 ms instead of Flink's 200 ms. Whether an event is late is judged
        // against the watermark, which trails the data by up to one interval; read at full speed
        // (10,000+ records/s here) 200 ms is minutes of event time, enough for ClusterRun's
        // beacons 10-12 minutes late to pass as within the allowed lateness (5 min + 30 s
        // out-of-orderness). The paced cluster job's watermark trails by seconds; so does this
        // one's at 5 ms.
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(5));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(ClusterRun.PARALLELISM, conf);
        // The production job's input wiring, bounded at the offsets latest now.
        BeaconflowPipeline pipeline = BeaconflowJob.fromKafka(env, config, true);
        String name = run.id + "-reference";
        pipeline.sessions()
                .sinkTo(FinalVersions.sink(name + "-sessions", s -> s.sessionKey, s -> s.updateSeq))
                .name("reference: sessions");
        pipeline.metrics()
                .sinkTo(FinalVersions.sink(name + "-metrics", m -> m.id, m -> m.updateSeq))
                .name("reference: metrics");
        pipeline.alerts()
                .sinkTo(FinalVersions.sink(name + "-alerts", a -> a.alertId, a -> a.updateSeq))
                .name("reference: alerts");
        WebhookConfig.Format format =
                config.notifications.webhook == null
                        ? WebhookConfig.DEFAULT_FORMAT
                        : config.notifications.webhook.format;
        pipeline.notifications()
                .sinkTo(
                        new FinalVersions<>(
                                name + "-notifications",
                                n -> n.idempotencyKey,
                                n -> 0,
                                n ->
                                        new String(
                                                WebhookPayloads.body(format, n),
                                                StandardCharsets.UTF_8)))
                .name("reference: notifications");
        env.execute(name);

        Map<String, String> notifications = new TreeMap<>();
        long copies = 0;
        for (Map.Entry<String, FinalVersions.Version> e :
                FinalVersions.take(name + "-notifications").entrySet()) {
            notifications.put(e.getKey(), e.getValue().json());
            copies += e.getValue().copies() - 1;
        }
        return new Result(
                withoutMarkers(FinalVersions.take(name + "-sessions")),
                withoutMarkers(FinalVersions.take(name + "-metrics")),
                withoutMarkers(FinalVersions.take(name + "-alerts")),
                notifications,
                copies,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static Map<String, JsonNode> withoutMarkers(Map<String, FinalVersions.Version> in)
            throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, FinalVersions.Version> e : in.entrySet()) {
            JsonNode doc = JSON.readTree(e.getValue().json());
            // The end-of-stream markers' own session and windows: closed here by the final
            // watermark, still open in the cluster job (nothing comes after them to close them).
            if (ClusterRun.END_APP.equals(doc.path("app").asText())) continue;
            out.put(e.getKey(), doc);
        }
        return out;
    }

    /**
     * A sink keeping, per document id, the version with the highest sequence number as JSON (what
     * an overwrite-by-id store ends up with) and how many records carried that id. Serializes at
     * once, so object reuse upstream cannot change what was kept. Results live in this JVM (the
     * MiniCluster runs in it), under a name per run.
     */
    static final class FinalVersions<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private static final Map<String, Map<String, Version>> RESULTS = new ConcurrentHashMap<>();

        record Version(int seq, String json, long copies) {}

        private final String name;
        private final SerializableFunction<T, String> id;
        private final SerializableFunction<T, Integer> seq;
        private final SerializableFunction<T, String> body;

        FinalVersions(
                String name,
                SerializableFunction<T, String> id,
                SerializableFunction<T, Integer> seq,
                SerializableFunction<T, String> body) {
            this.name = name;
            this.id = id;
            this.seq = seq;
            this.body = body;
            RESULTS.put(name, new ConcurrentHashMap<>());
        }

        /** Documents as the Elasticsearch sink's emitter serializes them. */
        static <T> FinalVersions<T> sink(
                String name,
                SerializableFunction<T, String> id,
                SerializableFunction<T, Integer> seq) {
            return new FinalVersions<>(name, id, seq, null);
        }

        static Map<String, Version> take(String name) {
            Map<String, Version> r = RESULTS.remove(name);
            return r == null ? Map.of() : Collections.unmodifiableMap(r);
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Map<String, Version> target = RESULTS.get(name);
            ObjectMapper mapper = Json.newOutputMapper();
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) throws java.io.IOException {
                    String key = id.apply(element);
                    int s = seq.apply(element);
                    String json =
                            body != null ? body.apply(element) : mapper.writeValueAsString(element);
                    target.merge(
                            key,
                            new Version(s, json, 1),
                            (old, fresh) ->
                                    fresh.seq() >= old.seq()
                                            ? new Version(
                                                    fresh.seq(), fresh.json(), old.copies() + 1)
                                            : new Version(old.seq(), old.json(), old.copies() + 1));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
