package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QmpValueTest {

  @Test
  void aValueMadeFromAMutableTreeDoesNotChangeWhenTheTreeDoes() {
    ObjectNode tree = JsonNodeFactory.instance.objectNode().put("mode", "primary");

    QmpValue value = QmpValue.from(tree);
    tree.put("mode", "forged");
    tree.put("extra", 1);

    assertThat(value.path("mode").asText()).isEqualTo("primary");
    assertThat(value.size()).isEqualTo(1);
  }

  @Test
  void membersAndElementsAreReadOnly() {
    QmpValue value = QmpValue.parse("{\"a\": [1, 2], \"b\": {\"c\": true}}");

    assertThatThrownBy(() -> value.fieldNames().add("d")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> {
      var elements = value.path("a").iterator();
      elements.next();
      elements.remove();
    }).isInstanceOf(UnsupportedOperationException.class);
    assertThat(value.toString()).isEqualTo("{\"a\":[1,2],\"b\":{\"c\":true}}");
  }

  @Test
  void pathOfAnAbsentMemberIsMissingAndReadsAsTheDefault() {
    QmpValue value = QmpValue.parse("{\"status\": \"running\"}");

    assertThat(value.path("nothing").isMissing()).isTrue();
    assertThat(value.path("nothing").path("deeper").asText("none")).isEqualTo("none");
    assertThat(value.path("status").asText()).isEqualTo("running");
    assertThat(value.path(0).isMissing()).isTrue();
  }

  @Test
  void sameValueComparesNumbersByValueButEqualsByJson() {
    QmpValue integral = QmpValue.of(200);
    QmpValue decimal = QmpValue.parse("200.0");

    assertThat(integral.sameValue(decimal)).isTrue();
    assertThat(integral).isNotEqualTo(decimal);
    assertThat(integral.sameValue(QmpValue.parse("1e999"))).isFalse();
    assertThat(QmpValue.of("on").sameValue(QmpValue.of("on"))).isTrue();
    assertThat(QmpValue.of("on").sameValue(QmpValue.of("off"))).isFalse();
  }

  @Test
  void aValueNestedInAMapSerializesAsItsJson() {
    QmpValue nested = QmpValue.from(Map.of("value", QmpValue.of("off")));

    assertThat(nested.toString()).isEqualTo("{\"value\":\"off\"}");
  }

  @Test
  void iterationGoesOverElementsOrMemberValues() {
    List<Long> seen = new ArrayList<>();
    for (QmpValue element : QmpValue.parse("[3, 1, 2]")) {
      seen.add(element.asLong());
    }

    assertThat(seen).containsExactly(3L, 1L, 2L);
    assertThat(QmpValue.parse("{\"x\": \"a\", \"y\": \"b\"}")).extracting(QmpValue::asText).containsExactly("a", "b");
  }

  @Test
  void textThatIsNotJsonIsRefused() {
    assertThatThrownBy(() -> QmpValue.parse("{\"a\": ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not JSON");
  }
}
