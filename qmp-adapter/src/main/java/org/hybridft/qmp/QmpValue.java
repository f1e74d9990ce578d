package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON value sent to or received from QEMU: a command's reply, an event's data, a
 * command's arguments. It reads like a JSON tree ({@link #path(String)} never returns null, the
 * {@code as*} accessors convert with a default) but offers no way to change it, so a value handed
 * to several event subscribers, or kept by a recipe, is the same for all of them.
 *
 * <p>Two values are {@linkplain #equals equal} when they are the same JSON (200 and 200.0 are
 * not); {@link #sameValue} compares numbers by value. {@link #toString()} is the compact JSON text.
 */
public final class QmpValue implements Iterable<QmpValue> {
  /** JSON {@code null}. */
  public static final QmpValue NULL = new QmpValue(JsonNodeFactory.instance.nullNode());
  /** What {@link #path} returns for an absent member or element: no JSON value at all. */
  public static final QmpValue MISSING = new QmpValue(MissingNode.getInstance());
  /** An empty JSON object. */
  public static final QmpValue EMPTY_OBJECT = new QmpValue(JsonNodeFactory.instance.objectNode());

  // Serializes a QmpValue nested in a Map or record as its JSON, not as a bean.
  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(
      new SimpleModule("QmpValue").addSerializer(QmpValue.class, new StdSerializer<>(QmpValue.class) {
        @Override
        public void serialize(QmpValue value, JsonGenerator json, SerializerProvider provider)
            throws IOException {
          json.writeTree(value.node);
        }
      }));

  // Never handed out and never changed once wrapped: what makes this class immutable.
  private final JsonNode node;

  private QmpValue(JsonNode node) {
    this.node = node;
  }

  /** Wraps a tree that nothing else holds a mutable reference to. */
  static QmpValue wrap(JsonNode node) {
    return node.isMissingNode() ? MISSING : new QmpValue(node);
  }

  /** The tree, for the adapter's own reading and serialization; must not be changed. */
  JsonNode node() {
    return node;
  }

  /** A JSON string. */
  public static QmpValue of(String text) {
    return new QmpValue(JsonNodeFactory.instance.textNode(Objects.requireNonNull(text, "text")));
  }

  /** A JSON integer. */
  public static QmpValue of(long number) {
    return new QmpValue(JsonNodeFactory.instance.numberNode(number));
  }

  /** A JSON boolean. */
  public static QmpValue of(boolean value) {
    return new QmpValue(JsonNodeFactory.instance.booleanNode(value));
  }

  /**
   * A copy of {@code value} as JSON: a {@link Map} (a JSON object), a record or bean, a list, a
   * string, a number or another {@code QmpValue}.
   *
   * @throws IllegalArgumentException if it does not serialize to JSON
   */
  public static QmpValue from(@Nullable Object value) {
    if (value == null) {
      return NULL;
    }
    if (value instanceof QmpValue already) {
      return already;
    }
    try {
      return wrap(MAPPER.valueToTree(value));
    } catch (IllegalArgumentException unserializable) {
      throw new IllegalArgumentException(
          "cannot serialize a " + value.getClass().getName() + " to JSON: " + unserializable.getMessage(),
          unserializable);
    }
  }

  /**
   * Parses JSON text.
   *
   * @throws IllegalArgumentException if the text is not one JSON value
   */
  public static QmpValue parse(String json) {
    try {
      JsonNode parsed = MAPPER.readTree(Objects.requireNonNull(json, "json"));
      if (parsed == null || parsed.isMissingNode()) {
        throw new IllegalArgumentException("no JSON value in '" + json + "'");
      }
      return new QmpValue(parsed);
    } catch (JsonProcessingException malformed) {
      throw new IllegalArgumentException("not JSON: " + malformed.getOriginalMessage(), malformed);
    }
  }

  /** Whether this is a JSON object. */
  public boolean isObject() {
    return node.isObject();
  }

  /** Whether this is a JSON array. */
  public boolean isArray() {
    return node.isArray();
  }

  /** Whether this is a JSON string. */
  public boolean isText() {
    return node.isTextual();
  }

  /** Whether this is a JSON number. */
  public boolean isNumber() {
    return node.isNumber();
  }

  /** Whether this is a JSON number without a fraction or exponent. */
  public boolean isIntegral() {
    return node.isIntegralNumber();
  }

  /** Whether this is a JSON boolean. */
  public boolean isBoolean() {
    return node.isBoolean();
  }

  /** Whether this is JSON {@code null}. */
  public boolean isNull() {
    return node.isNull();
  }

  /** Whether this is {@link #MISSING}: the absent member or element {@link #path} stands for. */
  public boolean isMissing() {
    return node.isMissingNode();
  }

  /** Whether this is an object with the member {@code field}. */
  public boolean has(String field) {
    return node.has(field);
  }

  /** The member {@code field} of an object, or {@link #MISSING}. */
  public QmpValue path(String field) {
    return wrap(node.path(field));
  }

  /** The element {@code index} of an array, or {@link #MISSING}. */
  public QmpValue path(int index) {
    return wrap(node.path(index));
  }

  /** The number of elements of an array or members of an object; 0 for anything else. */
  public int size() {
    return node.size();
  }

  /** The member names of an object, in order; empty for anything else. Unmodifiable. */
  public Set<String> fieldNames() {
    Set<String> names = new LinkedHashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return Collections.unmodifiableSet(names);
  }

  /** The elements of an array or the member values of an object; nothing for anything else. */
  @Override
  public Iterator<QmpValue> iterator() {
    List<QmpValue> children = new ArrayList<>(node.size());
    node.elements().forEachRemaining(child -> children.add(wrap(child)));
    return Collections.unmodifiableList(children).iterator();
  }

  /** A string's text, or another scalar as text; {@code ""} for objects, arrays and {@link #MISSING}. */
  public String asText() {
    return node.asText();
  }

  /** A string's text or a scalar's text; {@code defaultText} for null and {@link #MISSING}. */
  public String asText(String defaultText) {
    return node.asText(defaultText);
  }

  /** A number or numeric string as a long; 0 otherwise. */
  public long asLong() {
    return node.asLong();
  }

  /** A number or numeric string as a long; {@code defaultValue} otherwise. */
  public long asLong(long defaultValue) {
    return node.asLong(defaultValue);
  }

  /** A number or numeric string as a double; 0 otherwise. */
  public double asDouble() {
    return node.asDouble();
  }

  /** A boolean, or "true"/"false", or a non-zero number; {@code defaultValue} otherwise. */
  public boolean asBoolean(boolean defaultValue) {
    return node.asBoolean(defaultValue);
  }

  /** A boolean, or "true"/"false", or a non-zero number; false otherwise. */
  public boolean asBoolean() {
    return node.asBoolean();
  }

  /**
   * Whether {@code other} is the same value: numbers compare by value (200 and 200.0 are the
   * same parameter for QEMU), anything else as {@link #equals}. A non-finite number (such as
   * {@code 1e999}) is never the same as anything.
   */
  public boolean sameValue(@Nullable QmpValue other) {
    if (other == null) {
      return false;
    }
    if (node.isNumber() && other.node.isNumber()) {
      if (!finite(node) || !finite(other.node)) {
        return false; // 1e999 reads as Infinity: no BigDecimal, and never a valid parameter
      }
      BigDecimal mine = node.decimalValue();
      return mine.compareTo(other.node.decimalValue()) == 0;
    }
    return node.equals(other.node);
  }

  private static boolean finite(JsonNode number) {
    return !number.isFloatingPointNumber() || Double.isFinite(number.doubleValue());
  }

  /** Whether {@code other} is a {@code QmpValue} with the same JSON. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof QmpValue value && node.equals(value.node);
  }

  @Override
  public int hashCode() {
    return node.hashCode();
  }

  /** The compact JSON text. */
  @Override
  public String toString() {
    return node.toString();
  }
}
