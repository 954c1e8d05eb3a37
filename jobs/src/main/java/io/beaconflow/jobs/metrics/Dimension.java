package io.beaconflow.jobs.metrics;

/**
 * A dimension that splits an app's traffic into series: one series per value. {@link #ALL} is the
 * app total (value {@code *}).
 */
public enum Dimension {
    ALL("all"),
    ROUTE("route"),
    RELEASE("release"),
    BROWSER("browser"),
    COUNTRY("country"),
    DEVICE("device"),
    /** One series per experiment assignment; the value is {@code experiment=variant}. */
    VARIANT("variant"),
    /** Operating system as parsed from the user agent. */
    OS("os"),
    /** Browser and major version, e.g. {@code Chrome 131}. */
    BROWSER_VERSION("browser_version"),
    /**
     * Fetches only: method and endpoint template, e.g. {@code GET /api/orders/:id}. Its rows have
     * the fetch fields (counts, status classes, failures, latency) and nothing else.
     */
    ENDPOINT("endpoint");

    /** The dimension value of the app-total series. */
    public static final String ALL_VALUE = "*";

    private final String configName;

    Dimension(String configName) {
        this.configName = configName;
    }

    /** The name used in config files and in the {@code dimension} field of output rows. */
    public String configName() {
        return configName;
    }

    /** The dimension for a configured name (not {@code all}), or {@code null}. */
    public static Dimension fromName(String name) {
        for (Dimension d : values()) {
            if (d != ALL && d.configName.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
