package io.beaconflow.collector.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.collector.translate.SdkFixtures;
import io.beaconflow.collector.translate.SpaRouteChangeTranslationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A single-page app in a real browser: Debian's headless Chromium (through Selenium) on the History
 * API shop of {@code src/test/browser/src/spa.js}, instrumented with the unmodified Grafana Faro
 * web SDK (its default instrumentations, NavigationInstrumentation among them), clicks from {@code
 * /spa} to a product, to checkout and back home without loading a document. Everything the SDK
 * sends is recorded as it arrives ({@link SdkRecorder}) and must come out of the collector's
 * translation and the job's decoder as the document load plus one route-change page view per
 * navigation, on the right routes ({@link SpaRouteChangeTranslationTest#assertFaroSpaVisit}).
 *
 * <p>The recording is written to {@code target/sdk-capture/faro-spa.requests.ndjson}: the committed
 * fixture {@code src/test/resources/sdk-payloads/faro-spa.requests.ndjson} is such a recording, and
 * the unit test checks it the same way (so a Faro upgrade that changes what it sends shows up here
 * first, with a new recording to commit).
 */
class SpaNavigationCaptureITCase {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void faroSpaNavigationsInChromiumAreRouteChangeViewsOfTheirRoutes() throws Exception {
        Chromium chromium = Chromium.installed();
        Path bundles =
                PageBundles.build(Path.of("src/test/browser"), Path.of("target/browser-test"));

        String capture = null;
        try (SdkRecorder recorder = new SdkRecorder();
                TestShop shop = new TestShop(bundles)) {
            shop.collectorUrl(recorder.url());
            ChromeDriver browser = chromium.start();
            try {
                browser.get(shop.origin() + "/spa/");
                BrowserEndToEndITCase.awaitLog(browser, "view 1 /");
                // Like a visitor, not a script: each click after the previous view has settled
                // (Faro ends a navigation after 100 ms without network or DOM activity).
                awaitNavigations(recorder, 0);
                browser.findElement(By.id("to-product")).click();
                BrowserEndToEndITCase.awaitLog(browser, "view 2 /product/42");
                awaitNavigations(recorder, 1);
                browser.findElement(By.id("to-checkout")).click();
                BrowserEndToEndITCase.awaitLog(browser, "view 3 /checkout");
                awaitNavigations(recorder, 2);
                browser.findElement(By.id("to-home")).click();
                BrowserEndToEndITCase.awaitLog(browser, "view 4 /");
                awaitNavigations(recorder, 3);
                String url = browser.getCurrentUrl();
                assertThat(url).as("no document load: the URL changed in place").endsWith("/spa");
            } finally {
                browser.get("about:blank");
                browser.quit();
                // Written whatever happened: what the SDK sent is what to look at when it fails.
                capture = recorder.ndjson();
                Path out = Path.of("target/sdk-capture/faro-spa.requests.ndjson");
                Files.createDirectories(out.getParent());
                Files.writeString(out, capture);
                System.out.println("spa capture: " + out.toAbsolutePath());
                for (ObjectNode r : recorder.requests())
                    System.out.println("spa capture: " + summary(r));
            }
        }
        SpaRouteChangeTranslationTest.assertFaroSpaVisit(SdkFixtures.parse(capture));
    }

    /** Waits until the recorder holds {@code n} faro.navigation events. */
    private static void awaitNavigations(SdkRecorder recorder, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            int seen = navigations(recorder.requests());
            if (seen >= n) return;
            assertThat(System.nanoTime())
                    .as("%d faro.navigation events within 20 s (%d so far)", n, seen)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Method, path and the names of the events (or kinds of items) a request carried. */
    private static String summary(ObjectNode r) {
        StringBuilder out =
                new StringBuilder(r.path("method").asText() + " " + r.path("path").asText());
        if (!r.path("method").asText().equals("POST")) return out.toString();
        try {
            JsonNode body = JSON.readTree(r.path("body_text").asText());
            body.fieldNames()
                    .forEachRemaining(
                            f -> {
                                if (!f.equals("meta")) out.append(' ').append(f);
                            });
            for (JsonNode e : body.path("events"))
                out.append(" [").append(e.path("name").asText()).append(']');
        } catch (Exception e) {
            out.append(" (not JSON)");
        }
        return out.toString();
    }

    private static int navigations(List<ObjectNode> requests) throws Exception {
        int n = 0;
        for (ObjectNode r : requests) {
            if (!r.path("method").asText().equals("POST")) continue;
            for (JsonNode e : JSON.readTree(r.path("body_text").asText()).path("events")) {
                if (e.path("name").asText().equals("faro.navigation")) n++;
            }
        }
        return n;
    }
}
