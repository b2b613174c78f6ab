package dev.tributary.testing;

import dev.tributary.TableRead;
import java.util.function.Predicate;

/**
 * Failure plans for {@link SimulatedSource#failWhen}: which read fails, and how many times.
 * Counts every read it is asked about, so a plan also tells a test whether its fault fired.
 */
public final class ReadFaults implements Predicate<TableRead> {
  private final Predicate<TableRead> match;
  private final int failFromMatch;
  private int times;
  private int matches;
  private int fired;

  private ReadFaults(Predicate<TableRead> match, int failFromMatch, int times) {
    this.match = match;
    this.failFromMatch = failFromMatch;
    this.times = times;
  }

  /** Fails the {@code k}-th read (1-based) of the run, once; replays of it then succeed. */
  public static ReadFaults nthRead(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k < 1: " + k);
    }
    return new ReadFaults(r -> true, k, 1);
  }

  /** Fails the first read matching {@code p}, once. */
  public static ReadFaults firstMatching(Predicate<TableRead> p) {
    return new ReadFaults(p, 1, 1);
  }

  /** How many reads this plan failed. */
  public int fired() {
    return fired;
  }

  @Override
  public boolean test(TableRead read) {
    if (!match.test(read)) {
      return false;
    }
    matches++;
    if (matches >= failFromMatch && times > 0) {
      times--;
      fired++;
      return true;
    }
    return false;
  }

  /** The parent row's {@code id} of a child read, or null for a top-level read. */
  public static Object parentId(TableRead read) {
    return read.parent().map(p -> p.get("id")).orElse(null);
  }
}
