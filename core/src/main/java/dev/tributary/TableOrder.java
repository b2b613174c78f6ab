package dev.tributary;

/** How a sync moves between its tables within one response. */
public enum TableOrder {
  /** Each table is caught up before the next one starts (default). */
  SEQUENTIAL,
  /** Tables take turns, one page each, so every table makes progress in every response. */
  INTERLEAVED
}
