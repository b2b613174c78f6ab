package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tributary.EngineConfig;

/** Jackson set up once per container with the request limits of an {@link EngineConfig}. */
public final class Json {
  private final JsonFactory factory;
  private final ObjectMapper mapper;

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
    this.mapper = JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  public JsonFactory factory() {
    return factory;
  }

  public ObjectMapper mapper() {
    return mapper;
  }
}
