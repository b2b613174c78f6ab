package dev.tributary;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pass-through rows for a source that speaks JSON: each record is handed to the engine as the
 * bytes the source sent, and the engine copies them into the response as they are. Reading a
 * page reads only the table's cursor, tiebreaker and primary-key fields (and those named with
 * {@link #alsoRead}); every other field is tokenized once and never built into an object.
 *
 * <pre>{@code
 * JsonRows rows = JsonRows.of(read.table()).deleteWhen("deleted_at");
 * return new Page(rows.array(responseBytes), hasMore);
 * }</pre>
 *
 * <p>Records go to Fivetran as the source wrote them, so the source's values must already follow
 * the protocol's value rules (timestamps as ISO-8601 with an offset, big integers as strings if
 * the source gives them so). {@link Row#get} of a field not read up front, or {@link Row#values},
 * parses the record on first use. Immutable and thread-safe.
 */
public final class JsonRows {
  private static final JsonFactory FACTORY = new JsonFactory();

  private final String[] names;
  private final String deleteWhen;

  private JsonRows(String[] names, String deleteWhen) {
    this.names = names;
    this.deleteWhen = deleteWhen;
  }

  /** Reads records of {@code table}: its cursor, tiebreaker and primary-key fields. */
  public static JsonRows of(Table table) {
    Set<String> columns = new LinkedHashSet<>(table.primaryKey());
    table.cursorColumn().ifPresent(columns::add);
    columns.add(table.tiebreakerColumn());
    return new JsonRows(intern(columns), null);
  }

  /** A reader that also reads {@code columns} up front (what the connector itself looks at). */
  public JsonRows alsoRead(String... columns) {
    Set<String> all = new LinkedHashSet<>(List.of(names));
    for (String c : columns) {
      all.add(Objects.requireNonNull(c, "column"));
    }
    return new JsonRows(intern(all), deleteWhen);
  }

  /**
   * A reader for which a record whose {@code column} is present and not null is a delete (a
   * tombstone); {@code column} is read up front.
   */
  public JsonRows deleteWhen(String column) {
    JsonRows r = alsoRead(column);
    return new JsonRows(r.names, column.intern());
  }

  private static String[] intern(Set<String> columns) {
    // Jackson interns field names, so a read compares them by identity first.
    return columns.stream().map(String::intern).toArray(String[]::new);
  }

  /** One record: {@code json} holds exactly one JSON object. */
  public Row row(byte[] json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("a record is not a JSON object");
      }
      Row row = read(p, json);
      if (p.nextToken() != null) {
        throw new IOException("a record is followed by more JSON");
      }
      return row;
    }
  }

  /** The records of {@code page}, a JSON array of objects. */
  public List<Row> array(byte[] page) throws IOException {
    try (JsonParser p = FACTORY.createParser(page)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("the page is not a JSON array of records");
      }
      List<Row> rows = array(p, page);
      if (p.nextToken() != null) {
        throw new IOException("the page's array is followed by more JSON");
      }
      return rows;
    }
  }

  /**
   * The records of the array at which {@code parser} stands ({@link JsonToken#START_ARRAY}), for
   * a page inside an envelope such as {@code {"data": […], "next": …}}; leaves the parser on
   * the array's {@link JsonToken#END_ARRAY}. {@code parser} must read {@code source} from its
   * first byte (created with {@code createParser(source)}).
   */
  public List<Row> array(JsonParser parser, byte[] source) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw new IOException("the parser is not at the start of an array of records");
    }
    List<Row> rows = new ArrayList<>();
    JsonToken t;
    while ((t = parser.nextToken()) == JsonToken.START_OBJECT) {
      rows.add(read(parser, source));
    }
    if (t != JsonToken.END_ARRAY) {
      throw new IOException("an array of records holds a " + t + ", not a JSON object");
    }
    return rows;
  }

  /** The record at which {@code p} stands (START_OBJECT); leaves it on the END_OBJECT. */
  private Row read(JsonParser p, byte[] source) throws IOException {
    long start = recordStart(p, source);
    Object[] values = new Object[names.length];
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      int i = indexOf(name);
      if (i >= 0) {
        values[i] = value(p, v);
      } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new IOException("a record is not a JSON object");
    }
    long end = recordEnd(p, source);
    if (start < 0 || end > source.length || source[(int) start] != '{'
        || source[(int) end - 1] != '}') {
      throw new IllegalArgumentException("the parser does not read the given source from its"
          + " first byte; create it with createParser(source)");
    }
    boolean delete = false;
    if (deleteWhen != null) {
      Object marker = values[indexOf(deleteWhen)];
      delete = marker != null;
    }
    return new Row(source, (int) start, (int) (end - start), names, values, delete);
  }

  /*
   * Where a record starts and ends in the source, in bytes. Jackson's parsers over bytes report
   * where they stand without building a location object (two per record otherwise, a quarter of
   * what reading a page allocates); the bytes there are checked, and anything unexpected asks
   * the parser for its location instead.
   */

  /** At the record's START_OBJECT: the offset of its '{'. */
  private static long recordStart(JsonParser p, byte[] source) {
    if (p instanceof ParserBase b) {
      long after = b.getTokenCharacterOffset();
      if (after >= 1 && after <= source.length && source[(int) after - 1] == '{') {
        return after - 1;
      }
    }
    return p.currentTokenLocation().getByteOffset();
  }

  /** At the record's END_OBJECT: the offset just past its '}'. */
  private static long recordEnd(JsonParser p, byte[] source) {
    if (p instanceof ParserBase b) {
      long after = b.getTokenCharacterOffset();
      if (after >= 1 && after <= source.length && source[(int) after - 1] == '}') {
        return after;
      }
    }
    return p.currentLocation().getByteOffset();
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i] == name) {
        return i;
      }
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** A field's value as a row holds it: String, Boolean, Long or BigDecimal, or a JSON tree. */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? p.getDecimalValue() : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> Trees.MAPPER.readTree(p);
    };
  }

  /** Every field of a record, for {@link Row#values()} of a pass-through row. */
  static Row.Columns parse(byte[] json, int offset, int length) {
    try (JsonParser p = FACTORY.createParser(json, offset, length)) {
      p.nextToken();
      List<String> names = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        names.add(p.currentName());
        values.add(value(p, p.nextToken()));
      }
      return new Row.Columns(names.toArray(new String[0]), values.toArray(), names.size());
    } catch (IOException e) {
      throw new UncheckedIOException("a record read before cannot be read again", e);
    }
  }

  /** Loaded only when a record holds a nested value the connector or engine asks for. */
  private static final class Trees {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Override
  public String toString() {
    return "JsonRows" + List.of(names) + (deleteWhen == null ? "" : ", deleteWhen=" + deleteWhen);
  }
}
