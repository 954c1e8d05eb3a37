package io.beaconflow.collector;

import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.server.CollectorServer;
import io.beaconflow.collector.server.GeoIp;
import io.beaconflow.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./beaconflow collect}: the beacon collector. Only wires config, Kafka, geo-IP, server. */
@Command(
        name = "collect",
        mixinStandardHelpOptions = true,
        description = {
            "Receives beacons from Grafana Faro (POST /collect), OpenTelemetry web (POST"
                    + " /v1/traces) and the native contract (POST /rum), and writes them to Kafka"
                    + " in the RUM event contract. GET /healthz, /readyz, /metrics."
        })
public final class CollectorMain implements Callable<Integer> {

    @Option(
            names = "--config",
            description = "collector config file (default: ${DEFAULT-VALUE})",
            defaultValue = "flink-conf/collector.yaml")
    Path config;

    @Option(names = "--listen", description = "host:port, overrides the config's listen")
    String listen;

    @Option(
            names = "--bootstrap-servers",
            description = "Kafka bootstrap servers, overrides kafka.bootstrap-servers")
    String bootstrap;

    @Option(names = "--topic", description = "raw topic, overrides kafka.topic")
    String topic;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CollectorConfig cfg;
        try {
            cfg = CollectorConfig.load(config);
            if (listen != null) cfg.listen = listen;
            if (bootstrap != null) cfg.kafka.bootstrapServers = bootstrap;
            if (topic != null) cfg.kafka.topic = topic;
            cfg.validate(config + " (with command-line overrides)");
        } catch (ConfigException e) {
            System.err.println("collect: " + e.getMessage());
            return 2;
        }
        GeoIp geo = cfg.geoip.database.isBlank() ? null : new GeoIp(Path.of(cfg.geoip.database));
        KafkaRecordSink sink =
                new KafkaRecordSink(
                        cfg.kafka, Math.max(32L << 20, cfg.limits.maxInFlightBytes * 2));
        sink.start(CollectorServer.healthInterval());
        CollectorServer server = new CollectorServer(cfg, sink, geo, System::currentTimeMillis);
        int port = server.start();
        System.err.printf(
                "collect: listening on %s (port %d), writing to %s topic %s%s%n",
                cfg.listen,
                port,
                cfg.kafka.bootstrapServers,
                cfg.kafka.topic,
                geo == null ? "" : ", geo-IP " + geo.databaseType());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    System.err.println("collect: draining ...");
                                    server.close();
                                    sink.close();
                                    stopped.countDown();
                                },
                                "collector-shutdown"));
        stopped.await();
        return 0;
    }
}
