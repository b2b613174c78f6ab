package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A section's buffer holds exactly what was written and not taken back, in memory and spilled
 * to a file alike: for any writes (bytes and arrays of any size) and any take-backs.
 */
class SpillBufferProperties {
  @Property(tries = 300)
  void holdsWhatWasWrittenAndNotTakenBack(
      @ForAll @IntRange(min = 1, max = 200_000) int threshold,
      @ForAll @Size(max = 60) List<@IntRange(min = -3000, max = 70_000) Integer> steps)
      throws IOException {
    SpillBuffer b = new SpillBuffer(threshold);
    try {
      check(b, steps);
    } finally {
      b.discard();
    }
  }

  /**
   * Chunks from the pool hold whatever an earlier response left in them: a buffer made of them
   * holds exactly its own bytes, and a released buffer's chunks serve the next one alike.
   */
  @Property(tries = 200)
  void pooledChunksHoldOnlyTheirOwnBuffersBytes(
      @ForAll @Size(max = 60) List<@IntRange(min = -3000, max = 70_000) Integer> steps)
      throws IOException {
    ChunkPool pool = new ChunkPool(64L * ChunkPool.CHUNK);
    for (int i = 0; i < 8; i++) {
      byte[] stale = new byte[ChunkPool.CHUNK];
      Arrays.fill(stale, (byte) 0x5A);
      pool.give(stale);
    }
    SpillBuffer first = new SpillBuffer(Long.MAX_VALUE, pool);
    check(first, steps);
    first.release();
    SpillBuffer second = new SpillBuffer(Long.MAX_VALUE, pool);
    check(second, steps);
    second.release();
    assertTrue(pool.pooled() <= 64);
  }

  private static void check(SpillBuffer b, List<Integer> steps) throws IOException {
    byte[] expected = new byte[0];
    int counter = 0;
    try {
      for (int step : steps) {
        if (step < 0) { // take back up to -step bytes
          int keep = Math.max(0, expected.length + step);
          b.truncate(keep);
          expected = Arrays.copyOf(expected, keep);
        } else if (step == 1) {
          b.write(counter & 0xff);
          expected = Arrays.copyOf(expected, expected.length + 1);
          expected[expected.length - 1] = (byte) counter++;
        } else {
          byte[] chunk = new byte[step];
          for (int i = 0; i < step; i++) {
            chunk[i] = (byte) counter++;
          }
          b.write(chunk, 0, step);
          int at = expected.length;
          expected = Arrays.copyOf(expected, at + step);
          System.arraycopy(chunk, 0, expected, at, step);
        }
        assertEquals(expected.length, b.size());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      b.writeTo(out);
      assertArrayEquals(expected, out.toByteArray());
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      b.writeTo(again);
      assertArrayEquals(expected, again.toByteArray(), "written twice alike");
    } catch (IOException | RuntimeException | Error e) {
      b.discard();
      throw e;
    }
  }
}
