package dev.tributary.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Secrets;
import java.util.Optional;

/**
 * A decoded Fivetran request.
 *
 * @param state the {@code state} object ({@code {}} when missing or null)
 * @param secrets the {@code secrets} (empty when missing or null)
 * @param syncId {@code sync_id} as sent, any format; empty when absent
 * @param setupTest true for a setup test call
 * @param bucket the S3 bucket of a sync through S3 ({@code CLOUD_STORAGE}); empty otherwise
 * @param file the object key of a sync through S3; empty otherwise
 */
public record Request(
    ObjectNode state,
    Secrets secrets,
    Optional<String> syncId,
    boolean setupTest,
    Optional<String> bucket,
    Optional<String> file) {

  @Override
  public String toString() {
    return "Request(syncId=" + syncId.orElse("-") + ", setupTest=" + setupTest + ", secrets="
        + secrets + ")";
  }
}
