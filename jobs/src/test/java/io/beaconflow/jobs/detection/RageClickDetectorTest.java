package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RageClickDetectorTest {
    static final long T = Rows.T0;
    KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h;

    @BeforeEach
    void setUp() throws Exception {
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new RageClickDetector(3, Duration.ofSeconds(1))),
                        RageClickDetector.key(),
                        Types.STRING);
        h.open();
    }

    static RumEvent click(String session, String target, long t) {
        RumEvent e = new RumEvent();
        e.app = "shop";
        e.type = EventType.ACTION;
        e.actionType = "click";
        e.actionTarget = target;
        e.sessionId = session;
        e.route = "/cart";
        e.eventTime = t;
        e.sampleRate = 0.5;
        return e;
    }

    void feed(RumEvent e) throws Exception {
        h.processElement(e, e.eventTime);
    }

    @Test
    void threeClicksOnOneTargetWithinASecondAreOneRageClickEvenOutOfOrder() throws Exception {
        feed(click("s1", "#pay", T + 400));
        feed(click("s1", "#pay", T));
        feed(click("s1", "#pay", T + 900));
        feed(click("s1", "#pay", T + 950));
        h.processWatermark(T + 2000);
        assertThat(h.extractOutputValues())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.app).isEqualTo("shop");
                            assertThat(r.sessionId).isEqualTo("s1");
                            assertThat(r.target).isEqualTo("#pay");
                            assertThat(r.route).isEqualTo("/cart");
                            assertThat(r.firstClick).isEqualTo(T);
                            assertThat(r.lastClick).isEqualTo(T + 900);
                            assertThat(r.weight).isEqualTo(2.0);
                        });
        assertThat(h.extractOutputStreamRecords().get(0).getTimestamp()).isEqualTo(T + 900);
    }

    @Test
    void clicksSpreadOverMoreThanASecondOrOverTargetsAreNotRage() throws Exception {
        feed(click("s1", "#pay", T));
        feed(click("s1", "#pay", T + 700));
        feed(click("s1", "#pay", T + 1200));
        feed(click("s2", "#a", T));
        feed(click("s2", "#b", T + 100));
        feed(click("s2", "#c", T + 200));
        h.processWatermark(T + 5000);
        assertThat(h.extractOutputValues()).isEmpty();
    }

    @Test
    void stateAndTimersAreGoneAfterTheBurst() throws Exception {
        for (int i = 0; i < 5; i++) {
            feed(click("s1", "#pay", T + i * 100));
        }
        h.processWatermark(T + 10_000);
        assertThat(h.extractOutputValues()).hasSize(1);
        assertNothingLeft(h);
    }

    @Test
    void onlyClicksWithSessionAndTargetByHumansAreConsidered() {
        RumEvent bot = click("s1", "#pay", T);
        bot.bot = true;
        RumEvent noTarget = click("s1", null, T);
        RumEvent view = click("s1", "#pay", T);
        view.type = EventType.PAGE_VIEW;
        assertThat(RageClickDetector.isClick(click("s1", "#pay", T))).isTrue();
        assertThat(RageClickDetector.isClick(bot)).isFalse();
        assertThat(RageClickDetector.isClick(noTarget)).isFalse();
        assertThat(RageClickDetector.isClick(view)).isFalse();
    }
}
