package dev.tributary.testing;

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.TableRead;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Wraps a connector so that, while {@link #slow()} is on, every read answers only after the
 * engine's deadline: it moves a {@link FakeClock} past {@link TableRead#deadline()} before
 * returning the delegate's page. Models a source too slow to answer within one call.
 */
public final class SlowConnector implements Connector {
  private final Connector delegate;
  private final FakeClock clock;
  private boolean slow = true;

  public SlowConnector(Connector delegate, FakeClock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  /** Whether reads consume all remaining time; on by default. */
  public SlowConnector slow(boolean on) {
    this.slow = on;
    return this;
  }

  public boolean slow() {
    return slow;
  }

  @Override
  public Schema schema() {
    return delegate.schema();
  }

  @Override
  public Page read(TableRead read) throws IOException {
    Page page = delegate.read(read);
    if (slow) {
      Instant past = read.deadline().plus(Duration.ofMillis(1));
      if (clock.peek().isBefore(past)) {
        clock.set(past);
      }
    }
    return page;
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    delegate.test(secrets);
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) throws IOException {
    return delegate.sourceClock(secrets);
  }
}
