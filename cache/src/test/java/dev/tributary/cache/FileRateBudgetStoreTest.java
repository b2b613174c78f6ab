package dev.tributary.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRateBudgetStoreTest {
  @TempDir Path root;

  @Test
  void anUnknownHostHasNoWait() throws Exception {
    assertEquals(Instant.EPOCH, FileRateBudgetStore.at(root).notBefore("api.example.com"));
  }

  @Test
  void aShorterWaitNeverShortensALongerOne() throws Exception {
    FileRateBudgetStore store = FileRateBudgetStore.at(root);
    Instant t = Instant.parse("2026-03-01T12:00:10Z");
    assertEquals(t, store.raise("api.example.com", t));
    assertEquals(t, store.raise("api.example.com", t.minusSeconds(5)));
    assertEquals(t, store.notBefore("api.example.com"));
    assertEquals(t.plusSeconds(1), store.raise("api.example.com", t.plusSeconds(1)));
    assertEquals(Instant.EPOCH, store.notBefore("other.example.com"));
  }

  @Test
  void twoStoresOnOneFolderAgree() throws Exception {
    Instant t = Instant.parse("2026-03-01T12:00:10Z");
    FileRateBudgetStore.at(root).raise("API.example.com:8443", t);
    assertEquals(t, FileRateBudgetStore.at(root).notBefore("api.example.com:8443"));
    assertEquals("api.example.com_8443.notbefore",
        FileRateBudgetStore.at(root).pathOf("API.example.com:8443").getFileName().toString());
  }

  @Test
  void anUnreadableFileCountsAsNoWaitAndIsReplaced() throws Exception {
    FileRateBudgetStore store = FileRateBudgetStore.at(root);
    Files.writeString(store.pathOf("h"), "garbage");
    assertEquals(Instant.EPOCH, store.notBefore("h"));
    assertEquals(Instant.ofEpochMilli(5), store.raise("h", Instant.ofEpochMilli(5)));
  }

  @Test
  void concurrentRaisesFromThreadsAndAnotherProcessKeepTheMaximum() throws Exception {
    FileRateBudgetStore store = FileRateBudgetStore.at(root);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Raiser.class.getName(), root.toString(), "1", "400")
        .redirectErrorStream(true).start();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        done.add(pool.submit(() -> {
          for (int i = offset; i < 300; i += 4) {
            store.raise("h", Instant.ofEpochMilli(i));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, other.waitFor(), new String(other.getInputStream().readAllBytes()));
    assertEquals(Instant.ofEpochMilli(399), store.notBefore("h"));
  }

  /** Another process raising {@code h} to every value in [from, to). */
  public static final class Raiser {
    public static void main(String[] args) throws Exception {
      FileRateBudgetStore store = FileRateBudgetStore.at(Path.of(args[0]));
      for (int i = Integer.parseInt(args[1]); i < Integer.parseInt(args[2]); i += 2) {
        store.raise("h", Instant.ofEpochMilli(i));
      }
    }
  }
}
