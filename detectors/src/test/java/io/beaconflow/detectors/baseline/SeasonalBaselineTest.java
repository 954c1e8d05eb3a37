package io.beaconflow.detectors.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.SeasonalPeriod;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.junit.jupiter.api.Test;

class SeasonalBaselineTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static long local(DetectorSpec spec, ZonedDateTime t) {
        return SeasonalBaseline.localMinutes(
                t.toInstant().toEpochMilli(), spec.seasonal().timeZone().getRules());
    }

    @Test
    void hourOfWeekSlotsStartOnMondayMidnightLocalTime() {
        DetectorSpec spec =
                DetectorSpec.builder()
                        .seasonalPeriod(SeasonalPeriod.WEEK)
                        .slotMinutes(60)
                        .timeZone(BERLIN)
                        .build();
        ZonedDateTime monday = ZonedDateTime.of(2024, 3, 18, 0, 30, 0, 0, BERLIN);
        assertThat(SeasonalBaseline.slotOf(local(spec, monday), spec)).isZero();
        assertThat(SeasonalBaseline.slotOf(local(spec, monday.plusDays(6).plusHours(23)), spec))
                .isEqualTo(167);
        assertThat(spec.seasonal().slotCount()).isEqualTo(168);
    }

    @Test
    void nineOClockStaysTheSameDailySlotAcrossTheSpringDaylightSavingChange() {
        DetectorSpec spec =
                DetectorSpec.builder()
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .slotMinutes(60)
                        .timeZone(BERLIN)
                        .build();
        ZonedDateTime before = ZonedDateTime.of(2024, 3, 30, 9, 0, 0, 0, BERLIN);
        ZonedDateTime after = ZonedDateTime.of(2024, 3, 31, 9, 0, 0, 0, BERLIN);
        assertThat(SeasonalBaseline.slotOf(local(spec, before), spec)).isEqualTo(9);
        assertThat(SeasonalBaseline.slotOf(local(spec, after), spec)).isEqualTo(9);
        assertThat(SeasonalBaseline.periodOf(local(spec, after), spec))
                .isEqualTo(SeasonalBaseline.periodOf(local(spec, before), spec) + 1);
    }

    @Test
    void theRobustOptionAnswersWithTheCommonsMathMedianAndScaledMad() {
        DetectorSpec spec =
                DetectorSpec.builder()
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .robust(true)
                        .robustWindow(7)
                        .minSeasons(1)
                        .build();
        DetectorState s = new DetectorState();
        SeasonalBaseline.ensureSized(s, spec);
        double[] values = {10, 12, 11, 500, 9, 13, 10};
        for (int i = 0; i < values.length; i++) {
            SeasonalBaseline.update(s, spec, 3, i, values[i], 1.0);
        }
        Estimate e = SeasonalBaseline.estimate(s, spec, 3);
        double median = new Median().evaluate(values);
        double[] dev = Arrays.stream(values).map(v -> Math.abs(v - median)).toArray();
        assertThat(e.kind()).isEqualTo(BaselineKind.SEASONAL);
        assertThat(e.mean()).isEqualTo(median);
        assertThat(e.sd()).isCloseTo(1.4826 * new Median().evaluate(dev), within(1e-12));
    }

    @Test
    void aSlotAnswersOnlyAfterMinSeasonsPeriodsAndSpreadsAlphaOverThePointsOfAPeriod() {
        DetectorSpec spec =
                DetectorSpec.builder()
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .minSeasons(3)
                        .seasonalAlpha(0.5)
                        .build();
        DetectorState s = new DetectorState();
        SeasonalBaseline.ensureSized(s, spec);
        for (int day = 0; day < 2; day++) {
            for (int k = 0; k < 12; k++) {
                SeasonalBaseline.update(s, spec, 5, day, 100, 1.0);
            }
        }
        assertThat(SeasonalBaseline.estimate(s, spec, 5)).isEqualTo(Estimate.NONE);
        for (int k = 0; k < 12; k++) {
            SeasonalBaseline.update(s, spec, 5, 2, 200, 1.0);
        }
        Estimate e = SeasonalBaseline.estimate(s, spec, 5);
        assertThat(e.kind()).isEqualTo(BaselineKind.SEASONAL);
        // One period of 12 points at alpha/12 each moves the mean by about alpha of the way.
        assertThat(e.mean()).isBetween(100 + 0.35 * 100, 100 + 0.5 * 100);
    }
}
