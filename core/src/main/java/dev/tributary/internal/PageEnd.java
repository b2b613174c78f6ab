package dev.tributary.internal;

/** How processing a page (or a partition's pages) ended, which tells the loop what comes next. */
enum PageEnd {
  /** The page was used up and the source has more: read the next page. */
  CONTINUE,
  /** The table (or partition) is caught up to this sync's horizon. */
  DONE,
  /** Rows came out of order (tolerant mode): the table waits for the next call. */
  PAUSED,
  /** A budget, the deadline or a repeated key stopped the call inside the page. */
  STOPPED,
  /** Only rows at or before the position (an inclusive source inside a large tie): ask for more. */
  NO_PROGRESS
}
