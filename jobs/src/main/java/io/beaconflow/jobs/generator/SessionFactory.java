package io.beaconflow.jobs.generator;

import io.beaconflow.jobs.io.Json;
import java.util.List;

/**
 * Draws a new session: browser, device, country and release (or a bot), whether an incident or the
 * app's sampling keeps it from being seen, then its user, clock skew, number of views, network, and
 * the JSON fragments all its events repeat.
 */
final class SessionFactory {
    private static final long MINUTE = 60_000;

    private final Rng rnd;
    private final IncidentEffects effects;
    private final GeneratorConfig.BehaviourSpec behaviour;
    private final GeneratorConfig.RealismSpec realism;
    private final long maxClockSkew;
    private final long userSalt;
    private final Weighted browsers;
    private final Weighted devices;
    private final Weighted countries;
    private final Weighted networks;

    SessionFactory(GeneratorConfig config, Rng rnd, IncidentEffects effects, long userSalt) {
        this.rnd = rnd;
        this.effects = effects;
        this.behaviour = config.behaviour;
        this.realism = config.realism;
        this.maxClockSkew = GeneratorConfig.parseDuration(realism.maxClockSkew);
        this.userSalt = userSalt;
        this.browsers = new Weighted(config.browsers);
        this.devices = new Weighted(config.devices);
        this.countries = new Weighted(config.countries);
        this.networks = new Weighted(config.networks);
    }

    /**
     * A session of {@code app} starting at t, or null when a traffic drop or sampling keeps it
     * unseen; counted in {@code stats}.
     */
    SimSession start(SimApp app, long t, GenerationStats stats) {
        SimSession s = new SimSession();
        s.app = app;
        s.startedAt = t;
        s.bot = rnd.nextDouble() < realism.botRate;
        if (s.bot) {
            s.family = "bot";
            s.userAgent = rnd.pick(Catalog.BOT_USER_AGENTS);
            s.device = s.userAgent.contains("Mobile") ? "mobile" : "desktop";
            s.country = rnd.pick(Catalog.BOT_COUNTRIES);
        } else {
            s.family = browsers.pick(rnd.raw);
            s.device = Catalog.compatibleDevice(s.family, devices.pick(rnd.raw));
            s.userAgent = rnd.pick(app.userAgents(s.family, s.device));
            s.country = countries.pick(rnd.raw);
        }
        s.release = effects.release(app, t, app.releases.pick(rnd.raw));
        if (effects.dropsNewSession(s, t, rnd)) return null;
        if (app.spec.sampleRate < 1 && rnd.nextDouble() >= app.spec.sampleRate) {
            stats.sessionsSampledOut++;
            return null;
        }
        stats.sessionsStarted++;
        s.sessionId = rnd.uuid();
        if (!s.bot && rnd.nextDouble() >= behaviour.anonymousRate) {
            long user =
                    Rng.mix(
                            userSalt
                                    + app.index * 0x100000001B3L
                                    + rnd.nextInt(behaviour.usersPerApp));
            s.userId = "u_" + Rng.hex(user, 16);
        }
        if (rnd.nextDouble() < realism.clockSkewRate) {
            long skew = MINUTE + (long) (rnd.nextDouble() * Math.max(0, maxClockSkew - MINUTE));
            s.skew = rnd.nextBoolean() ? skew : -skew;
            stats.skewedSessions++;
        } else {
            s.skew = Math.round(rnd.nextGaussian() * 400);
        }
        s.engine = Catalog.engine(s.family);
        plan(s, stats);
        s.late = !s.bot && rnd.nextDouble() < realism.lateRate;
        s.clientIp =
                Catalog.firstOctet(s.country, rnd.raw)
                        + "."
                        + rnd.nextInt(256)
                        + "."
                        + rnd.nextInt(256)
                        + "."
                        + (1 + rnd.nextInt(254));
        String network = network(s);
        s.deviceFactor = s.device.equals("mobile") ? 1.35 : s.device.equals("tablet") ? 1.2 : 1.0;
        fragments(s, network);
        return s;
    }

    /** How many views, and whether the user leaves the tab idle after one of them. */
    private void plan(SimSession s, GenerationStats stats) {
        if (s.bot) {
            stats.botSessions++;
            s.views = 5 + rnd.nextInt(26);
        } else if (rnd.nextDouble() < behaviour.longSessionRate) {
            s.longSession = true;
            stats.longSessions++;
            s.views = 45 + rnd.nextInt(40);
        } else {
            s.views = 1 + rnd.geometric(behaviour.meanViewsPerSession - 1);
        }
        if (!s.bot && s.views >= 2 && rnd.nextDouble() < behaviour.idleResumeRate) {
            s.idleAfterView = rnd.nextInt(s.views - 1);
            stats.idleResumeSessions++;
        }
    }

    /**
     * The Network Information fragment (browsers that expose it) and the latency factor of the
     * connection; "" and 1 otherwise.
     */
    private String network(SimSession s) {
        s.netFactor = 1.0;
        if (s.bot || !Catalog.hasNetworkInfo(s.family)) return "";
        String type = networks.pick(rnd.raw);
        int rtt;
        double down;
        switch (type) {
            case "slow-2g":
                rtt = 2000;
                down = 0.05;
                s.netFactor = 6;
                break;
            case "2g":
                rtt = 1400;
                down = 0.25;
                s.netFactor = 4;
                break;
            case "3g":
                rtt = 300 + 50 * rnd.nextInt(6);
                down = 0.7 + rnd.nextInt(10) / 10.0;
                s.netFactor = 2;
                break;
            default:
                rtt = 50 * (1 + rnd.nextInt(4));
                down = 1.5 + rnd.nextInt(90) / 10.0;
                s.netFactor = type.equals("4g") ? 1.15 : 1.0;
        }
        return ",\"network\":{\"effective_type\":\""
                + type
                + "\",\"rtt_ms\":"
                + rtt
                + ",\"downlink_mbps\":"
                + down
                + "}";
    }

    /** Per-session JSON fragments, rendered once: events repeat them. */
    private void fragments(SimSession s, String network) {
        SimApp app = s.app;
        StringBuilder f = new StringBuilder(256);
        f.append(",\"app\":\"").append(app.spec.name).append('"');
        f.append(",\"release\":");
        Json.string(f, s.release);
        f.append(",\"environment\":\"").append(app.spec.environment).append('"');
        f.append(",\"session_id\":\"").append(s.sessionId).append('"');
        if (s.userId != null) f.append(",\"user_id\":\"").append(s.userId).append('"');
        s.head = f.toString();
        f.setLength(0);
        f.append(network);
        if (!app.experimentNames.isEmpty()) {
            f.append(",\"experiments\":{");
            for (int i = 0; i < app.experimentNames.size(); i++) {
                List<String> variants = app.experimentVariants.get(i);
                if (i > 0) f.append(',');
                Json.string(f, app.experimentNames.get(i));
                f.append(':');
                String variant = variants.get(rnd.nextInt(variants.size()));
                Json.string(f, variant);
                // Kept for variant_regression (no extra draw: the random stream is unchanged).
                if (s.assignments == null) s.assignments = new java.util.ArrayList<>(2);
                s.assignments.add(app.experimentNames.get(i) + "=" + variant);
            }
            f.append('}');
        }
        if (app.spec.sampleRate < 1) f.append(",\"sample_rate\":").append(app.spec.sampleRate);
        s.tail = f.toString();
        f.setLength(0);
        f.append(",\"client_ip\":\"").append(s.clientIp).append("\",\"user_agent\":");
        Json.string(f, s.userAgent);
        f.append(",\"country\":\"").append(s.country).append('"');
        s.envelope = f.toString();
    }
}
