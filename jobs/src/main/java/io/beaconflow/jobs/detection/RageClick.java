package io.beaconflow.jobs.detection;

/**
 * One rage-click burst: {@code burst-clicks} or more clicks on one target of one session within
 * {@code burst-span}. Timestamp: the click that completed the burst. A Flink POJO.
 */
public class RageClick {
    public String app;
    public String sessionId;
    public String route;
    public String target;

    /** First and last click of the burst so far (event time). */
    public long firstClick;

    public long lastClick;
    public int clicks;

    /** 1 / sample rate of the session, so bursts count like page views. */
    public double weight = 1;

    public RageClick() {}
}
