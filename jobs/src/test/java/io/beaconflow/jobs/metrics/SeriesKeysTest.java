package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesKeysTest {

    @Test
    void everyKeyEqualsSeriesKeyOfAndEqualInputsShareOneInstance() {
        SeriesKeys keys = new SeriesKeys(1_000);
        Random rnd = new Random(3);
        String[] apps = {"shop-web", "news-web", null};
        Dimension[] dims = Dimension.values();
        for (int i = 0; i < 5_000; i++) {
            String app = apps[rnd.nextInt(apps.length)];
            // Fresh instances every time, as decoded events would carry them.
            String appCopy = app == null ? null : new String(app);
            Dimension d = dims[rnd.nextInt(dims.length)];
            String value = new String("v" + rnd.nextInt(40));
            String key = keys.of(appCopy, d, value);
            assertThat(key).isEqualTo(SeriesKey.of(app, d, value));
            assertThat(keys.of(app, d, new String(value))).isSameAs(key);
        }
        assertThat(keys.size()).isLessThanOrEqualTo(3 * dims.length * 40);
    }

    @Test
    void pastItsCapacityItStartsOverAndStillAnswersRight() {
        SeriesKeys keys = new SeriesKeys(10);
        for (int i = 0; i < 25; i++) {
            assertThat(keys.of("app", Dimension.ROUTE, "/r" + i))
                    .isEqualTo(SeriesKey.of("app", Dimension.ROUTE, "/r" + i));
            assertThat(keys.size()).isBetween(1, 10);
        }
        assertThat(keys.size()).isEqualTo(5);
    }

    @Test
    void uncachedBuildsEveryKeyAndKeepsNone() {
        String a = SeriesKeys.UNCACHED.of("app", Dimension.COUNTRY, "DE");
        String b = SeriesKeys.UNCACHED.of("app", Dimension.COUNTRY, "DE");
        assertThat(a).isEqualTo(b).isNotSameAs(b);
        assertThat(SeriesKeys.UNCACHED.size()).isZero();
        assertThatThrownBy(() -> new SeriesKeys(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
