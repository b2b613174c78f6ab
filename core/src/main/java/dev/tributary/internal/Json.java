package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.type.ResolvedType;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tributary.EngineConfig;
import java.io.IOException;
import java.util.Iterator;

/**
 * Jackson set up once per container with the request limits of an {@link EngineConfig}.
 *
 * <p>A call needs only the streaming core: requests are read into trees by {@link JsonTree}.
 * The {@link ObjectMapper} — some 500 classes and a fifth of a second on a cold JVM — is made
 * the first time something asks for it ({@link #mapper()}, or writing a tree with a generator
 * of {@link #factory()}), which a plain sync call never does.
 */
public final class Json {
  private final JsonFactory factory;
  private ObjectMapper mapper;

  public Json(EngineConfig config) {
    StreamReadConstraints limits = StreamReadConstraints.builder()
        .maxDocumentLength(config.maxRequestBytes())
        .maxNestingDepth(config.maxNestingDepth())
        .maxStringLength(config.maxStringLength())
        .maxNumberLength(100)
        .maxNameLength(Math.min(config.maxStringLength(), 50_000))
        .build();
    this.factory = JsonFactory.builder()
        .streamReadConstraints(limits)
        // Parse errors must not quote the request: it carries secrets.
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    this.factory.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    // Generators write trees through the codec; it makes the mapper only when that happens.
    this.factory.setCodec(new LazyCodec(this));
  }

  public JsonFactory factory() {
    return factory;
  }

  /** The mapper on {@link #factory()}, made on first use (whole numbers as BigInteger, others as BigDecimal). */
  public synchronized ObjectMapper mapper() {
    if (mapper == null) {
      mapper = JsonMapper.builder(factory)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
    }
    return mapper;
  }

  /**
   * One JSON document as a tree, exactly as {@code mapper().readTree(body)} reads it (a missing
   * node for an empty body, an error for content after the value), without the mapper.
   */
  public JsonNode readTree(byte[] body) throws IOException {
    try (JsonParser p = factory.createParser(body)) {
      return JsonTree.read(p);
    }
  }

  /** The factory's codec: every operation is the mapper's, made when first asked for. */
  private static final class LazyCodec extends ObjectCodec {
    private final Json json;

    LazyCodec(Json json) {
      this.json = json;
    }

    private ObjectMapper m() {
      return json.mapper();
    }

    @Override
    public Version version() {
      return m().version();
    }

    @Override
    public JsonFactory getFactory() {
      return json.factory;
    }

    @Override
    @Deprecated
    public JsonFactory getJsonFactory() {
      return json.factory;
    }

    @Override
    public <T> T readValue(JsonParser p, Class<T> type) throws IOException {
      return m().readValue(p, type);
    }

    @Override
    public <T> T readValue(JsonParser p, TypeReference<T> type) throws IOException {
      return m().readValue(p, type);
    }

    @Override
    public <T> T readValue(JsonParser p, ResolvedType type) throws IOException {
      return m().readValue(p, type);
    }

    @Override
    public <T> Iterator<T> readValues(JsonParser p, Class<T> type) throws IOException {
      return m().readValues(p, type);
    }

    @Override
    public <T> Iterator<T> readValues(JsonParser p, TypeReference<T> type) throws IOException {
      return m().readValues(p, type);
    }

    @Override
    public <T> Iterator<T> readValues(JsonParser p, ResolvedType type) throws IOException {
      return m().readValues(p, type);
    }

    @Override
    public void writeValue(JsonGenerator g, Object value) throws IOException {
      m().writeValue(g, value);
    }

    @Override
    public <T extends TreeNode> T readTree(JsonParser p) throws IOException {
      return m().readTree(p);
    }

    @Override
    public void writeTree(JsonGenerator g, TreeNode tree) throws IOException {
      m().writeTree(g, tree);
    }

    @Override
    public TreeNode createObjectNode() {
      return m().createObjectNode();
    }

    @Override
    public TreeNode createArrayNode() {
      return m().createArrayNode();
    }

    @Override
    public JsonParser treeAsTokens(TreeNode n) {
      return m().treeAsTokens(n);
    }

    @Override
    public <T> T treeToValue(TreeNode n, Class<T> type) throws JsonProcessingException {
      return m().treeToValue(n, type);
    }
  }
}
