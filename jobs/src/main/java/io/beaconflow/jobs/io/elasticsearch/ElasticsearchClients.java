package io.beaconflow.jobs.io.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import co.elastic.clients.transport.rest5_client.low_level.Rest5ClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds an {@link ElasticsearchClient} (Rest5Client transport) from an {@link
 * ElasticsearchSinkConfig}: hosts, TLS with a PEM CA and optional hostname verification, basic or
 * API-key authentication with secrets from environment variables. Used by the sink writer, {@link
 * IndexTemplates} at job start, and tests.
 */
public final class ElasticsearchClients {
    private ElasticsearchClients() {}

    /** A client with secrets read from the real environment. Close it with {@link #close}. */
    public static ElasticsearchClient create(ElasticsearchSinkConfig config) {
        return create(config, System::getenv);
    }

    public static ElasticsearchClient create(
            ElasticsearchSinkConfig config, Function<String, String> env) {
        return create(config, config.credentials(env));
    }

    static ElasticsearchClient create(
            ElasticsearchSinkConfig config, ElasticsearchSinkConfig.Credentials credentials) {
        URI[] uris = config.hosts().stream().map(URI::create).toArray(URI[]::new);
        Rest5ClientBuilder builder = Rest5Client.builder(uris);
        String authorization = credentials.authorizationHeader();
        if (authorization != null) {
            builder.setDefaultHeaders(
                    new Header[] {new BasicHeader("Authorization", authorization)});
        }
        boolean tls = config.hosts().stream().anyMatch(h -> h.startsWith("https://"));
        if (tls) {
            SSLContext ssl =
                    config.caCert() == null
                            ? defaultSslContext()
                            : sslContextTrusting(Path.of(config.caCert()));
            builder.setSSLContext(ssl);
            if (!config.verifyHostname()) {
                builder.setConnectionManagerCallback(
                        cm ->
                                cm.setTlsStrategy(
                                        ClientTlsStrategyBuilder.create()
                                                .setSslContext(ssl)
                                                .setHostVerificationPolicy(
                                                        HostnameVerificationPolicy.CLIENT)
                                                .setHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                                                .buildAsync()));
            }
        }
        // Apache HttpClient 5 retries a 429 or 503 once by itself (after Retry-After or 1 s),
        // unseen by the writer: that retry escaped RetryPolicy's budget and backoff and the
        // retries counter (ElasticsearchFaultsITCase found it). Every retry is the writer's.
        builder.setHttpClientConfigCallback(HttpAsyncClientBuilder::disableAutomaticRetries);
        long connectMs = config.connectTimeout().toMillis();
        long responseMs = config.responseTimeout().toMillis();
        builder.setConnectionConfigCallback(
                c -> c.setConnectTimeout(Timeout.of(connectMs, TimeUnit.MILLISECONDS)));
        builder.setRequestConfigCallback(
                r -> r.setResponseTimeout(Timeout.of(responseMs, TimeUnit.MILLISECONDS)));
        Rest5ClientTransport transport =
                new Rest5ClientTransport(builder.build(), new JacksonJsonpMapper());
        return new ElasticsearchClient(transport);
    }

    /** Closes the client and its connection pool. */
    public static void close(ElasticsearchClient client) throws IOException {
        if (client != null) client._transport().close();
    }

    private static SSLContext defaultSslContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /** An SSL context that trusts the certificates in a PEM file (and nothing else). */
    static SSLContext sslContextTrusting(Path pem) {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "elasticsearch.ca-cert: "
                            + pem
                            + " does not exist. Fix: point it at the PEM file of the CA that"
                            + " signed the cluster's HTTP certificate (config/certs/http_ca.crt"
                            + " on an Elasticsearch 8+ node)",
                    e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "elasticsearch.ca-cert: "
                            + pem
                            + " cannot be read as PEM certificates ("
                            + e.getMessage()
                            + "). Fix: use the CA certificate in PEM form (-----BEGIN"
                            + " CERTIFICATE-----)",
                    e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(
                    "elasticsearch.ca-cert: "
                            + pem
                            + " holds no certificate. Fix: use the CA certificate in PEM form");
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certs) trust.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + pem, e);
        }
    }
}
