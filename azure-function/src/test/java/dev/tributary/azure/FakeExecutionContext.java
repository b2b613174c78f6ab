package dev.tributary.azure;

import com.microsoft.azure.functions.ExecutionContext;
import java.util.logging.Logger;

/** Stands in for the Java worker's per-invocation context. */
final class FakeExecutionContext implements ExecutionContext {
  @Override
  public Logger getLogger() {
    return Logger.getLogger("fivetran");
  }

  @Override
  public String getInvocationId() {
    return "00000000-0000-0000-0000-000000000001";
  }

  @Override
  public String getFunctionName() {
    return "fivetran";
  }
}
