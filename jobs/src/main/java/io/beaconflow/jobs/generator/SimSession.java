package io.beaconflow.jobs.generator;

/** One simulated visit: who the user is, the plan of its views, and its JSON fragments. */
final class SimSession {
    SimApp app;
    boolean bot;
    String family;
    String device;
    String userAgent;
    String country;
    String release;

    /** {@code experiment=variant} of each experiment of the app, as sent; null without any. */
    java.util.List<String> assignments;

    String sessionId;
    String userId;
    String clientIp;

    /** Client clock minus true time, added to every client timestamp. */
    long skew;

    int engine;
    int views;
    int viewIndex;
    int idleAfterView = -1;
    boolean longSession;

    /** When the session started (its first view): a traffic drop draws new sessions there. */
    long startedAt;

    /** The final beacon leaves long after its events (tab frozen or restored). */
    boolean late;

    double netFactor;
    double deviceFactor;
    String previousUrl;

    /** Per-session JSON fragments, rendered once: every event repeats them. */
    String head;

    String tail;
    String envelope;
}
