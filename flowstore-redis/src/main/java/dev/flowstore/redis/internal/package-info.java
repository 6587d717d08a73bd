/**
 * The Redis queue backend's implementation. May change at any time, without notice: do not use from
 * applications.
 */
package dev.flowstore.redis.internal;
