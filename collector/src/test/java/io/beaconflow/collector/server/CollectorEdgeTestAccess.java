package io.beaconflow.collector.server;

/** The edge test's sample backend export, for tests in other packages. */
public final class CollectorEdgeTestAccess {
    private CollectorEdgeTestAccess() {}

    public static String serverSpanExport() {
        return CollectorEdgeTest.SERVER_SPAN_EXPORT;
    }
}
