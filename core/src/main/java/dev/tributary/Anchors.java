package dev.tributary;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Tells in one pass over a text whether any of a set of letter-and-digit strings occurs in it
 * (Aho–Corasick). {@link Redaction} gives each target such an anchor — a run of its letters and
 * digits, which every encoding leaves as it is — and runs its pattern only on texts that hold one,
 * so most messages and state strings cost one scan instead of a regex alternation per position.
 *
 * <p>Immutable and thread-safe.
 */
final class Anchors {
  private static final int ALPHABET = 62;

  /** The full transition table: node × character class → node. */
  private final int[][] next;
  /** True where a node ends an anchor (or a suffix of it does). */
  private final boolean[] ends;

  Anchors(Collection<String> anchors) {
    List<int[]> trie = new ArrayList<>();
    List<Boolean> end = new ArrayList<>();
    trie.add(newNode());
    end.add(false);
    for (String a : anchors) {
      int node = 0;
      for (int i = 0; i < a.length(); i++) {
        int c = index(a.charAt(i));
        if (c < 0) {
          throw new IllegalArgumentException("anchor with a character other than a letter or digit");
        }
        if (trie.get(node)[c] == 0) {
          trie.add(newNode());
          end.add(false);
          trie.get(node)[c] = trie.size() - 1;
        }
        node = trie.get(node)[c];
      }
      end.set(node, true);
    }
    next = trie.toArray(new int[0][]);
    ends = new boolean[next.length];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = end.get(i);
    }
    link();
  }

  /** True if some anchor occurs in {@code text}. */
  boolean foundIn(CharSequence text) {
    int node = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      int c = index(text.charAt(i));
      // Anchors hold letters and digits only: nothing spans another character.
      node = c < 0 ? 0 : next[node][c];
      if (ends[node]) {
        return true;
      }
    }
    return false;
  }

  /** Turns the trie into the automaton: failure transitions filled in, breadth first. */
  private void link() {
    int[] fail = new int[next.length];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < ALPHABET; c++) {
      if (next[0][c] != 0) {
        queue.add(next[0][c]);
      }
    }
    while (!queue.isEmpty()) {
      int node = queue.poll();
      ends[node] |= ends[fail[node]];
      for (int c = 0; c < ALPHABET; c++) {
        int child = next[node][c];
        if (child != 0) {
          fail[child] = next[fail[node]][c];
          queue.add(child);
        } else {
          next[node][c] = next[fail[node]][c];
        }
      }
    }
  }

  private static int[] newNode() {
    return new int[ALPHABET];
  }

  /** 0–61 for a letter or digit of ASCII; -1 for anything else. */
  static int index(char c) {
    if (c >= 'a' && c <= 'z') {
      return c - 'a';
    }
    if (c >= 'A' && c <= 'Z') {
      return 26 + c - 'A';
    }
    if (c >= '0' && c <= '9') {
      return 52 + c - '0';
    }
    return -1;
  }
}
