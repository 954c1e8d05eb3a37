package io.beaconflow.collector.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.testing.Stack;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The installed Chromium and its chromedriver (Debian's packages; {@code BEACONFLOW_CHROMIUM} /
 * {@code BEACONFLOW_CHROMEDRIVER} elsewhere), as the browser ITCases drive it through Selenium.
 * Chromium missing is a failure, not a skip: CI installs it ({@code .ci/install-deps.sh}).
 */
record Chromium(Path binary, Path driver) {

    /** The installed pair; fails with how to install it when either is missing. */
    static Chromium installed() {
        Chromium c =
                new Chromium(
                        Path.of(Stack.env("BEACONFLOW_CHROMIUM", "/usr/bin/chromium")),
                        Path.of(Stack.env("BEACONFLOW_CHROMEDRIVER", "/usr/bin/chromedriver")));
        assertThat(Files.isExecutable(c.binary) && Files.isExecutable(c.driver))
                .as(
                        "%s and %s must exist: run .ci/install-deps.sh (Debian packages chromium,"
                                + " chromium-driver) or set BEACONFLOW_CHROMIUM /"
                                + " BEACONFLOW_CHROMEDRIVER",
                        c.binary, c.driver)
                .isTrue();
        return c;
    }

    /** A headless browser that says it is the desktop Chrome of the same version. */
    ChromeDriver start() throws Exception {
        return chrome(desktopUserAgent());
    }

    private ChromeDriver chrome(String userAgent) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(binary.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        // --user-agent: headless Chromium says "HeadlessChrome", which the job rightly flags as a
        // bot (UserAgentClassifierTest keeps that rule), so its sessions would never reach the
        // metric series; the visitors this test stands for are not headless.
        o.addArguments(
                "--headless=new",
                "--user-agent=" + userAgent,
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--no-first-run",
                "--window-size=1280,900");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(driver.toString()))
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, o);
    }

    /**
     * The user agent desktop Chrome of the installed Chromium's major version sends on Linux (the
     * reduced form: minor, build and patch are zeros), i.e. headless Chromium's own string without
     * "Headless".
     */
    private String desktopUserAgent() throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--version").start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s --version ends", binary).isTrue();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?:Chromium|Chrome) (\\d+)\\.").matcher(out);
        assertThat(m.find())
                .as("a version in the output of %s --version: %s", binary, out)
                .isTrue();
        return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
                + m.group(1)
                + ".0.0.0 Safari/537.36";
    }
}
