package io.beaconflow.jobs.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.io.elasticsearch.TemplateFields;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * The {@code rum-error-groups} document as the sinks write it: its {@code title} (type and sample
 * message, for the dashboard tables) and every field mapped by the template with its type; the
 * title is not part of the group's state.
 */
class ErrorGroupDocumentTest {

    private static ErrorGroup group(String type, String message) {
        ErrorGroup g = new ErrorGroup();
        g.id = ErrorGroup.idOf("shop-web", "3a3256d26a407677");
        g.app = "shop-web";
        g.fingerprint = "3a3256d26a407677";
        g.errorType = type;
        g.message = message;
        return g;
    }

    @Test
    void theTitleIsTheTypeAndTheSampleMessageOnOneLine() {
        assertThat(group("TypeError", "null is not an object\n  (evaluating 'x.canPay')").title())
                .isEqualTo("TypeError: null is not an object (evaluating 'x.canPay')");
        assertThat(group("Error", null).title()).isEqualTo("Error");
        assertThat(group(null, "Script error.").title()).isEqualTo("Script error.");
        assertThat(group(null, null).title()).isNull();
    }

    @Test
    void aLongMessageIsCutAtACodePointWithAnEllipsis() {
        String message = "é".repeat(100) + "😀".repeat(100);
        String title = group("RangeError", message).title();
        assertThat(title.codePointCount(0, title.length())).isEqualTo(ErrorGroup.TITLE_MAX);
        assertThat(title).startsWith("RangeError: éé").endsWith("😀…");
        assertThat(Character.isHighSurrogate(title.charAt(title.length() - 2))).isFalse();
    }

    @Test
    void theDocumentCarriesTheTitleAndEveryFieldIsMappedWithItsType() throws Exception {
        ErrorGroup g = group("TypeError", "Cannot read properties of undefined (reading 'price')");
        g.stack = "at renderPrice (app.js:1:2)";
        g.sampleEventId = "e1";
        g.firstRelease = "shop-web@2.4.0";
        g.firstRoute = "/product/:id";
        g.releases.add("shop-web@2.4.0");
        g.browsers.add("Safari");
        g.routes.add("/product/:id");
        g.spreadAt = 5L;
        JsonNode json = Json.newOutputMapper().valueToTree(g);
        assertThat(json.path("title").asText())
                .isEqualTo("TypeError: Cannot read properties of undefined (reading 'price')");

        Map<String, String> mapped =
                TemplateFields.of(
                        Path.of("../docker/elasticsearch/templates/rum-error-groups.json"));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            assertThat(mapped).as(name).containsKey(name);
        }
        assertThat(mapped).containsEntry("title", "keyword");
    }

    @Test
    void theTitleIsNotPartOfTheState() {
        TypeInformation<ErrorGroup> info = TypeInformation.of(ErrorGroup.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        List<String> fields = new ArrayList<>();
        PojoTypeInfo<ErrorGroup> pojo = (PojoTypeInfo<ErrorGroup>) info;
        for (int i = 0; i < pojo.getArity(); i++)
            fields.add(pojo.getPojoFieldAt(i).getField().getName());
        assertThat(fields).contains("message", "errorType", "spreadAt").doesNotContain("title");
    }
}
