/**
 * The operator's web dashboard served by {@code flowstore serve} at {@code /} and {@code /ui/...}:
 * server-rendered pages (Thymeleaf templates under {@code dev/flowstore/server/dashboard/}) over
 * the public {@link dev.flowstore.Flowstore} API, a small script for live updates and
 * confirmations, no Node toolchain. Internal: may change at any time. See docs/dashboard.md.
 */
package dev.flowstore.server.internal.dashboard;
