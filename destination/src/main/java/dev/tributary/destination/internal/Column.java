package dev.tributary.destination.internal;

import dev.tributary.destination.ColumnType;

/**
 * A column as the database holds it: its type in our terms and in the database's.
 *
 * @param foreign the database type is not one we create (someone altered the column): values
 *     are cast to it and it never widens
 */
record Column(ColumnType type, String sqlType, boolean foreign) {}
