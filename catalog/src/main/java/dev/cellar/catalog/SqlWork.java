package dev.cellar.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of catalog work inside one transaction on {@code connection}. */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
