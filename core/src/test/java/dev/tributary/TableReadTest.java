package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A read hands its positions over as the table declares them, without casts. */
class TableReadTest {
  static TableRead read(Table t, Position after, Object upTo) {
    return new TableRead(t, Optional.ofNullable(after), Optional.ofNullable(upTo), 100,
        Optional.empty(), Secrets.empty(), Instant.parse("2024-05-01T10:01:00Z"));
  }

  @Test
  void valuesComeTypedAsDeclared() {
    Table events = Table.incremental("events").primaryKey("id").cursor("seq", ValueType.NUMBER)
        .tiebreaker("id", ValueType.STRING);
    TableRead r = read(events, Position.of(new BigDecimal("42"), "e-7"), new BigDecimal("50"));
    assertEquals(Optional.of(new BigDecimal("42")), r.afterCursorNumber());
    assertEquals(Optional.of("e-7"), r.afterTiebreakerString());
    assertEquals(Optional.of(new BigDecimal("50")), r.upToNumber());

    Table days = Table.incremental("days").primaryKey("day").cursor("day", ValueType.DATE)
        .tiebreaker("day", ValueType.DATE);
    LocalDate may1 = LocalDate.of(2024, 5, 1);
    TableRead d = read(days, Position.of(may1, null), LocalDate.of(2024, 5, 2));
    assertEquals(Optional.of(may1), d.afterCursorDate());
    assertEquals(Optional.empty(), d.afterTiebreakerDate(), "inclusive of its cursor: no tiebreaker");
    assertEquals(Optional.of(LocalDate.of(2024, 5, 2)), d.upToDate());
  }

  @Test
  void askingForAnotherTypeNamesTheTableAndItsDeclaredType() {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    TableRead r = read(orders, null, null);
    IllegalStateException e = assertThrows(IllegalStateException.class, r::afterTiebreakerString);
    assertTrue(e.getMessage().contains("table orders") && e.getMessage().contains("NUMBER")
        && e.getMessage().contains("afterTiebreakerNumber()"), e.getMessage());
    e = assertThrows(IllegalStateException.class, r::upToDate);
    assertTrue(e.getMessage().contains("updated_at as TIMESTAMP"), e.getMessage());
    assertEquals(Optional.empty(), r.afterCursorInstant(), "a first read starts at the beginning");
  }

  @Test
  void aFullRefreshTableHasNoCursorAndATypedKey() {
    Table codes = Table.fullRefresh("currencies").primaryKey("code");
    TableRead r = read(codes, Position.of(null, "EUR"), null);
    assertEquals(Optional.empty(), r.afterCursorInstant());
    assertEquals(Optional.empty(), r.upToInstant());
    assertEquals(Optional.of("EUR"), r.afterTiebreakerString());
  }

  @Test
  void aResumedReadKeepsEverythingButItsPosition() {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    Instant horizon = Instant.parse("2024-05-01T10:00:00Z");
    TableRead r = read(orders, null, horizon);
    Position next = Position.of(Instant.parse("2024-05-01T09:00:00Z"), BigDecimal.TEN);
    TableRead resumed = r.resumedAfter(next);
    assertEquals(Optional.of(next), resumed.after());
    assertEquals(Optional.of(BigDecimal.TEN), resumed.afterTiebreakerNumber());
    assertEquals(Optional.of(horizon), resumed.upToInstant());
    assertEquals(r.deadline(), resumed.deadline());
  }
}
