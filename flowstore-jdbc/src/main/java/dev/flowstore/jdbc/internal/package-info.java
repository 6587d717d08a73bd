/** The JDBC engine behind flowstore-jdbc. May change at any time, without notice. */
package dev.flowstore.jdbc.internal;
