package io.beaconflow.collector.server;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Country of a client IP from a MaxMind GeoIP2 / GeoLite2 database (Country or City edition), read
 * with MaxMind's GeoIP2 Java API. Lookups are in memory (memory-mapped file); an address the
 * database does not know gives no country, never an error.
 */
public final class GeoIp implements Closeable {
    private final DatabaseReader reader;
    private final boolean city;

    public GeoIp(Path database) throws IOException {
        this.reader = new DatabaseReader.Builder(database.toFile()).build();
        this.city = reader.getMetadata().getDatabaseType().contains("City");
    }

    /** ISO 3166-1 alpha-2 code, or null. */
    public String country(InetAddress ip) {
        if (ip == null) return null;
        try {
            String iso;
            if (city) {
                Optional<CityResponse> r = reader.tryCity(ip);
                iso = r.map(c -> c.getCountry().getIsoCode()).orElse(null);
            } else {
                Optional<CountryResponse> r = reader.tryCountry(ip);
                iso = r.map(c -> c.getCountry().getIsoCode()).orElse(null);
            }
            return iso != null && iso.matches("^[A-Z]{2}$") ? iso : null;
        } catch (IOException | GeoIp2Exception e) {
            return null;
        }
    }

    public String databaseType() {
        return reader.getMetadata().getDatabaseType();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
